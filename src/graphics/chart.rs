//! Horizontal bar charts as PNG, so that long Chinese enterprise names fit as labels.

use super::canvas::{Align, Canvas, Colour};
use super::font;

/// Chart width in pixels.
pub const CHART_WIDTH: u32 = 1200;
/// Bars drawn at most; further rows are summed into one last bar, 其他.
pub const MAX_BARS: usize = 30;

const MARGIN: f32 = 40.0;
const TITLE_SIZE: f32 = 34.0;
const LABEL_SIZE: f32 = 20.0;
const TICK_SIZE: f32 = 16.0;
const ROW_HEIGHT: f32 = 40.0;
const BAR_HEIGHT: f32 = 26.0;
const LABEL_RIGHT: f32 = 400.0;
const BAR_LEFT: f32 = 412.0;
const BAR_RIGHT: f32 = CHART_WIDTH as f32 - MARGIN - 150.0;
const BAR_COLOUR: Colour = [52, 101, 164];
const GRID_COLOUR: Colour = [222, 222, 222];
const TEXT_COLOUR: Colour = [30, 30, 30];
const GREY: Colour = [110, 110, 110];

/// A PNG bar chart [`CHART_WIDTH`] pixels wide, one horizontal bar per label, in the
/// order given (sort first), each with its value and `unit` (`"%"` shows one decimal:
/// pass percentages as 0–100). Labels are cut with `…` to fit 360 pixels. Beyond
/// [`MAX_BARS`] rows, the first 29 are drawn and the rest summed into 其他 (so pass
/// additive values such as counts or points, or at most 30 rows). Rows pair labels and
/// values by position; extra labels or values are ignored. Values that are negative or
/// not finite draw no bar. No rows draws the title and 暂无数据 / No data.
pub fn bar_chart_png(title: &str, labels: &[String], values: &[f64], unit: &str) -> Vec<u8> {
    let rows = rows(labels, values);
    let text_width = CHART_WIDTH as f32 - 2.0 * MARGIN;
    let title_lines = font::wrap(title, TITLE_SIZE, text_width, 2);
    let (_, title_line_height) = font::line_metrics(TITLE_SIZE);
    let (_, tick_line_height) = font::line_metrics(TICK_SIZE);
    let (_, label_line_height) = font::line_metrics(LABEL_SIZE);
    let ticks_top = MARGIN + title_lines.len() as f32 * title_line_height + 12.0;
    let bars_top = ticks_top + tick_line_height + 6.0;
    let bars_height = ROW_HEIGHT * rows.len().max(1) as f32;
    let height = bars_top + bars_height + MARGIN;
    let mut canvas = Canvas::new(CHART_WIDTH, height.ceil() as u32);

    let centre = CHART_WIDTH as f32 / 2.0;
    for (index, line) in title_lines.iter().enumerate() {
        let top = MARGIN + index as f32 * title_line_height;
        canvas.text(line, TITLE_SIZE, centre, top, Align::Centre, TEXT_COLOUR);
    }
    if rows.is_empty() {
        canvas.text(
            "暂无数据 / No data",
            LABEL_SIZE,
            centre,
            bars_top,
            Align::Centre,
            GREY,
        );
        return canvas.into_png();
    }

    let largest = rows
        .iter()
        .map(|(_, value)| bar_value(*value))
        .fold(0.0, f64::max);
    let (step, axis_max) = nice_axis(largest);
    let bar_span = f64::from(BAR_RIGHT - BAR_LEFT);
    let x_of = |value: f64| BAR_LEFT + (bar_span * value / axis_max) as f32;
    let mut tick = 0.0;
    while tick <= axis_max + step / 2.0 {
        let x = x_of(tick);
        canvas.fill_rect(
            x as i64,
            bars_top as i64,
            1,
            bars_height as i64,
            GRID_COLOUR,
        );
        let label = format_tick(tick, unit);
        canvas.text(&label, TICK_SIZE, x, ticks_top, Align::Centre, GREY);
        tick += step;
    }
    canvas.fill_rect(
        BAR_LEFT as i64 - 1,
        bars_top as i64,
        2,
        bars_height as i64,
        GREY,
    );

    for (index, (label, value)) in rows.iter().enumerate() {
        let row_top = bars_top + index as f32 * ROW_HEIGHT;
        let bar_top = row_top + (ROW_HEIGHT - BAR_HEIGHT) / 2.0;
        let text_top = row_top + (ROW_HEIGHT - label_line_height) / 2.0;
        let label = font::truncate_to_width(label, LABEL_SIZE, LABEL_RIGHT - MARGIN);
        canvas.text(
            &label,
            LABEL_SIZE,
            LABEL_RIGHT,
            text_top,
            Align::Right,
            TEXT_COLOUR,
        );
        let bar_end = x_of(bar_value(*value));
        let bar_width = (bar_end - BAR_LEFT).round() as i64;
        canvas.fill_rect(
            BAR_LEFT as i64,
            bar_top as i64,
            bar_width,
            BAR_HEIGHT as i64,
            BAR_COLOUR,
        );
        let value_text = format_value(*value, unit);
        canvas.text(
            &value_text,
            LABEL_SIZE,
            bar_end + 8.0,
            text_top,
            Align::Left,
            TEXT_COLOUR,
        );
    }
    canvas.into_png()
}

/// The rows to draw: pairs by position, the tail beyond [`MAX_BARS`] summed into 其他.
fn rows(labels: &[String], values: &[f64]) -> Vec<(String, f64)> {
    let mut rows: Vec<(String, f64)> = labels
        .iter()
        .zip(values)
        .map(|(label, value)| (label.clone(), *value))
        .collect();
    if rows.len() > MAX_BARS {
        let rest = rows.split_off(MAX_BARS - 1);
        let sum = rest.iter().map(|(_, value)| bar_value(*value)).sum();
        rows.push((format!("其他（{} 项）", rest.len()), sum));
    }
    rows
}

/// The length a value's bar stands for: nothing for negative or non-finite values.
fn bar_value(value: f64) -> f64 {
    if value.is_finite() && value > 0.0 {
        value
    } else {
        0.0
    }
}

/// A tick step of 1, 2 or 5 times a power of ten giving about five ticks, and the
/// axis end (a whole number of steps at or above `largest`).
fn nice_axis(largest: f64) -> (f64, f64) {
    if largest <= 0.0 {
        return (1.0, 1.0);
    }
    let rough = largest / 5.0;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|factor| factor * power)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * power);
    (step, (largest / step).ceil() * step)
}

/// An axis label: like [`format_value`] but whole numbers never show decimals.
fn format_tick(value: f64, unit: &str) -> String {
    if unit == "%" && value.fract() == 0.0 {
        return format!("{value:.0}%");
    }
    format_value(value, unit)
}

/// `85.3%` for percentages; otherwise whole numbers without decimals, others with one,
/// then the unit (after a space when it is a word such as `pts`).
fn format_value(value: f64, unit: &str) -> String {
    if !value.is_finite() {
        return "—".to_string();
    }
    if unit == "%" {
        return format!("{value:.1}%");
    }
    let number = if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    };
    if unit.starts_with(|c: char| c.is_ascii_alphabetic()) {
        format!("{number} {unit}")
    } else {
        format!("{number}{unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_steps_are_round_and_cover_the_largest_value() {
        assert_eq!(nice_axis(100.0), (20.0, 100.0));
        assert_eq!(nice_axis(87.0), (20.0, 100.0));
        assert_eq!(nice_axis(7.0), (2.0, 8.0));
        assert_eq!(nice_axis(0.0), (1.0, 1.0));
    }

    #[test]
    fn values_are_formatted_with_their_unit() {
        assert_eq!(format_value(85.25, "%"), "85.2%");
        assert_eq!(format_value(12.0, "人"), "12人");
        assert_eq!(format_value(3.5, "pts"), "3.5 pts");
        assert_eq!(format_value(f64::NAN, "人"), "—");
        assert_eq!(format_tick(20.0, "%"), "20%");
        assert_eq!(format_tick(2.5, "%"), "2.5%");
    }

    #[test]
    fn rows_beyond_the_limit_are_summed_as_others() {
        let labels: Vec<String> = (0..35).map(|i| format!("企业{i}")).collect();
        let values: Vec<f64> = (0..35).map(f64::from).collect();
        let rows = rows(&labels, &values);
        assert_eq!(rows.len(), MAX_BARS);
        assert_eq!(rows[28], ("企业28".to_string(), 28.0));
        assert_eq!(
            rows[29],
            ("其他（6 项）".to_string(), (29..35).sum::<i32>() as f64)
        );
    }
}
