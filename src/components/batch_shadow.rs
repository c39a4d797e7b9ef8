//! Shadow mode on a scored file: the batch workers score with the version shown only,
//! so the challenger is compared on the even sample of rows the monitor records, both
//! versions scoring it again in the inference worker. A few thousand rows say as much
//! about agreement as a million, at a fraction of the time.

use leptos::prelude::*;
use modelport_core::card::FeatureValue;
use modelport_core::compare::Shadow;
use modelport_core::{ModelCard, Prediction, Signature};

use crate::components::predictor::Challenger;
use crate::components::shadow_view::ShadowView;
use crate::inference::{Inference, Loaded};

/// Rows sent to the worker at a time.
const CHUNK: usize = 1_000;

#[component]
pub fn BatchShadow(
    card: ModelCard,
    model_key: String,
    loaded: LocalResource<Result<Loaded, String>>,
    challenger: Challenger,
    /// The file's sampled rows.
    rows: Vec<Vec<FeatureValue>>,
) -> impl IntoView {
    let inference = expect_context::<Inference>();
    let tally = RwSignal::new(Shadow::default());
    let failed = RwSignal::new(None::<String>);
    let challenger_loaded = challenger.load(inference);
    let tolerance = modelport_core::compare::tolerance(&card);
    let features: Vec<String> = card.features.iter().map(|f| f.name.clone()).collect();
    let count = rows.len();
    let key = challenger.key.clone();
    leptos::task::spawn_local(async move {
        let run = async {
            let ours = loaded.await?;
            let theirs = challenger_loaded.await?;
            for chunk in rows.chunks(CHUNK) {
                let a = predict(inference, &card, model_key.clone(), &ours.signature, chunk).await?;
                let z = predict(inference, &card, key.clone(), &theirs.signature, chunk).await?;
                tally.update(|t| {
                    for ((row, a), z) in chunk.iter().zip(&a).zip(&z) {
                        t.add(row, a, z, tolerance);
                    }
                });
            }
            Ok::<_, String>(())
        };
        if let Err(e) = run.await {
            failed.set(Some(e));
        }
    });
    view! {
        <p class="hint">{format!("Shadow mode compares the two versions on an even sample of {count} of the file's rows.")}</p>
        {move || failed.get().map(|e| view! { <p class="error" role="alert">{format!("The challenger could not score the sample: {e}")}</p> })}
        <ShadowView version=challenger.version.version.clone() tally features />
    }
}

async fn predict(
    inference: Inference,
    card: &ModelCard,
    key: String,
    signature: &Signature,
    rows: &[Vec<FeatureValue>],
) -> Result<Vec<Prediction>, String> {
    let inputs = card.assemble(signature, rows).map_err(|e| e.to_string())?;
    let ran = inference.run(key, inputs).await?;
    card.interpret(&ran.outputs).map_err(|e| e.to_string())
}
