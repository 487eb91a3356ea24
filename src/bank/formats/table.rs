//! Spreadsheet-style formats (CSV, XLSX) and the plain-text paste format.

use std::path::Path;

use crate::bank::SetFile;

pub fn write_template(_out: &Path, _xlsx: bool, _faq: bool) -> Result<(), String> {
    Err("template writing is being built".into())
}

pub fn write_sets_csv(_sets: &[SetFile]) -> Result<Vec<u8>, String> {
    Err("CSV export is being built".into())
}

pub fn write_sets_xlsx(_sets: &[SetFile]) -> Result<Vec<u8>, String> {
    Err("XLSX export is being built".into())
}
