//! The prediction form: one field per feature (a drawing pad for the pixels of a small
//! image, a picture picker for an image model), predictions as the user types.

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use modelport_core::card::{FeatureValue, Layout, Picture};
use modelport_core::compare::Shadow;
use modelport_core::record::{Predicted, Record, Source};
use modelport_core::registry::Version;
use modelport_core::{ModelCard, Prediction, Signature, Tensors};

use crate::components::feature_field::{FeatureField, parse_field};
use crate::components::image_pad::ImagePad;
use crate::components::picture_picker::{PickedPicture, PicturePicker};
use crate::components::prediction_view::PredictionView;
use crate::components::shadow_view::ShadowView;
use crate::inference::{Download, Inference, Loaded};
use crate::{catalog, recorder};

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

/// The version shadow mode runs beside the one shown, and the key it is compiled under.
#[derive(Clone, Debug, PartialEq)]
pub struct Challenger {
    pub key: String,
    pub version: Version,
}

impl Challenger {
    /// Compiles the challenger in the worker (again after a restart).
    pub fn load(&self, inference: Inference) -> LocalResource<Result<Loaded, String>> {
        let (key, url, sha256) = (self.key.clone(), catalog::model_url(&self.version), self.version.sha256.clone());
        LocalResource::new(move || {
            inference.restarts.track();
            inference.load(key.clone(), url.clone(), sha256.clone())
        })
    }
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
    /// Shadow mode's challenger, when it is on.
    #[prop(default = None)]
    challenger: Option<Challenger>,
    /// The model file's download while `loaded` waits for it, if the load reports one.
    #[prop(optional, into)]
    download: Option<Signal<Option<Download>>>,
) -> impl IntoView {
    let inference = expect_context::<Inference>();
    let shadow = challenger.as_ref().map(|c| (c.key.clone(), c.load(inference)));
    let shadow_latest = RwSignal::new(None::<Result<Prediction, String>>);
    let shadow_tally = RwSignal::new(Shadow::default());
    let tolerance = modelport_core::compare::tolerance(&card);
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
    let feature_names: Vec<String> = features.iter().map(|f| f.name.clone()).collect();
    let card = StoredValue::new(card);
    let shadow = StoredValue::new(shadow);
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
            let result = predict(inference, card, model_key.get_value(), &model.signature, filled.clone()).await;
            if generation.get_value() != current {
                return;
            }
            let row = match &filled {
                Filled::Row(row) => Some(row.clone()),
                Filled::Picture(..) => None,
            };
            if let (Ok(outcome), Some(row)) = (&result, &row)
                && let Some(first) = outcome.predictions.first()
            {
                let rows = [(row.clone(), Predicted::from(first))];
                recorder::record(card.with_value(|c| Record::many(c, Source::Form, js_sys::Date::now(), rows)));
            }
            let champion = result.as_ref().ok().and_then(|o| o.predictions.first().cloned());
            outcome.set(Some(result));
            let Some((key, loaded)) = shadow.get_value() else { return };
            let challenger = match loaded.await {
                Ok(model) => predict(inference, card, key, &model.signature, filled).await,
                Err(e) => Err(e),
            };
            if generation.get_value() != current {
                return;
            }
            let challenger =
                challenger.and_then(|o| o.predictions.into_iter().next().ok_or_else(|| "no prediction".into()));
            if let (Some(champion), Ok(challenger), Some(row)) = (&champion, &challenger, &row) {
                shadow_tally.update(|t| t.add(row, champion, challenger, tolerance));
            }
            shadow_latest.set(Some(challenger));
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
                <div class="prediction-column">
                    <PredictionView outcome loaded ready=Signal::derive(move || filled.with(Option::is_some)) download />
                    {challenger.map(|c| view! {
                        <ShadowView version=c.version.version latest=Some(shadow_latest) tally=shadow_tally features=feature_names />
                    })}
                </div>
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
