//! Image inputs: recognising a model input that takes a picture (`[1, C, H, W]` or
//! `[1, H, W, C]`), and turning a picture's pixels into that input's tensor. The page
//! decodes and resizes the picture; everything after its RGBA bytes happens here.

use serde::{Deserialize, Serialize};

use crate::signature::{Dim, TensorSpec};
use crate::tensor::{ElementType, TensorData, Values};

/// An input that takes one picture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Picture {
    pub input: String,
    pub width: usize,
    pub height: usize,
    /// 1 (grey), 3 (RGB) or 4 (RGBA).
    pub channels: usize,
    /// `[1, H, W, C]` (TensorFlow's order) rather than `[1, C, H, W]`.
    pub channels_last: bool,
    #[serde(default)]
    pub scale: PixelScale,
}

/// How 8-bit channel values become the numbers the model was trained on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PixelScale {
    /// 0 to 1: the most common convention.
    #[default]
    Unit,
    /// -1 to 1.
    Symmetric,
    /// 0 to 1, then standardised by ImageNet's channel means and deviations.
    ImageNet,
    /// 0 to 255, unchanged.
    Bytes,
}

impl PixelScale {
    pub const ALL: [Self; 4] = [Self::Unit, Self::Symmetric, Self::ImageNet, Self::Bytes];

    pub fn describe(self) -> &'static str {
        match self {
            Self::Unit => "0 to 1",
            Self::Symmetric => "-1 to 1",
            Self::ImageNet => "ImageNet mean and deviation",
            Self::Bytes => "0 to 255",
        }
    }

    /// Channel value `byte` of channel `channel` (0 red, 1 green, 2 blue; 3 alpha).
    fn apply(self, byte: u8, channel: usize) -> f32 {
        // ImageNet's statistics, per RGB channel; grey uses their average.
        const MEAN: [f32; 4] = [0.485, 0.456, 0.406, 0.449];
        const STD: [f32; 4] = [0.229, 0.224, 0.225, 0.226];
        let unit = f32::from(byte) / 255.0;
        match self {
            Self::Unit => unit,
            Self::Symmetric => unit * 2.0 - 1.0,
            Self::ImageNet => (unit - MEAN[channel.min(3)]) / STD[channel.min(3)],
            Self::Bytes => f32::from(byte),
        }
    }
}

/// The smallest side a picture input may have: below it, a shape like `[1, 3, 1, 1]`
/// is a small tensor, not an image.
const MIN_SIDE: usize = 4;

impl Picture {
    /// The picture `spec` takes, if it is a float input of one picture.
    pub fn detect(spec: &TensorSpec) -> Option<Self> {
        if !matches!(spec.element_type, ElementType::Float32 | ElementType::Float64) {
            return None;
        }
        let fixed = |d: &Dim| match d {
            Dim::Fixed(n) => Some(*n),
            Dim::Symbolic(_) => None,
        };
        let [batch, a, b, c] = &spec.shape[..] else { return None };
        if fixed(batch).is_some_and(|n| n != 1) {
            return None;
        }
        let is_channels = |n: usize| matches!(n, 1 | 3 | 4);
        let (channels, height, width, channels_last) = match (fixed(a)?, fixed(b)?, fixed(c)?) {
            (ch, h, w) if is_channels(ch) && h >= MIN_SIDE && w >= MIN_SIDE => (ch, h, w, false),
            (h, w, ch) if is_channels(ch) && h >= MIN_SIDE && w >= MIN_SIDE => (ch, h, w, true),
            _ => return None,
        };
        Some(Self { input: spec.name.clone(), width, height, channels, channels_last, scale: PixelScale::default() })
    }

    /// The input tensor for a picture already resized to `width` x `height`, given as
    /// RGBA bytes row by row (what a canvas's `getImageData` returns).
    pub fn tensor(&self, rgba: &[u8], element_type: ElementType) -> Result<TensorData, String> {
        let pixels = self.width * self.height;
        if rgba.len() != pixels * 4 {
            return Err(format!(
                "the picture has {} bytes, a {}x{} RGBA picture has {}",
                rgba.len(),
                self.width,
                self.height,
                pixels * 4
            ));
        }
        let channel = |pixel: &[u8], c: usize| match self.channels {
            // Luma, as ITU-R BT.601 weighs the channels.
            1 => {
                let grey = 0.299 * f32::from(pixel[0]) + 0.587 * f32::from(pixel[1]) + 0.114 * f32::from(pixel[2]);
                self.scale.apply(grey.round() as u8, 3)
            }
            _ => self.scale.apply(pixel[c], c),
        };
        let values: Vec<f32> = if self.channels_last {
            rgba.chunks_exact(4).flat_map(|p| (0..self.channels).map(move |c| channel(p, c))).collect()
        } else {
            (0..self.channels).flat_map(|c| rgba.chunks_exact(4).map(move |p| channel(p, c))).collect()
        };
        let data = match element_type {
            ElementType::Float64 => Values::Float64(values.into_iter().map(f64::from).collect()),
            _ => Values::Float32(values),
        };
        let shape = match self.channels_last {
            true => vec![1, self.height, self.width, self.channels],
            false => vec![1, self.channels, self.height, self.width],
        };
        Ok(TensorData::new(shape, data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(shape: &[Option<usize>]) -> TensorSpec {
        TensorSpec {
            name: "image".into(),
            element_type: ElementType::Float32,
            shape: shape.iter().map(|d| d.map_or(Dim::Symbolic("N".into()), Dim::Fixed)).collect(),
            labels: None,
        }
    }

    #[test]
    fn recognises_both_channel_orders() {
        let first = Picture::detect(&spec(&[Some(1), Some(3), Some(32), Some(24)])).unwrap();
        assert_eq!((first.channels, first.height, first.width, first.channels_last), (3, 32, 24, false));
        let last = Picture::detect(&spec(&[None, Some(28), Some(28), Some(1)])).unwrap();
        assert_eq!((last.channels, last.height, last.width, last.channels_last), (1, 28, 28, true));
    }

    #[test]
    fn tabular_and_batched_shapes_are_not_pictures() {
        assert_eq!(Picture::detect(&spec(&[None, Some(4)])), None);
        assert_eq!(Picture::detect(&spec(&[Some(8), Some(3), Some(32), Some(32)])), None);
        assert_eq!(Picture::detect(&spec(&[Some(1), Some(3), Some(2), Some(2)])), None);
        assert_eq!(Picture::detect(&spec(&[Some(1), Some(3), None, Some(32)])), None);
    }

    #[test]
    fn pixels_are_laid_out_in_the_input_order() {
        // Two pixels, red then blue, in a 2x1 picture.
        let rgba = [255, 0, 0, 255, 0, 0, 255, 255];
        let mut picture = Picture::detect(&spec(&[Some(1), Some(3), Some(4), Some(4)])).unwrap();
        (picture.width, picture.height) = (2, 1);
        let planar = picture.tensor(&rgba, ElementType::Float32).unwrap();
        assert_eq!(planar.shape, [1, 3, 1, 2]);
        assert_eq!(planar.data, Values::Float32(vec![1.0, 0.0, 0.0, 0.0, 0.0, 1.0]));
        picture.channels_last = true;
        let interleaved = picture.tensor(&rgba, ElementType::Float32).unwrap();
        assert_eq!(interleaved.shape, [1, 1, 2, 3]);
        assert_eq!(interleaved.data, Values::Float32(vec![1.0, 0.0, 0.0, 0.0, 0.0, 1.0]));
    }

    #[test]
    fn scales_follow_their_conventions() {
        assert_eq!(PixelScale::Symmetric.apply(0, 0), -1.0);
        assert_eq!(PixelScale::Bytes.apply(200, 1), 200.0);
        // ImageNet's red mean maps to zero.
        assert!(PixelScale::ImageNet.apply((0.485_f32 * 255.0).round() as u8, 0).abs() < 0.01);
    }

    #[test]
    fn grey_pictures_weigh_the_channels() {
        let mut picture = Picture::detect(&spec(&[Some(1), Some(1), Some(4), Some(4)])).unwrap();
        (picture.width, picture.height, picture.scale) = (1, 1, PixelScale::Bytes);
        let t = picture.tensor(&[0, 255, 0, 255], ElementType::Float32).unwrap();
        assert_eq!(t.data, Values::Float32(vec![150.0]));
    }

    #[test]
    fn a_picture_of_the_wrong_size_is_an_error() {
        let picture = Picture::detect(&spec(&[Some(1), Some(3), Some(4), Some(4)])).unwrap();
        assert!(picture.tensor(&[0; 12], ElementType::Float32).unwrap_err().contains("4x4"));
    }
}
