//! A drawing pad for models whose features are the pixels of a small image (the digits
//! model's 8x8 grid): draw with a mouse, a finger or a pen; Enter or Space on a focused
//! pixel toggles it.

use leptos::prelude::*;
use web_sys::PointerEvent;

use crate::components::format_number;

/// The pixels of a `width` x `height` image, row by row, as the texts of the form.
#[component]
pub fn ImagePad(
    /// The form's texts, one per pixel.
    texts: RwSignal<Vec<String>>,
    width: usize,
    height: usize,
    /// Value of a blank pixel.
    min: f64,
    /// Value of a fully inked pixel.
    max: f64,
) -> impl IntoView {
    let drawing = RwSignal::new(false);
    let value = move |i: usize| texts.with(|t| t[i].parse::<f64>().unwrap_or(min));
    // A stroke inks its pixel fully and its four neighbours half-way, like the blurred
    // strokes of the training images.
    let paint = move |i: usize| {
        texts.update(|t| {
            let (row, col) = (i / width, i % width);
            let neighbours = [
                (row > 0).then(|| i - width),
                (row + 1 < height).then(|| i + width),
                (col > 0).then(|| i - 1),
                (col + 1 < width).then(|| i + 1),
            ];
            let mid = min + (max - min) / 2.0;
            for n in neighbours.into_iter().flatten() {
                let current = t[n].parse::<f64>().unwrap_or(min);
                t[n] = format_number(current.max(mid), 6);
            }
            t[i] = format_number(max, 6);
        })
    };
    let toggle = move |i: usize| {
        let next = if value(i) > min { min } else { max };
        texts.update(|t| t[i] = format_number(next, 6));
    };
    let _ = window_event_listener(leptos::ev::pointerup, move |_| drawing.set(false));

    let cells = (0..width * height)
        .map(|i| {
            let shade = move || format!("--ink: {:.3}", ((value(i) - min) / (max - min)).clamp(0.0, 1.0));
            view! {
                <button
                    type="button"
                    class="pixel"
                    style=shade
                    aria-label=move || format!("pixel {},{}: {}", i / width, i % width, format_number(value(i), 3))
                    on:pointerdown=move |ev: PointerEvent| {
                        ev.prevent_default();
                        // Touch captures the pointer to the first cell; release it so
                        // that the stroke reaches the cells it crosses.
                        if let Some(target) = event_target_checked(&ev) {
                            let _ = target.release_pointer_capture(ev.pointer_id());
                        }
                        drawing.set(true);
                        paint(i);
                    }
                    on:pointerenter=move |_| if drawing.get_untracked() { paint(i) }
                    // A click with no pointer before it comes from the keyboard.
                    on:click=move |ev| if ev.detail() == 0 { toggle(i) }
                />
            }
        })
        .collect_view();

    view! {
        <div class="image-input">
            <div
                class="image-pad"
                role="group"
                aria-label=format!("{width} by {height} drawing pad")
                style=format!("grid-template-columns: repeat({width}, 1fr)")
            >
                {cells}
            </div>
            <button type="button" class="secondary" on:click=move |_| texts.update(|t| t.fill(format_number(min, 6)))>
                "Clear"
            </button>
        </div>
    }
}

fn event_target_checked(ev: &PointerEvent) -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    ev.target()?.dyn_into::<web_sys::Element>().ok()
}
