//! QR code modules of a link. The only user of `qrcode`.

use qrcode::{Color, EcLevel, QrCode};

/// A square of dark and light modules, without the quiet zone.
pub struct Modules {
    pub width: usize,
    dark: Vec<bool>,
}

impl Modules {
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }
}

/// The QR code of `data` at error correction level M (15 % of the code may be damaged),
/// falling back to L for data too long for M. Data too long even for a version 40 code
/// (about 2,300 bytes) is cut: a poster link is never that long.
pub fn modules(data: &str) -> Modules {
    let mut bytes = data.as_bytes();
    loop {
        let code = QrCode::with_error_correction_level(bytes, EcLevel::M)
            .or_else(|_| QrCode::with_error_correction_level(bytes, EcLevel::L));
        if let Ok(code) = code {
            let dark = code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect();
            return Modules {
                width: code.width(),
                dark,
            };
        }
        bytes = &bytes[..bytes.len() / 2];
    }
}
