//! Pictures for print and chat: QR posters (PNG and SVG) and bar charts (PNG), with
//! Chinese text set in the embedded Noto Sans SC subset. Pure: bytes in, bytes out.
//!
//! Each outside crate stays behind one file: `qrcode` in `qr.rs`, `image` in
//! `canvas.rs`, `ab_glyph` (and the font) in `font.rs`.

mod canvas;
mod chart;
pub mod font;
mod poster;
mod qr;

pub use chart::{bar_chart_png, CHART_WIDTH, MAX_BARS};
pub use poster::{poster_png, poster_svg, POSTER_TITLE_SIZE, POSTER_WIDTH};

/// Escapes text for XML content and attributes, dropping the control characters that
/// XML 1.0 forbids (so any title gives a well-formed SVG).
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}
