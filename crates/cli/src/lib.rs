//! The pieces of the `opsdeck` command that the desktop app shares: starting the simulator and
//! describing it as a config (`--demo` runs the same code in-process).

pub mod simulate;
