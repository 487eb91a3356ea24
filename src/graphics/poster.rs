//! Printable posters: the QR code of a link with a title under it, as PNG or SVG.

use std::fmt::Write;

use super::canvas::{Align, Canvas, Colour, BLACK};
use super::{font, qr, xml_escape};

/// Poster width in pixels: about 10 cm at 300 dpi, or a full A4 width at 150 dpi.
pub const POSTER_WIDTH: u32 = 1200;

const MARGIN: u32 = 100;
const QUIET_ZONE: usize = 4;
/// Title size in pixels (the em); the title wraps within 1,000 pixels.
pub const POSTER_TITLE_SIZE: f32 = 60.0;
const SUBTITLE_SIZE: f32 = 36.0;
const LINK_SIZE: f32 = 24.0;
const GREY: Colour = [85, 85, 85];
/// The embedded font first, then what Chinese systems have.
const SVG_FONT_FAMILY: &str =
    "'Noto Sans SC','Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif";

/// A PNG poster [`POSTER_WIDTH`] pixels wide: the QR code of `link`, then `title`
/// (wrapped, at most 4 lines), `subtitle` (at most 3 lines) and the link itself in small
/// print for people who cannot scan. Characters the embedded font lacks draw as boxes.
pub fn poster_png(link: &str, title: &str, subtitle: Option<&str>) -> Vec<u8> {
    let layout = Layout::new(link, title, subtitle);
    let mut canvas = Canvas::new(layout.width, layout.height);
    let modules = &layout.modules;
    for y in 0..modules.width {
        for x in 0..modules.width {
            if modules.is_dark(x, y) {
                let (left, top) = layout.module_origin(x, y);
                let scale = i64::from(layout.scale);
                canvas.fill_rect(left, top, scale, scale, BLACK);
            }
        }
    }
    let centre = layout.width as f32 / 2.0;
    for line in &layout.lines {
        canvas.text(
            &line.text,
            line.size,
            centre,
            line.top,
            Align::Centre,
            line.colour,
        );
    }
    canvas.into_png()
}

/// The same poster as [`poster_png`] in SVG, with the text as real (XML-escaped) text,
/// set in Noto Sans SC or the viewer's Chinese sans-serif font.
pub fn poster_svg(link: &str, title: &str, subtitle: Option<&str>) -> String {
    let layout = Layout::new(link, title, subtitle);
    let (width, height) = (layout.width, layout.height);
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">"#
    );
    let _ = writeln!(
        svg,
        r##"<rect width="{width}" height="{height}" fill="#fff"/>"##
    );
    let mut path = String::new();
    let modules = &layout.modules;
    for y in 0..modules.width {
        for x in 0..modules.width {
            if modules.is_dark(x, y) {
                let (left, top) = layout.module_origin(x, y);
                let scale = layout.scale;
                let _ = write!(path, "M{left} {top}h{scale}v{scale}h-{scale}z");
            }
        }
    }
    let _ = writeln!(svg, r##"<path fill="#000" d="{path}"/>"##);
    for line in &layout.lines {
        let (ascent, _) = font::line_metrics(line.size);
        let [red, green, blue] = line.colour;
        let _ = writeln!(
            svg,
            r##"<text x="{}" y="{:.1}" font-family="{SVG_FONT_FAMILY}" font-size="{}" fill="#{red:02x}{green:02x}{blue:02x}" text-anchor="middle">{}</text>"##,
            width / 2,
            line.top + ascent,
            line.size,
            xml_escape(&line.text)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// Where everything goes; shared by the PNG and the SVG so that they match.
struct Layout {
    width: u32,
    height: u32,
    modules: qr::Modules,
    scale: u32,
    qr_left: u32,
    qr_top: u32,
    lines: Vec<Line>,
}

struct Line {
    text: String,
    size: f32,
    top: f32,
    colour: Colour,
}

impl Layout {
    fn new(link: &str, title: &str, subtitle: Option<&str>) -> Layout {
        let width = POSTER_WIDTH;
        let text_width = (width - 2 * MARGIN) as f32;
        let modules = qr::modules(link);
        let modules_with_quiet_zone = (modules.width + 2 * QUIET_ZONE) as u32;
        let scale = ((width - 2 * MARGIN) / modules_with_quiet_zone).max(1);
        let qr_size = scale * modules_with_quiet_zone;
        let qr_left = (width.saturating_sub(qr_size)) / 2;
        let qr_top = MARGIN / 2;
        let mut top = (qr_top + qr_size) as f32;
        let mut lines = Vec::new();
        let blocks = [
            (title, POSTER_TITLE_SIZE, 4, BLACK, 16.0),
            (subtitle.unwrap_or(""), SUBTITLE_SIZE, 3, GREY, 24.0),
            (link, LINK_SIZE, 2, GREY, 24.0),
        ];
        for (text, size, max_lines, colour, gap_after) in blocks {
            if text.trim().is_empty() {
                continue;
            }
            let (_, line_height) = font::line_metrics(size);
            for text in font::wrap(text, size, text_width, max_lines) {
                lines.push(Line {
                    text,
                    size,
                    top,
                    colour,
                });
                top += line_height;
            }
            top += gap_after;
        }
        let height = top as u32 + MARGIN / 2;
        Layout {
            width,
            height,
            modules,
            scale,
            qr_left,
            qr_top,
            lines,
        }
    }

    /// Top left corner of module (`x`, `y`) in pixels.
    fn module_origin(&self, x: usize, y: usize) -> (i64, i64) {
        let offset = |i: usize| (QUIET_ZONE + i) as i64 * i64::from(self.scale);
        (
            i64::from(self.qr_left) + offset(x),
            i64::from(self.qr_top) + offset(y),
        )
    }
}
