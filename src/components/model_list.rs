//! The list of models the site serves, each a link to its page.

use leptos::prelude::*;
use modelport_core::registry::RegisteredModel;

use crate::catalog;

/// The models as a navigation list.
#[component]
pub fn ModelList(
    /// The registry's models, in registry order.
    models: Vec<RegisteredModel>,
    /// The model shown now, if any.
    selected: ReadSignal<Option<String>>,
) -> impl IntoView {
    let items = models
        .into_iter()
        .map(|model| {
            let name = model.name.clone();
            let current = move || selected.with(|s| s.as_deref() == Some(name.as_str()));
            let version = catalog::served_version(&model).map(|v| v.version.clone()).unwrap_or_default();
            view! {
                <li>
                    <a
                        href=format!("#/{}", model.name)
                        class:current=current.clone()
                        aria-current=move || current().then_some("page")
                    >
                        <span class="model-title">{model.title}</span>
                        <span class="model-meta">{format!("{} · v{version} · {}", model.name, task_name(model.task))}</span>
                        <span class="model-description">{model.description}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="models" aria-label="Models">
            <h2>"Models"</h2>
            <ul>{items}</ul>
        </nav>
    }
}

fn task_name(task: modelport_core::card::Task) -> &'static str {
    match task {
        modelport_core::card::Task::Classification => "classifier",
        modelport_core::card::Task::Regression => "regressor",
    }
}
