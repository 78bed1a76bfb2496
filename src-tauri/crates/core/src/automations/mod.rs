//! Automations (SPEC §7, seed 004): a trigger, conditions in CEL and ordered actions, run by the
//! engine while the app is open, each run journaled step by step.

pub mod condition;
