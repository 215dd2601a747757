//! The report's figures (SPEC §10) and its periods; how they are rendered is the `plaint`
//! crate's business.

pub mod figures;
pub mod period;
