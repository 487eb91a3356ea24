//! Results of a campaign from plain inputs, without the store or the campaign module:
//! item analysis, certificate verification codes, an auditable prize draw, and XLSX
//! workbooks with charts. Pure: no clock, no environment, randomness passed in.

pub mod certificate;
pub mod draw;
pub mod item_analysis;
pub mod workbook;
