//! Reports: the figures and periods (from the core crate) and how they are rendered.

pub use plaint_core::report::{figures, period};
pub mod render;
