//! Compiles `proto/imsim.proto` (frames) and `proto/content.proto` (message payloads) with protox (a pure-Rust
//! protobuf compiler), so building needs no system `protoc`.

use std::io::Result;

fn main() -> Result<()> {
    println!("cargo:rerun-if-changed=proto");
    let file_descriptors =
        protox::compile(["imsim.proto", "content.proto"], ["proto"]).map_err(std::io::Error::other)?;
    prost_build::Config::new().compile_fds(file_descriptors)
}
