//! Text normalisation shared by answer checking, imports and retrieval.

use unicode_normalization::UnicodeNormalization;

/// Folds full-width forms to half-width (NFKC), lowercases, and drops
/// whitespace, punctuation and symbols, so `Ｇ Ｂ／Ｔ` and `gb/t` compare equal.
pub fn normalize_answer(input: &str) -> String {
    input
        .nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Like [`normalize_answer`] but keeps single spaces between words, for retrieval.
pub fn normalize_query(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut last_space = true;
    for c in input.nfkc().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '/' || c == '.' {
            out.push(c);
            last_space = false;
        } else if !last_space {
            out.push(' ');
            last_space = true;
        }
    }
    out.trim_end().to_string()
}

/// Trimmed text without zero-width characters: the form every imported cell is read in.
/// (Content keeps its full-width Chinese punctuation; only comparisons fold width.)
pub fn clean_cell(input: &str) -> String {
    input
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}'))
        .to_string()
}

/// NFKC-folded (full-width to half-width) and trimmed, for codes such as answer letters.
pub fn fold_width(input: &str) -> String {
    input.nfkc().collect::<String>().trim().to_string()
}

/// Truncates to at most `max` characters, marking the cut with an ellipsis.
pub fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Truncates to at most `max` UTF-16 code units (how Telegram counts a message's
/// length: an emoji is two), marking the cut with an ellipsis.
pub fn truncate_utf16(text: &str, max: usize) -> String {
    if text.encode_utf16().count() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut units = 0;
    for c in text.chars() {
        units += c.len_utf16();
        if units > max.saturating_sub(1) {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// 1-based line number of a byte offset.
pub fn line_of_offset(source: &str, offset: usize) -> usize {
    let end = offset.min(source.len());
    source.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// A name people chose, made safe to show anywhere: no control, bidi or zero-width
/// characters, whitespace (line breaks included) collapsed to single spaces, at most
/// `max_chars` characters.
pub fn clean_name(raw: &str, max_chars: usize) -> String {
    let kept: String = raw
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !c.is_control() && !is_invisible_format(*c))
        .collect();
    let collapsed = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    truncate_chars(&collapsed, max_chars)
}

/// Bidi controls, zero-width characters and other invisible format characters.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00ad}' | '\u{061c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_utf16_units_like_telegram() {
        assert_eq!(truncate_utf16("标准化", 3), "标准化");
        assert_eq!(truncate_utf16("标准化法", 3), "标准…");
        // Each emoji is two units: four of them need 8, so 5 units keep two and the ellipsis.
        let cut = truncate_utf16("🏆🏆🏆🏆", 5);
        assert_eq!(cut, "🏆🏆…");
        assert!(cut.encode_utf16().count() <= 5);
    }

    #[test]
    fn folds_width_case_space_and_punctuation() {
        assert_eq!(normalize_answer(" Ｇ Ｂ／Ｔ "), "gbt");
        assert_eq!(normalize_answer("10月14日。"), "10月14日");
        assert_eq!(normalize_answer("ＩＤＴ"), normalize_answer("idt"));
    }

    #[test]
    fn query_keeps_word_boundaries() {
        assert_eq!(normalize_query("What is  ISO？"), "what is iso");
        assert_eq!(normalize_query("ＧＢ／Ｔ是什么"), "gb/t是什么");
    }

    #[test]
    fn truncates_by_characters() {
        assert_eq!(truncate_chars("标准化法", 3), "标准…");
        assert_eq!(truncate_chars("abc", 3), "abc");
    }
}
