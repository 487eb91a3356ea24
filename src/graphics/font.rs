//! The embedded CJK font (a Noto Sans SC subset, see `assets/fonts/README.md`):
//! measuring, wrapping and rasterising text. The only user of `ab_glyph`.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont};

/// The subset font file, as embedded in the binary.
pub const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-subset.otf");

/// Drawn in place of a character the font lacks (a hollow box, itself in the font).
const FALLBACK: char = '□';

fn font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).expect("embedded font parses"))
}

/// The ab_glyph scale for an em of `size` pixels (ab_glyph scales by ascent − descent,
/// CSS and SVG `font-size` by the em; this keeps the PNG and the SVG the same size).
fn scale(size: f32) -> PxScale {
    let font = font();
    let units_per_em = font.units_per_em().unwrap_or(1000.0);
    PxScale::from(size * font.height_unscaled() / units_per_em)
}

/// Whether the embedded font has a glyph for `c` (others draw as a box).
pub fn has_glyph(c: char) -> bool {
    font().glyph_id(c).0 != 0
}

/// The glyph `c` is drawn with: its own, the fallback box, or `None` for no ink (controls).
fn glyph_for(c: char) -> Option<GlyphId> {
    if c.is_control() {
        return None;
    }
    let id = font().glyph_id(c);
    if id.0 != 0 {
        return Some(id);
    }
    Some(font().glyph_id(FALLBACK))
}

/// Width in pixels of `text` set in one line at `size` pixels (the em, as CSS `font-size`).
pub fn text_width(text: &str, size: f32) -> f32 {
    let scaled = font().as_scaled(scale(size));
    let mut width = 0.0;
    let mut previous: Option<GlyphId> = None;
    for c in text.chars() {
        let Some(id) = glyph_for(c) else { continue };
        if let Some(previous) = previous {
            width += scaled.kern(previous, id);
        }
        width += scaled.h_advance(id);
        previous = Some(id);
    }
    width
}

/// Distance from the top of a line to its baseline, and the line height, at `size` pixels.
pub fn line_metrics(size: f32) -> (f32, f32) {
    let scaled = font().as_scaled(scale(size));
    let ascent = scaled.ascent();
    (ascent, ascent - scaled.descent() + scaled.line_gap())
}

/// Cuts `text` to fit `max_width` pixels at `size`, ending with `…` when cut.
pub fn truncate_to_width(text: &str, size: f32, max_width: f32) -> String {
    if text_width(text, size) <= max_width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        out.push('…');
        let too_wide = text_width(&out, size) > max_width;
        out.pop();
        if too_wide {
            out.pop();
            break;
        }
    }
    out.push('…');
    out
}

/// Wraps `text` into lines no wider than `max_width` pixels at `size`. Chinese breaks
/// between any two characters, other scripts at spaces (a word wider than a line is
/// split); closing punctuation never starts a line, nor opening punctuation ends one.
/// Explicit newlines are kept, blank lines dropped. At most `max_lines` lines: the last
/// one ends with `…` if text was left over.
pub fn wrap(text: &str, size: f32, max_width: f32, max_lines: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let max_lines = max_lines.max(1);
    for paragraph in text.split('\n') {
        if lines.len() > max_lines {
            break;
        }
        if !paragraph.trim().is_empty() {
            wrap_paragraph(paragraph.trim(), size, max_width, max_lines + 1, &mut lines);
        }
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        let last = lines.pop().unwrap_or_default();
        lines.push(truncate_to_width(&format!("{last}…"), size, max_width));
    }
    lines
}

/// Appends the lines of one paragraph, stopping early once there are `enough`.
fn wrap_paragraph(
    paragraph: &str,
    size: f32,
    max_width: f32,
    enough: usize,
    lines: &mut Vec<String>,
) {
    let mut line = String::new();
    for token in tokens(paragraph) {
        if lines.len() >= enough {
            return;
        }
        let candidate = format!("{line}{token}");
        if text_width(candidate.trim_end(), size) <= max_width {
            line = candidate;
            continue;
        }
        if !line.trim().is_empty() {
            lines.push(line.trim_end().to_string());
        }
        line = token.trim_start().to_string();
        // A token wider than a whole line is split character by character.
        while lines.len() < enough
            && line.chars().count() > 1
            && text_width(line.trim_end(), size) > max_width
        {
            let mut head = String::new();
            for c in line.chars() {
                head.push(c);
                if text_width(&head, size) > max_width {
                    head.pop();
                    break;
                }
            }
            if head.is_empty() {
                head = line.chars().take(1).collect();
            }
            lines.push(head.clone());
            line = line[head.len()..].to_string();
        }
    }
    lines.push(line.trim_end().to_string());
}

/// Unbreakable pieces: one Chinese character (with any opening punctuation before it
/// and closing punctuation after it), or a run of other non-space characters with the
/// spaces before it.
fn tokens(text: &str) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if is_closing(c) {
            current.push(c);
            continue;
        }
        let last = current.chars().last();
        if last.is_some_and(is_opening) {
            current.push(c);
            continue;
        }
        let breaks_before = is_wide(c) || c == ' ' || last.is_some_and(is_wide);
        let after_closing = last.is_some_and(|c| is_closing(c) && c as u32 > 0x2000);
        if (breaks_before || after_closing) && !current.trim().is_empty() {
            tokens.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
        && !is_closing(c)
}

fn is_opening(c: char) -> bool {
    "（《「『【〔〈“‘([".contains(c)
}

fn is_closing(c: char) -> bool {
    "，。、；：？！）》」』】〕〉”’…%,.;:?!)".contains(c)
}

/// Calls `plot(x, y, coverage)` for every pixel of `text` drawn in one line with its top
/// left corner at (`left`, `top`), at `size` pixels. Returns the drawn width.
pub fn rasterize(
    text: &str,
    size: f32,
    left: f32,
    top: f32,
    mut plot: impl FnMut(i64, i64, f32),
) -> f32 {
    let scale = scale(size);
    let scaled = font().as_scaled(scale);
    let baseline = top + scaled.ascent();
    let mut x = left;
    let mut previous: Option<GlyphId> = None;
    for c in text.chars() {
        let Some(id) = glyph_for(c) else { continue };
        if let Some(previous) = previous {
            x += scaled.kern(previous, id);
        }
        let glyph = id.with_scale_and_position(scale, ab_glyph::point(x, baseline));
        if let Some(outlined) = font().outline_glyph(glyph) {
            let bounds = outlined.px_bounds();
            outlined.draw(|gx, gy, coverage| {
                plot(
                    bounds.min.x as i64 + i64::from(gx),
                    bounds.min.y as i64 + i64::from(gy),
                    coverage,
                );
            });
        }
        x += scaled.h_advance(id);
        previous = Some(id);
    }
    x - left
}
