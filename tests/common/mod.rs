//! Helpers shared by the integration tests. Each test binary compiles its
//! own copy and uses a different part, so unused items are expected here.
#![allow(dead_code)]

pub mod pg;
pub mod specs;
pub mod updates;
