//! "Correct a prediction": the card's features as a form, the shipped version's and the
//! learner's predictions side by side, and the right answer to learn from.

use leptos::prelude::*;
use leptos::task::spawn_local;
use modelport_core::card::{FeatureValue, Prediction};
use modelport_core::recalibrate::numbers;
use modelport_core::{ModelCard, Signature};

use crate::components::feature_field::{FeatureField, parse_field};
use crate::components::format_number;
use crate::components::recalibrate_page::{Session, Shipped, describe};
use crate::inference::Inference;

/// The correction form.
#[component]
pub(super) fn Feedback(
    /// The shipped version, predicting the form beside the learner.
    shipped: Shipped,
    /// What the page has learned.
    session: Session,
) -> impl IntoView {
    let Shipped { card, model_key, loaded } = shipped;
    let inference = expect_context::<Inference>();
    let texts = RwSignal::new(card.example.iter().map(FeatureValue::to_string).collect::<Vec<_>>());
    let kinds: Vec<_> = card.features.iter().map(|f| f.kind).collect();
    // The form's row, once every field holds a value.
    let row = Memo::new(move |_| {
        texts.with(|t| kinds.iter().zip(t).map(|(&k, text)| parse_field(k, text)).collect::<Result<Vec<_>, _>>().ok())
    });
    let classes = card.classes().to_vec();
    let answer = RwSignal::new(if classes.is_empty() { String::new() } else { "0".to_owned() });
    let shipped = RwSignal::new(None::<Result<String, String>>);
    let problem = RwSignal::new(None::<String>);
    let version = card.version.clone();
    let fields = card
        .features
        .iter()
        .enumerate()
        .map(|(index, feature)| view! { <FeatureField index feature=feature.clone() texts /> });
    let fields = fields.collect_view();
    let card = StoredValue::new(card);
    let model_key = StoredValue::new(model_key);

    // The shipped version's prediction for the form; a newer form's answer wins.
    let generation = StoredValue::new(0_u64);
    Effect::new(move |_| {
        let (Some(row), Some(Ok(model))) = (row.get(), loaded.get()) else { return };
        generation.update_value(|g| *g += 1);
        let current = generation.get_value();
        spawn_local(async move {
            let result = shipped_prediction(inference, card, model_key.get_value(), &model.signature, row).await;
            if generation.get_value() == current {
                shipped.set(Some(result));
            }
        });
    });
    let learner_says = move || {
        let row = row.get()?;
        // Knowing nothing, every answer is as likely: naming one would mislead.
        if session.learner.with(|l| l.learned() == 0) {
            return Some("no guess yet".to_owned());
        }
        Some(session.learner.with(|l| card.with_value(|c| describe(c, &l.predict(&numbers(&row))))))
    };
    let learn = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(row) = row.get_untracked() else {
            problem.set(Some("Fill in every feature first.".into()));
            return;
        };
        let Some(y) = answer.get_untracked().trim().parse::<f64>().ok().filter(|y| y.is_finite()) else {
            problem.set(Some("The right answer must be a number.".into()));
            return;
        };
        problem.set(None);
        session.learner.update(|l| drop(l.learn(&numbers(&row), y)));
        session.corrections.update(|n| *n += 1);
    };
    let answer_control = if classes.is_empty() {
        view! {
            <input id="recal-answer" type="number" step="any" inputmode="decimal" required
                prop:value=move || answer.get() on:input=move |ev| answer.set(event_target_value(&ev)) />
        }
        .into_any()
    } else {
        let options = classes.into_iter().enumerate().map(|(i, c)| view! { <option value=i.to_string()>{c}</option> });
        view! {
            <select id="recal-answer" on:change=move |ev| answer.set(event_target_value(&ev))>{options.collect_view()}</select>
        }
        .into_any()
    };

    view! {
        <section class="recal-part" aria-labelledby="recal-feedback-title">
            <h3 id="recal-feedback-title">"Correct a prediction"</h3>
            <form class="features" on:submit=learn>
                <div class="fields">{fields}</div>
                <div class="recal-predictions">
                    <div class="recal-prediction" id="recal-shipped">
                        <h4>{format!("Shipped version {version}")}</h4>
                        <p class="recal-answer" aria-live="polite">{move || match shipped.get() {
                            None => "…".to_owned(),
                            Some(Ok(said)) => said,
                            Some(Err(e)) => format!("could not predict: {e}"),
                        }}</p>
                    </div>
                    <div class="recal-prediction" id="recal-learner">
                        <h4>"Recalibrated"</h4>
                        <p class="recal-answer" aria-live="polite">{move || learner_says().unwrap_or_else(|| "…".into())}</p>
                        <p class="hint">{move || match session.learner.with(|l| l.learned()) {
                            0 => "has learned nothing yet".to_owned(),
                            n => format!("after {n} examples"),
                        }}</p>
                    </div>
                </div>
                <div class="recal-teach">
                    <label for="recal-answer">"The right answer"</label>
                    {answer_control}
                    <button type="submit" class="primary">"Learn from this"</button>
                </div>
                {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
                <p class="status" role="status" id="recal-count">{move || {
                    let n = session.corrections.get();
                    format!("{n} {} learned", if n == 1 { "correction" } else { "corrections" })
                }}</p>
            </form>
        </section>
    }
}

/// What the shipped version predicts for `row`, in a few words.
async fn shipped_prediction(
    inference: Inference,
    card: StoredValue<ModelCard>,
    key: String,
    signature: &Signature,
    row: Vec<FeatureValue>,
) -> Result<String, String> {
    let inputs = card.with_value(|c| c.assemble(signature, &[row])).map_err(|e| e.to_string())?;
    let ran = inference.run(key, inputs).await?;
    let predictions = card.with_value(|c| c.interpret(&ran.outputs)).map_err(|e| e.to_string())?;
    Ok(match predictions.into_iter().next() {
        Some(Prediction::Class { label, probabilities }) => {
            let p = probabilities.iter().find(|p| p.class == label).map_or(0.0, |p| p.probability);
            format!("{label} ({}%)", format_number(100.0 * p, 3))
        }
        Some(Prediction::Value { value, unit }) => {
            format!("{}{}", format_number(value, 4), unit.map(|u| format!(" {u}")).unwrap_or_default())
        }
        None => "no prediction".to_owned(),
    })
}
