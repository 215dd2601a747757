//! Reports: periods, figures and how they are rendered.

pub mod figures;
pub mod period;
pub mod render;
