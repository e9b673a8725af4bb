//! Data generators: the demo tenant that `cargo run` shows a newcomer, and a large
//! generated tenant for benchmarks.

pub mod demo;
mod demo_record;
pub mod volume;
