//! A white RGB canvas with rectangles and text, encoded as PNG. The only user of `image`.

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage};

use super::font;

/// An RGB colour.
pub type Colour = [u8; 3];

pub const BLACK: Colour = [0, 0, 0];
pub const WHITE: Colour = [255, 255, 255];

/// Where a line of text sits relative to the x given to [`Canvas::text`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Centre,
    Right,
}

pub struct Canvas {
    image: RgbImage,
}

impl Canvas {
    pub fn new(width: u32, height: u32) -> Canvas {
        Canvas {
            image: RgbImage::from_pixel(width.max(1), height.max(1), Rgb(WHITE)),
        }
    }

    /// Fills the rectangle, clipped to the canvas.
    pub fn fill_rect(&mut self, left: i64, top: i64, width: i64, height: i64, colour: Colour) {
        let (canvas_width, canvas_height) = self.image.dimensions();
        let x_range = left.max(0)..(left + width).min(i64::from(canvas_width));
        for y in top.max(0)..(top + height).min(i64::from(canvas_height)) {
            for x in x_range.clone() {
                self.image.put_pixel(x as u32, y as u32, Rgb(colour));
            }
        }
    }

    /// Draws one line of text whose top is at `top`, anchored at `x` as `align` says.
    pub fn text(&mut self, text: &str, size: f32, x: f32, top: f32, align: Align, colour: Colour) {
        let width = font::text_width(text, size);
        let left = match align {
            Align::Left => x,
            Align::Centre => x - width / 2.0,
            Align::Right => x - width,
        };
        let image = &mut self.image;
        let (canvas_width, canvas_height) = image.dimensions();
        font::rasterize(text, size, left, top, |px, py, coverage| {
            if px < 0 || py < 0 || px >= i64::from(canvas_width) || py >= i64::from(canvas_height) {
                return;
            }
            let pixel = image.get_pixel_mut(px as u32, py as u32);
            let alpha = coverage.clamp(0.0, 1.0);
            for (channel, ink) in pixel.0.iter_mut().zip(colour) {
                let blended = f32::from(*channel) * (1.0 - alpha) + f32::from(ink) * alpha;
                *channel = blended.round() as u8;
            }
        });
    }

    pub fn into_png(self) -> Vec<u8> {
        let mut bytes = Vec::new();
        self.image
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .expect("encoding an in-memory RGB image as PNG cannot fail");
        bytes
    }
}
