//! sim

pub mod server;
