//! Compiles `proto/imsim.proto` (frames) and `proto/content.proto` (message payloads) with protox (a pure-Rust
//! protobuf compiler), so building needs no system `protoc`.

use std::io::Result;

fn main() -> Result<()> {
    println!("cargo:rerun-if-changed=proto");
    let file_descriptors =
        protox::compile(["imsim.proto", "content.proto"], ["proto"]).map_err(std::io::Error::other)?;
    // Every protobuf map is a `BTreeMap`: a `HashMap` would encode its entries in a different order each run, and
    // the same seed must put the same bytes on the wire.
    prost_build::Config::new().btree_map(["."]).compile_fds(file_descriptors)
}
