//! The form of an image model: pick a picture, see it at the model's size, choose how
//! its pixels are scaled. The browser decodes and resizes the picture; the core turns
//! the pixels into the input tensor.

use leptos::html::Canvas;
use leptos::prelude::*;
use leptos::task::spawn_local;
use modelport_core::card::{Picture, PixelScale};
use wasm_bindgen::{Clamped, JsCast};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement, HtmlInputElement, Url};

/// A picture resized to the model's input, and the scale its pixels take.
#[derive(Clone, Debug, PartialEq)]
pub struct PickedPicture {
    /// RGBA, row by row, `width * height * 4` bytes.
    pub rgba: Vec<u8>,
    pub scale: PixelScale,
}

#[component]
pub fn PicturePicker(
    /// The input the picture goes to: its size and channel layout.
    picture: Picture,
    /// Where the picked picture goes.
    picked: RwSignal<Option<PickedPicture>>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let problem = RwSignal::new(None::<String>);
    let scale = RwSignal::new(picture.scale);
    let (width, height) = (picture.width, picture.height);
    let on_change = move |ev: leptos::ev::Event| {
        let Some(file) =
            ev.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()).and_then(|i| i.files()?.get(0))
        else {
            return;
        };
        let Some(canvas) = canvas.get_untracked() else { return };
        spawn_local(async move {
            match draw(&file, &canvas, width, height).await {
                Ok(rgba) => {
                    problem.set(None);
                    picked.set(Some(PickedPicture { rgba, scale: scale.get_untracked() }));
                }
                Err(e) => {
                    problem.set(Some(format!("“{}” {e}", file.name())));
                    picked.set(None);
                }
            }
        });
    };
    let on_scale = move |ev| {
        let chosen = PixelScale::ALL.into_iter().find(|s| format!("{s:?}") == event_target_value(&ev));
        if let Some(chosen) = chosen {
            scale.set(chosen);
            picked.update(|p| {
                if let Some(p) = p {
                    p.scale = chosen;
                }
            });
        }
    };
    let options = PixelScale::ALL
        .into_iter()
        .map(|s| view! { <option value=format!("{s:?}") selected=s == picture.scale>{s.describe()}</option> })
        .collect_view();
    let order = if picture.channels_last { "height, width, channels" } else { "channels, height, width" };

    view! {
        <div class="picture-picker">
            <div class="field">
                <label for="picture-file">"Picture"</label>
                <input id="picture-file" type="file" accept="image/*" aria-describedby="picture-hint" on:change=on_change />
                <span class="hint" id="picture-hint">
                    {format!(
                        "Cropped to the model's shape and resized to {width}×{height} pixels, {} channel{} ({order}).",
                        picture.channels,
                        if picture.channels == 1 { "" } else { "s" },
                    )}
                </span>
            </div>
            <div class="field">
                <label for="picture-scale">"Pixel values"</label>
                <select id="picture-scale" on:change=on_scale>{options}</select>
            </div>
            <canvas
                node_ref=canvas
                class="picture-preview"
                width=width
                height=height
                class:empty=move || picked.with(Option::is_none)
                aria-label="The picture as the model sees it"
            ></canvas>
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
        </div>
    }
}

/// Draws `file` onto `canvas`, centre-cropped to the canvas's proportions and scaled to
/// its size, and returns the canvas's pixels.
async fn draw(
    file: &web_sys::File,
    canvas: &HtmlCanvasElement,
    width: usize,
    height: usize,
) -> Result<Vec<u8>, String> {
    let url = Url::create_object_url_with_blob(file).map_err(|_| "could not be opened".to_owned())?;
    let image = HtmlImageElement::new().map_err(|_| "could not be opened".to_owned())?;
    image.set_src(&url);
    let decoded = JsFuture::from(image.decode()).await;
    let _ = Url::revoke_object_url(&url);
    decoded.map_err(|_| "is not a picture this browser can read".to_owned())?;
    let context = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
        .ok_or("could not be drawn: this browser has no 2D canvas")?;
    let (source_width, source_height) = (f64::from(image.natural_width()), f64::from(image.natural_height()));
    let (w, h) = (width as f64, height as f64);
    // The largest part of the picture with the input's proportions, from its centre.
    let crop = (source_width / w).min(source_height / h);
    let (crop_width, crop_height) = (w * crop, h * crop);
    context.clear_rect(0.0, 0.0, w, h);
    context
        .draw_image_with_html_image_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
            &image,
            (source_width - crop_width) / 2.0,
            (source_height - crop_height) / 2.0,
            crop_width,
            crop_height,
            0.0,
            0.0,
            w,
            h,
        )
        .map_err(|_| "could not be drawn".to_owned())?;
    let pixels = context.get_image_data(0.0, 0.0, w, h).map_err(|_| "could not be read back".to_owned())?;
    let Clamped(rgba) = pixels.data();
    Ok(rgba)
}
