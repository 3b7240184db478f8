//! Compiles `proto/imsim.proto` with protox (a pure-Rust protobuf compiler), so building needs no system `protoc`.

use std::io::Result;

fn main() -> Result<()> {
    println!("cargo:rerun-if-changed=proto");
    let file_descriptors = protox::compile(["imsim.proto"], ["proto"]).map_err(std::io::Error::other)?;
    prost_build::Config::new().compile_fds(file_descriptors)
}
