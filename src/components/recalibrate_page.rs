//! Recalibrate a model in the browser: an online learner (SGD on the card's features,
//! see `modelport_core::recalibrate`) learns from predictions a person corrects, from
//! labelled CSV files and from labelled streams, with its prequential learning curve,
//! side by side with the shipped version; the result downloads as an ONNX file and a
//! card, ready for `modelport register` as a development version.

use leptos::prelude::*;
use modelport_core::ModelCard;
use modelport_core::recalibrate::{Learner, Skipped, default_settings};

use crate::components::format_number;
use crate::components::recal_csv::LearnCsv;
use crate::components::recal_curve::LearningCurve;
use crate::components::recal_export::RecalExport;
use crate::components::recal_feedback::Feedback;
use crate::components::recal_stream::LearnStream;
use crate::inference::Loaded;

/// Examples per point of the page's learning curve: corrections come one at a time, so
/// the CLI's window of 100 rows would leave the curve empty for a long while.
const PAGE_WINDOW: u64 = 10;

/// What the page has learned so far, shared by its parts.
#[derive(Clone, Copy)]
pub(super) struct Session {
    pub(super) learner: RwSignal<Learner>,
    /// Predictions corrected by hand.
    pub(super) corrections: RwSignal<u64>,
    /// The labelled files learned from, by name.
    pub(super) files: RwSignal<Vec<String>>,
    /// Stream records learned.
    pub(super) streamed: RwSignal<u64>,
    /// Rows of those files, and stream records, that could not be learned.
    pub(super) skipped: RwSignal<Skipped>,
}

/// The shipped version, for the parts that predict with it beside the learner.
#[derive(Clone)]
pub(super) struct Shipped {
    /// Its card: the features and the target.
    pub(super) card: ModelCard,
    /// The key it is compiled under in the worker.
    pub(super) model_key: String,
    /// The worker's compiled model, or why it could not be loaded.
    pub(super) loaded: LocalResource<Result<Loaded, String>>,
}

/// The recalibration tool for one model version.
#[component]
pub fn RecalibratePage(
    /// The shipped version's card: its features start the learner and its outputs are
    /// compared with the learner's.
    card: ModelCard,
    /// The key the shipped version is compiled under in the worker.
    model_key: String,
    /// The worker's compiled shipped version, or why it could not be loaded.
    loaded: LocalResource<Result<Loaded, String>>,
) -> impl IntoView {
    let learner = default_settings(&card).and_then(|settings| Learner::new(&card, settings));
    let body = match learner {
        // The core says why (a text feature, too few classes), word for word.
        Err(e) => view! {
            <p class="error" role="alert">{format!("This model cannot be recalibrated in the browser: {e}.")}</p>
        }
        .into_any(),
        Ok(learner) => {
            let session = Session {
                learner: RwSignal::new(learner.with_window(PAGE_WINDOW)),
                corrections: RwSignal::new(0),
                files: RwSignal::new(vec![]),
                streamed: RwSignal::new(0),
                skipped: RwSignal::new(Skipped::default()),
            };
            let shipped = Shipped { card: card.clone(), model_key, loaded };
            view! {
                <Feedback shipped=shipped.clone() session />
                <LearnCsv shipped session />
                <LearnStream card=card.clone() session />
                <LearningCurve session regression=card.classes().is_empty() />
                <RecalExport card session />
            }
            .into_any()
        }
    };
    view! {
        <section class="recal" aria-labelledby="recal-title">
            <h2 id="recal-title">"Recalibrate"</h2>
            <p class="hint">
                "A linear model learns this model's task on this device, one labelled example at a time: correct a prediction, or give it a labelled CSV file or stream. Each example is predicted before it is learned, so the learning curve and the metrics are out-of-sample. Nothing is uploaded."
            </p>
            {body}
        </section>
    }
}

/// A prediction in a few words: the class and its probability, or the value.
pub(super) fn describe(card: &ModelCard, prediction: &[f64]) -> String {
    let classes = card.classes();
    if classes.is_empty() {
        let unit = card.target.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
        return format!("{}{unit}", format_number(prediction.first().copied().unwrap_or(f64::NAN), 4));
    }
    let label = modelport_core::recalibrate::label(prediction);
    let class = classes.get(label).map_or("?", String::as_str);
    format!("{class} ({}%)", format_number(100.0 * prediction.get(label).copied().unwrap_or(0.0), 3))
}
