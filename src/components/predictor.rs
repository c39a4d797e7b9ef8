//! The prediction form: one field per feature (a drawing pad for the pixels of a small
//! image, a picture picker for an image model), predictions as the user types.

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use modelport_core::card::{FeatureValue, Layout, Picture};
use modelport_core::{ModelCard, Prediction, Signature, Tensors};

use crate::components::feature_field::{FeatureField, parse_field};
use crate::components::image_pad::ImagePad;
use crate::components::picture_picker::{PickedPicture, PicturePicker};
use crate::components::prediction_view::PredictionView;
use crate::inference::{Inference, Loaded};

/// How long typing must pause before a prediction runs.
const DEBOUNCE_MS: u32 = 120;

/// A prediction ready to show.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub predictions: Vec<Prediction>,
    /// Inference alone, measured in the worker.
    pub inference_ms: f64,
    /// From the request leaving the page to the answer arriving.
    pub round_trip_ms: f64,
}

/// The form and the live prediction for one model version.
#[component]
pub fn Predictor(
    /// The model's card: features, example row, classes.
    card: ModelCard,
    /// The key the model is compiled under in the worker.
    model_key: String,
    /// The worker's compiled model, or why it could not be loaded.
    loaded: LocalResource<Result<Loaded, String>>,
) -> impl IntoView {
    let inference = expect_context::<Inference>();
    let example: Vec<String> = card.example.iter().map(FeatureValue::to_string).collect();
    let texts = RwSignal::new(example.clone());
    let kinds: Vec<_> = card.features.iter().map(|f| f.kind).collect();
    let picked = RwSignal::new(None::<PickedPicture>);
    let layout = card.layout.clone();
    // What the form holds now, once it holds something the model can take.
    let filled = Memo::new({
        let layout = layout.clone();
        move |_| match &layout {
            Some(Layout::Picture(picture)) => picked.get().map(|p| Filled::Picture(picture.clone(), p)),
            _ => texts.with(|t| {
                let row = kinds.iter().zip(t).map(|(&kind, text)| parse_field(kind, text));
                row.collect::<Result<Vec<_>, _>>().ok().map(Filled::Row)
            }),
        }
    });
    let outcome = RwSignal::new(None::<Result<Outcome, String>>);
    let features = card.features.clone();
    let card = StoredValue::new(card);
    let model_key = StoredValue::new(model_key);

    // Each change bumps the generation; a run whose generation is no longer current was
    // overtaken by typing and its result is dropped.
    let generation = StoredValue::new(0_u64);
    Effect::new(move |_| {
        let Some(filled) = filled.get() else { return };
        let Some(Ok(model)) = loaded.get() else { return };
        generation.update_value(|g| *g += 1);
        let current = generation.get_value();
        spawn_local(async move {
            if current > 1 {
                TimeoutFuture::new(DEBOUNCE_MS).await;
            }
            if generation.get_value() != current {
                return;
            }
            let result = predict(inference, card, model_key.get_value(), &model.signature, filled).await;
            if generation.get_value() == current {
                outcome.set(Some(result));
            }
        });
    });

    let is_image = layout.is_some();
    let has_example = !example.is_empty();
    let fields = match layout {
        Some(Layout::Image { width, height, min, max }) => view! { <ImagePad texts width height min max /> }.into_any(),
        Some(Layout::Picture(picture)) => view! { <PicturePicker picture picked /> }.into_any(),
        None => features
            .into_iter()
            .enumerate()
            .map(|(index, feature)| view! { <FeatureField index feature texts /> })
            .collect_view()
            .into_any(),
    };

    view! {
        <section class="predictor" aria-labelledby="predict-heading">
            <h2 id="predict-heading">"Try it"</h2>
            <div class="predictor-body">
                <form class="features" on:submit=|ev| ev.prevent_default()>
                    <div class="fields" class:image=is_image>{fields}</div>
                    {has_example.then(|| view! {
                        <button type="button" class="secondary" on:click=move |_| texts.set(example.clone())>
                            "Reset to the example row"
                        </button>
                    })}
                </form>
                <PredictionView outcome loaded ready=Signal::derive(move || filled.with(Option::is_some)) />
            </div>
        </section>
    }
}

/// A form the model can take: a row of feature values, or a picture.
#[derive(Clone, Debug, PartialEq)]
enum Filled {
    Row(Vec<FeatureValue>),
    Picture(Picture, PickedPicture),
}

impl Filled {
    fn inputs(&self, card: &ModelCard, signature: &Signature) -> Result<Tensors, String> {
        match self {
            Self::Row(row) => card.assemble(signature, std::slice::from_ref(row)).map_err(|e| e.to_string()),
            Self::Picture(picture, picked) => {
                let spec = signature
                    .input(&picture.input)
                    .ok_or_else(|| format!("the model has no input `{}`", picture.input))?;
                let picture = Picture { scale: picked.scale, ..picture.clone() };
                Ok(Tensors::from([(spec.name.clone(), picture.tensor(&picked.rgba, spec.element_type)?)]))
            }
        }
    }
}

async fn predict(
    inference: Inference,
    card: StoredValue<ModelCard>,
    key: String,
    signature: &Signature,
    filled: Filled,
) -> Result<Outcome, String> {
    let inputs = card.with_value(|c| filled.inputs(c, signature))?;
    let start = now();
    let ran = inference.run(key, inputs).await?;
    let round_trip_ms = now() - start;
    let predictions = card.with_value(|c| c.interpret(&ran.outputs)).map_err(|e| e.to_string())?;
    Ok(Outcome { predictions, inference_ms: ran.millis, round_trip_ms })
}

fn now() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
}
