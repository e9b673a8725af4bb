//! Data generators: the demo tenant that `cargo run` shows a newcomer.

pub mod demo;
mod demo_record;
