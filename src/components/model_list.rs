//! The list of models the site serves, each a link to its page.

use leptos::prelude::*;
use modelport_core::Channel;
use modelport_core::card::Task;
use modelport_core::link::{Route, Tool};
use modelport_core::registry::RegisteredModel;

use crate::catalog;

/// The models as a navigation list.
#[component]
pub fn ModelList(
    /// The registry's models, in registry order.
    models: Vec<RegisteredModel>,
    /// The environment the site was built for: each model shows its channel's version.
    environment: Channel,
    /// The model shown now, if any.
    selected: Memo<Option<String>>,
) -> impl IntoView {
    let items = models
        .into_iter()
        .map(|model| {
            let name = model.name.clone();
            let current = move || selected.with(|s| s.as_deref() == Some(name.as_str()));
            let version = catalog::served_version(&model, environment).map(|v| v.version.clone()).unwrap_or_default();
            let draft = model.is_draft(&version).then(|| view! { <span class="badge draft">"draft"</span> });
            let href = Route::Model { name: model.name.clone(), selector: None, tool: Tool::Predict }.to_fragment();
            view! {
                <li>
                    <a href=href class:current=current.clone() aria-current=move || current().then_some("page")>
                        <span class="model-title">{model.title}</span>
                        <span class="model-meta">
                            {format!("{} · v{version} · {}", model.name, task_name(model.task))} " " {draft}
                        </span>
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

fn task_name(task: Task) -> &'static str {
    match task {
        Task::Classification => "classifier",
        Task::Regression => "regressor",
    }
}
