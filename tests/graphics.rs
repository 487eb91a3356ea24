//! Posters and charts: the QR code decodes back to the link, the text is inked, the SVG
//! is well-formed with its text escaped, and nothing panics on odd input.

use image::{GrayImage, Luma};
use stdquiz::graphics::{
    self, font, poster_png, poster_svg, CHART_WIDTH, POSTER_TITLE_SIZE, POSTER_WIDTH,
};

const LINK: &str = "https://t.me/stdquiz_bot?start=c_2025wsd_shanghai";

fn decode_png(png: &[u8]) -> GrayImage {
    assert_eq!(&png[1..4], b"PNG");
    image::load_from_memory(png).expect("a PNG").to_luma8()
}

/// The contents of every QR code found in the picture, and the lowest y of the codes.
fn read_qr(picture: GrayImage) -> (Vec<String>, i32) {
    let mut prepared = rqrr::PreparedImage::prepare(picture);
    let mut bottom = 0;
    let contents = prepared
        .detect_grids()
        .into_iter()
        .map(|grid| {
            bottom = grid
                .bounds
                .iter()
                .map(|point| point.y)
                .fold(bottom, i32::max);
            grid.decode().expect("a readable QR code").1
        })
        .collect();
    (contents, bottom)
}

/// Dark pixels (below half grey) in rows `from..` of the picture.
fn dark_pixels_below(picture: &GrayImage, from: u32) -> usize {
    picture
        .enumerate_pixels()
        .filter(|(_, y, Luma([value]))| *y >= from && *value < 128)
        .count()
}

#[test]
fn the_poster_qr_code_reads_back_as_the_link() {
    let png = poster_png(
        LINK,
        "2025 世界标准日知识竞赛",
        Some("扫码参加 / Scan to join"),
    );
    let picture = decode_png(&png);
    assert_eq!(picture.width(), POSTER_WIDTH);
    assert!(picture.height() > picture.width());
    let (contents, _) = read_qr(picture);
    assert_eq!(contents, [LINK]);
}

#[test]
fn the_title_is_drawn_under_the_code() {
    let titled = decode_png(&poster_png(LINK, "标准化知识竞赛", None));
    let untitled = decode_png(&poster_png(LINK, "", None));
    assert!(titled.height() > untitled.height());
    let (_, qr_bottom) = read_qr(titled.clone());
    let below = qr_bottom as u32 + 10;
    // The link in small print is under both; the title adds a good deal of ink.
    let with_title = dark_pixels_below(&titled, below);
    let without_title = dark_pixels_below(&untitled, below);
    assert!(
        with_title > without_title + 2_000,
        "{with_title} vs {without_title}"
    );
}

#[test]
fn long_titles_wrap_and_stop_at_four_lines() {
    let long_title = "企业标准化良好行为与标准创新知识竞赛".repeat(2);
    let lines = font::wrap(&long_title, POSTER_TITLE_SIZE, 1000.0, 4);
    assert!(lines.len() > 1 && lines.len() < 4, "{lines:?}");
    assert_eq!(lines.concat(), long_title);
    for line in &lines {
        assert!(
            font::text_width(line, POSTER_TITLE_SIZE) <= 1000.0,
            "{line}"
        );
    }
    let endless = long_title.repeat(20);
    let cut = font::wrap(&endless, POSTER_TITLE_SIZE, 1000.0, 4);
    assert_eq!(cut.len(), 4);
    assert!(cut[3].ends_with('…'));

    let height = |title: &str| decode_png(&poster_png(LINK, title, None)).height() as f32;
    let (_, line_height) = font::line_metrics(POSTER_TITLE_SIZE);
    let one_line = height("标准化");
    let wrapped = height(&long_title);
    let four_lines = height(&endless);
    assert!((wrapped - one_line - (lines.len() - 1) as f32 * line_height).abs() <= 1.0);
    assert!((four_lines - one_line - 3.0 * line_height).abs() <= 1.0);
}

#[test]
fn wrapping_keeps_words_and_punctuation_together() {
    let lines = font::wrap("Standards make the world work together", 40.0, 300.0, 10);
    assert!(lines.len() > 1);
    let words: Vec<&str> = lines.iter().flat_map(|line| line.split(' ')).collect();
    assert_eq!(words.join(" "), "Standards make the world work together");
    let lines = font::wrap(
        "标准化工作的任务是制定标准、组织实施标准以及对标准的制定、实施进行监督。",
        40.0,
        200.0,
        20,
    );
    assert!(
        lines
            .iter()
            .all(|line| !line.starts_with(['、', '。', '，'])),
        "{lines:?}"
    );
    // Ten ems would fit "……竞赛（", but an opening bracket never ends a line.
    let lines = font::wrap("世界标准日知识竞赛（第一季）", 40.0, 40.0 * 10.5, 5);
    assert_eq!(lines, ["世界标准日知识竞赛", "（第一季）"]);
}

#[test]
fn the_font_covers_common_hanzi_and_boxes_the_rest() {
    for c in "标准化法企业团体国家行业地方认证计量检验检测质量的一是了".chars()
    {
        assert!(font::has_glyph(c), "{c}");
    }
    for c in ['𠀀', '\u{1F600}'] {
        assert!(!font::has_glyph(c), "{c}");
    }
    let boxed = decode_png(&poster_png(LINK, "𠀀𠀀𠀀", None));
    let blank = decode_png(&poster_png(LINK, "", None));
    let (_, qr_bottom) = read_qr(boxed.clone());
    let below = qr_bottom as u32 + 10;
    assert!(dark_pixels_below(&boxed, below) > dark_pixels_below(&blank, below) + 300);
}

#[test]
fn odd_inputs_do_not_panic() {
    for title in [
        "",
        " ",
        "\n\n",
        "\u{0}\u{7}",
        "a\u{200b}b",
        "&<>\"'",
        "超长".repeat(500).as_str(),
    ] {
        let picture = decode_png(&poster_png(title, title, Some(title)));
        assert_eq!(picture.width(), POSTER_WIDTH);
        assert!(poster_svg(title, title, Some(title)).ends_with("</svg>\n"));
    }
    let huge_link = "x".repeat(5_000);
    let picture = decode_png(&poster_png(&huge_link, "t", None));
    assert_eq!(picture.width(), POSTER_WIDTH);
}

/// Parses the whole SVG (panicking if it is not well-formed) and returns the text of
/// each `<text>` element, entities resolved.
fn check_well_formed(svg: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut texts = Vec::new();
    let mut current: Option<String> = None;
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(error) => panic!(
                "malformed SVG at {}: {error}\n{svg}",
                reader.buffer_position()
            ),
        };
        match event {
            Event::Eof => return texts,
            Event::Start(start) if start.name().as_ref() == b"text" => {
                current = Some(String::new());
            }
            Event::End(end) if end.name().as_ref() == b"text" => {
                texts.extend(current.take());
            }
            Event::Text(text) => {
                if let Some(current) = &mut current {
                    current.push_str(&text.decode().unwrap());
                }
            }
            Event::GeneralRef(reference) => {
                let name = reference.decode().unwrap();
                let resolved = quick_xml::escape::resolve_predefined_entity(&name)
                    .unwrap_or_else(|| panic!("unknown entity &{name};"));
                if let Some(current) = &mut current {
                    current.push_str(resolved);
                }
            }
            _ => {}
        }
    }
}

#[test]
fn the_svg_poster_is_well_formed_with_escaped_text() {
    let title = "A&B <标准> \"化\" 'x'";
    let svg = poster_svg(LINK, title, Some("副标题 & more"));
    let texts = check_well_formed(&svg);
    assert_eq!(texts, [title, "副标题 & more", LINK]);
    assert!(svg.contains("A&amp;B &lt;标准&gt; &quot;化&quot; &apos;x&apos;"));
    assert!(!svg.contains("<标准>"));
    assert!(svg.contains(&format!(r#"width="{POSTER_WIDTH}""#)));
    assert_eq!(graphics::xml_escape("a\u{1}b\tc"), "ab c");
}

/// Draws the SVG's QR path (`M{x} {y}h{s}v{s}h-{s}z` squares) and reads it back.
#[test]
fn the_svg_qr_code_reads_back_as_the_link() {
    let svg = poster_svg(LINK, "标题", None);
    let square = regex::Regex::new(r"M(\d+) (\d+)h(\d+)v").unwrap();
    let height: u32 = regex::Regex::new(r#"height="(\d+)""#)
        .unwrap()
        .captures(&svg)
        .unwrap()[1]
        .parse()
        .unwrap();
    let mut picture = GrayImage::from_pixel(POSTER_WIDTH, height, Luma([255]));
    let mut squares = 0;
    for capture in square.captures_iter(&svg) {
        let [x, y, size] = [1, 2, 3].map(|i| capture[i].parse::<u32>().unwrap());
        for dy in 0..size {
            for dx in 0..size {
                picture.put_pixel(x + dx, y + dy, Luma([0]));
            }
        }
        squares += 1;
    }
    assert!(squares > 100);
    assert_eq!(read_qr(picture).0, [LINK]);
}

fn names(count: usize) -> Vec<String> {
    (0..count)
        .map(|i| format!("上海市第{i}标准化技术服务有限公司（浦东新区分公司）"))
        .collect()
}

#[test]
fn bar_charts_grow_with_rows_up_to_thirty_bars() {
    let values = |count: usize| {
        (0..count)
            .map(|i| 100.0 - i as f64 * 2.5)
            .collect::<Vec<_>>()
    };
    let five = decode_png(&graphics::bar_chart_png(
        "各单位参与率",
        &names(5),
        &values(5),
        "%",
    ));
    let thirty = decode_png(&graphics::bar_chart_png(
        "各单位参与率",
        &names(30),
        &values(30),
        "人",
    ));
    let fifty = decode_png(&graphics::bar_chart_png(
        "各单位参与率",
        &names(50),
        &values(50),
        "人",
    ));
    assert_eq!(five.width(), CHART_WIDTH);
    assert!(thirty.height() > five.height());
    assert_eq!(fifty.height(), thirty.height());
    // Labels (left of x = 400) and bars (right of it) are both inked.
    let inked = |picture: &GrayImage, columns: std::ops::Range<u32>| {
        picture
            .enumerate_pixels()
            .filter(|(x, y, Luma([value]))| columns.contains(x) && *y > 100 && *value < 128)
            .count()
    };
    assert!(inked(&five, 40..400) > 2_000);
    assert!(inked(&five, 412..1000) > 20_000);
}

#[test]
fn bar_charts_take_odd_values_without_panicking() {
    let labels = names(4);
    for values in [
        vec![0.0, 0.0, 0.0, 0.0],
        vec![-5.0, f64::NAN, f64::INFINITY, 3.0],
        vec![1e12, 1.0],
        vec![],
    ] {
        let picture = decode_png(&graphics::bar_chart_png("标题", &labels, &values, "分"));
        assert_eq!(picture.width(), CHART_WIDTH);
    }
    let empty = decode_png(&graphics::bar_chart_png("", &[], &[], ""));
    assert_eq!(empty.width(), CHART_WIDTH);
}
