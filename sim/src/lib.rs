//! sim

pub mod scenario;
