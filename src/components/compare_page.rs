//! Compare two versions of a model: the one shown (the champion) and a challenger
//! chosen here. Shadow mode runs the challenger beside every prediction in the form;
//! a CSV file is scored by both, with metrics side by side and a paired test when it
//! has the target column, and their agreement when it has not; and, when the registry
//! runs a canary, what each arm of it has predicted on this device.

use leptos::prelude::*;
use leptos::task::spawn_local;
use modelport_core::compare::labelled::{self, Labelled, Outcome};
use modelport_core::registry::{RegisteredModel, Version};
use modelport_core::{ModelCard, Prediction};
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, HtmlInputElement};

use crate::components::canary_view::CanaryView;
use crate::components::compare_result::CompareResult;
use crate::inference::{Inference, Loaded};
use crate::recalibrated::{Recalibrated, Recalibrations};
use crate::{catalog, settings};

/// Rows sent to the worker at a time.
const CHUNK: usize = 1_000;

#[component]
pub fn ComparePage(
    model: RegisteredModel,
    /// The champion's card and version: the one the page shows.
    card: ModelCard,
    version: Version,
    loaded: LocalResource<Result<Loaded, String>>,
) -> impl IntoView {
    let others: Vec<Version> = model.versions.iter().filter(|v| v.version != version.version).cloned().collect();
    let recalibrated = Recalibrations::get().of(&model.name);
    if others.is_empty() && recalibrated.is_none() {
        return view! {
            <section class="compare">
                <p class="status">
                    {format!("{} has only version {}: register another to compare them.", model.name, version.version)}
                </p>
                <CanaryView model card />
            </section>
        }
        .into_any();
    }
    // A recalibration just handed over; else the staging or development version, if it
    // is not the one shown; else the newest.
    let registered = [modelport_core::Channel::Staging, modelport_core::Channel::Development]
        .iter()
        .filter_map(|c| model.on_channel(*c))
        .find(|v| v.version != version.version)
        .or(others.last());
    let preferred = match (&recalibrated, registered) {
        (Some(_), _) | (None, None) => RECALIBRATED.to_owned(),
        (None, Some(v)) => v.version.clone(),
    };
    let chosen = RwSignal::new(preferred);
    // Shadow mode runs registered versions only: a recalibration lasts as long as the page.
    let registered_chosen = move || chosen.with(|c| c != RECALIBRATED);
    let shadow_on = RwSignal::new(settings::shadow(&model.name).is_some());
    let name = StoredValue::new(model.name.clone());
    Effect::new(move |_| {
        let version = chosen.get();
        let shadowed = shadow_on.get() && version != RECALIBRATED;
        settings::set_shadow(&name.get_value(), shadowed.then_some(version.as_str()));
    });
    let mut options = others
        .iter()
        .map(|v| {
            let text = format!("{} ({})", v.version, catalog::standing(&model, &v.version));
            view! { <option value=v.version.clone()>{text}</option> }.into_any()
        })
        .collect::<Vec<_>>();
    if let Some(r) = &recalibrated {
        let text = format!("recalibrated in this browser ({} examples)", r.examples);
        options.push(view! { <option value=RECALIBRATED>{text}</option> }.into_any());
    }
    let recalibrated = StoredValue::new(recalibrated);
    let inference = expect_context::<Inference>();
    let state = RwSignal::new(None::<Result<Compared, String>>);
    let progress = RwSignal::new(None::<String>);
    let champion = StoredValue::new((card.clone(), version.clone()));
    let versions = StoredValue::new(others);
    let on_file = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        let chosen = chosen.get_untracked();
        let challenger = match chosen.as_str() {
            RECALIBRATED => recalibrated.get_value().map(|r| Challenger::Recalibrated(Box::new(r))),
            _ => versions.with_value(|v| v.iter().find(|v| v.version == chosen).cloned()).map(Challenger::Registered),
        };
        let Some(challenger) = challenger else { return };
        let (card, version) = champion.get_value();
        state.set(None);
        spawn_local(async move {
            let versions = Versions { model: name.get_value(), champion: version, challenger, loaded };
            let result = compare_file(inference, file, card, versions, progress).await;
            progress.set(None);
            state.set(Some(result));
        });
    };
    let shown = version.version.clone();

    view! {
        <section class="compare" aria-labelledby="compare-heading">
            <h2 id="compare-heading">"Compare versions"</h2>
            <div class="compare-controls">
                <p>{format!("Shown: version {shown}.")}</p>
                <label>
                    "Challenger "
                    <select id="compare-challenger" on:change=move |ev| chosen.set(event_target_value(&ev)) prop:value=move || chosen.get()>
                        {options}
                    </select>
                </label>
                <label class="checkbox">
                    <input id="compare-shadow" type="checkbox" prop:checked=move || shadow_on.get() && registered_chosen()
                        disabled=move || !registered_chosen()
                        on:change=move |ev| shadow_on.set(event_target_checked(&ev)) />
                    " Shadow mode: run the challenger beside every prediction in the form and on a stream"
                </label>
            </div>
            <h3>"On a CSV file"</h3>
            <p>
                {format!(
                    "Both versions score every row. With a “{}” column, each is measured against it; without, you see where they disagree.",
                    card.target.name,
                )}
            </p>
            <label class="button secondary">
                "Choose a CSV file"
                <input id="compare-file" type="file" accept=".csv,text/csv" class="visually-hidden" on:change=on_file />
            </label>
            {move || progress.get().map(|p| view! { <p class="status" role="status">{p}</p> })}
            {move || match state.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok(compared)) => view! {
                    <CompareResult
                        card=compared.card
                        file=compared.file
                        outcome=compared.outcome
                        champion=(compared.champion, compared.predictions.0)
                        challenger=(compared.challenger, compared.predictions.1)
                    />
                }
                .into_any(),
            }}
            <CanaryView model card />
        </section>
    }
    .into_any()
}

/// A file scored by both versions.
#[derive(Clone, Debug, PartialEq)]
struct Compared {
    card: ModelCard,
    file: Labelled,
    outcome: Outcome,
    champion: String,
    challenger: String,
    predictions: (Vec<Prediction>, Vec<Prediction>),
}

/// The two versions a file is scored by: the one shown, compiled as `loaded`, and the
/// challenger.
struct Versions {
    model: String,
    champion: Version,
    challenger: Challenger,
    loaded: LocalResource<Result<Loaded, String>>,
}

/// What the file's rows are compared against.
#[derive(Clone)]
enum Challenger {
    Registered(Version),
    Recalibrated(Box<Recalibrated>),
}

/// The challenger option that stands for this browser's recalibration.
const RECALIBRATED: &str = "recalibrated";

async fn compare_file(
    inference: Inference,
    file: File,
    card: ModelCard,
    versions: Versions,
    progress: RwSignal<Option<String>>,
) -> Result<Compared, String> {
    let Versions { model, champion, challenger, loaded } = versions;
    let name = file.name();
    progress.set(Some(format!("Reading “{name}”…")));
    let text = JsFuture::from(file.text()).await.map_err(|e| format!("could not read “{name}”: {e:?}"))?;
    let text = text.as_string().unwrap_or_default();
    let read = labelled::read(&card, text.as_bytes()).map_err(|e| format!("“{name}”: {e}"))?;
    if read.rows.is_empty() {
        return Err(format!(
            "“{name}” has no row both versions can score ({} could not be read).",
            read.problems.len()
        ));
    }
    let champion_model = loaded.await?;
    let (challenger_key, challenger_signature, challenger_card, challenger) = match challenger {
        Challenger::Registered(version) => {
            let key = catalog::model_key(&model, &version);
            let loaded = inference.load(key.clone(), catalog::model_url(&version), version.sha256.clone()).await?;
            (key, loaded.signature, catalog::card(&version).await?, version.version)
        }
        Challenger::Recalibrated(r) => (r.key, r.signature, r.card, "recalibrated".to_owned()),
    };
    let mut predictions = (vec![], vec![]);
    for (i, rows) in read.rows.chunks(CHUNK).enumerate() {
        progress.set(Some(format!(
            "Scoring rows {} to {} of {}…",
            i * CHUNK + 1,
            i * CHUNK + rows.len(),
            read.rows.len()
        )));
        let key = catalog::model_key(&model, &champion);
        let inputs = card.assemble(&champion_model.signature, rows).map_err(|e| e.to_string())?;
        let ran = inference.run(key, inputs).await?;
        predictions.0.extend(card.interpret(&ran.outputs).map_err(|e| e.to_string())?);
        let inputs = challenger_card.assemble(&challenger_signature, rows).map_err(|e| e.to_string())?;
        let ran = inference.run(challenger_key.clone(), inputs).await?;
        predictions.1.extend(challenger_card.interpret(&ran.outputs).map_err(|e| e.to_string())?);
    }
    let tolerance = modelport_core::compare::tolerance(&card);
    let outcome =
        labelled::compare(&card, &read, &predictions.0, &predictions.1, tolerance).map_err(|e| e.to_string())?;
    Ok(Compared { card, file: read, outcome, champion: champion.version, challenger, predictions })
}
