//! Two versions on one CSV file: metrics side by side, each version's confusion matrix,
//! the paired test, the rows where they disagree most, and the rows that could not be
//! read.

use leptos::prelude::*;
use modelport_core::card::FeatureValue;
use modelport_core::compare::labelled::{Labelled, Outcome, Truth};
use modelport_core::compare::{ClassifierMetrics, McNemar};
use modelport_core::{ModelCard, Prediction};

use crate::components::format_number;
use crate::components::shadow_view::describe;

#[component]
pub fn CompareResult(
    card: ModelCard,
    file: Labelled,
    outcome: Outcome,
    /// Each version's name and its prediction for every row.
    champion: (String, Vec<Prediction>),
    challenger: (String, Vec<Prediction>),
) -> impl IntoView {
    let ((champion, shown), (challenger, other)) = (champion, challenger);
    // A labelled row the two disagree on: its features, its truth and both predictions.
    let labelled_row = |i: usize, truth: String| {
        view! {
            <tr>
                <td>{values(&file.rows[i])}</td>
                <td>{truth}</td>
                <td>{shown.get(i).map(describe)}</td>
                <td>{other.get(i).map(describe)}</td>
            </tr>
        }
    };
    let rows = file.rows.len();
    let problems = file.problems.clone();
    let classes = card.classes().to_vec();
    let heading = format!("{rows} rows scored by {champion} (shown) and {challenger} (challenger)");
    let body = match outcome {
        Outcome::Unlabelled(shadow) => {
            let rate = shadow.agreement().unwrap_or(1.0);
            let disagreements = shadow
                .largest
                .iter()
                .map(|d| {
                    view! {
                        <tr>
                            <td>{values(&d.features)}</td>
                            <td>{describe(&d.champion)}</td>
                            <td>{describe(&d.challenger)}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <p id="compare-agreement">
                    {format!(
                        "No “{}” column, so no metrics: the two agree on {} of {} rows ({}%).",
                        card.target.name,
                        shadow.agreed,
                        shadow.compared,
                        format_number(rate * 100.0, 3)
                    )}
                </p>
                <DisagreementTable head=vec!["Features", "Shown", "Challenger"] body=disagreements.into_any() />
            }
            .into_any()
        }
        Outcome::Classifier(c) => {
            let metric_rows = [
                ("Accuracy", c.champion.accuracy, c.challenger.accuracy),
                ("Macro F1", c.champion.macro_f1, c.challenger.macro_f1),
                ("Log loss", c.champion.log_loss, c.challenger.log_loss),
            ]
            .into_iter()
            .chain(c.champion.roc_auc.zip(c.challenger.roc_auc).map(|(a, z)| ("ROC AUC", a, z)))
            .map(|(name, a, z)| view! { <tr><th scope="row">{name}</th><td>{format_number(a, 4)}</td><td>{format_number(z, 4)}</td></tr> })
            .collect_view();
            let disagreements = c
                .largest_disagreements
                .iter()
                .map(|&i| {
                    let truth = match file.truth.get(i) {
                        Some(Truth::Class(k)) => classes.get(*k).cloned().unwrap_or_default(),
                        _ => String::new(),
                    };
                    labelled_row(i, truth)
                })
                .collect_view();
            view! {
                <table class="compare-metrics" id="compare-metrics">
                    <thead><tr><th scope="col">"Metric"</th><th scope="col">{champion.clone()}</th><th scope="col">{challenger.clone()}</th></tr></thead>
                    <tbody>{metric_rows}</tbody>
                </table>
                <p id="compare-agreement">{format!("They give the same label to {}% of the rows.", format_number(c.agreement * 100.0, 3))}</p>
                <p id="compare-test">{mcnemar(&c.mcnemar)}</p>
                <div class="compare-confusions">
                    <Confusion title=format!("{champion}: true class by row, predicted by column") metrics=c.champion classes=classes.clone() />
                    <Confusion title=format!("{challenger}: true class by row, predicted by column") metrics=c.challenger classes=classes.clone() />
                </div>
                <DisagreementTable head=vec!["Features", "True class", "Shown", "Challenger"] body=disagreements.into_any() />
            }
            .into_any()
        }
        Outcome::Regressor { comparison: c, rmse, mae } => {
            let disagreements = c
                .largest_disagreements
                .iter()
                .map(|&i| {
                    let truth = match file.truth.get(i) {
                        Some(Truth::Value(v)) => format_number(*v, 4),
                        _ => String::new(),
                    };
                    labelled_row(i, truth)
                })
                .collect_view();
            let metric_rows = [
                ("RMSE", c.champion.rmse, c.challenger.rmse),
                ("MAE", c.champion.mae, c.challenger.mae),
                ("R²", c.champion.r2, c.challenger.r2),
            ]
            .map(|(name, a, z)| view! { <tr><th scope="row">{name}</th><td>{format_number(a, 4)}</td><td>{format_number(z, 4)}</td></tr> })
            .into_iter()
            .collect_view();
            let interval = |name: &str, i: modelport_core::compare::Interval| {
                let verdict = if i.low > 0.0 {
                    "the challenger errs more"
                } else if i.high < 0.0 {
                    "the challenger errs less"
                } else {
                    "no difference beyond chance"
                };
                format!(
                    "{name} of the challenger minus the shown version: {} to {} (95% paired bootstrap): {verdict}.",
                    format_number(i.low, 3),
                    format_number(i.high, 3)
                )
            };
            view! {
                <table class="compare-metrics" id="compare-metrics">
                    <thead><tr><th scope="col">"Metric"</th><th scope="col">{champion.clone()}</th><th scope="col">{challenger.clone()}</th></tr></thead>
                    <tbody>{metric_rows}</tbody>
                </table>
                <p id="compare-agreement">{format!("{}% of the predictions are within {} of each other.", format_number(c.agreement * 100.0, 3), format_number(c.tolerance, 3))}</p>
                <p id="compare-test">{interval("RMSE", rmse)}</p>
                <p>{interval("MAE", mae)}</p>
                <DisagreementTable head=vec!["Features", "True value", "Shown", "Challenger"] body=disagreements.into_any() />
            }
            .into_any()
        }
    };
    view! {
        <section class="compare-result" aria-labelledby="compare-result-heading">
            <h4 id="compare-result-heading">{heading}</h4>
            {body}
            {(!problems.is_empty()).then(|| view! {
                <p class="warning">{match problems.len() {
                    1 => "1 row could not be read, and is not compared:".to_owned(),
                    n => format!("{n} rows could not be read, and are not compared:"),
                }}</p>
                <ul class="batch-errors" id="compare-problems">
                    {problems.iter().take(10).map(|p| view! { <li>{p.clone()}</li> }).collect_view()}
                </ul>
            })}
        </section>
    }
}

fn mcnemar(test: &McNemar) -> String {
    let method = if test.exact { "exact binomial" } else { "chi-squared, continuity-corrected" };
    let verdict = if test.p_value < 0.05 { "a real difference" } else { "no difference beyond chance" };
    format!(
        "McNemar's test: the shown version alone is right on {} rows, the challenger alone on {}; p = {} ({method}): {verdict} at 5%.",
        test.b,
        test.c,
        format_number(test.p_value, 3)
    )
}

#[component]
fn Confusion(title: String, metrics: ClassifierMetrics, classes: Vec<String>) -> impl IntoView {
    let header = classes.iter().map(|c| view! { <th scope="col">{c.clone()}</th> }).collect_view();
    let rows = metrics
        .confusion
        .iter()
        .zip(&classes)
        .map(|(row, class)| {
            let cells = row.iter().map(|n| view! { <td>{n.to_string()}</td> }).collect_view();
            view! { <tr><th scope="row">{class.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <table class="confusion">
            <caption>{title}</caption>
            <thead><tr><td></td>{header}</tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
fn DisagreementTable(head: Vec<&'static str>, body: AnyView) -> impl IntoView {
    let head = head.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view();
    view! {
        <div class="table-scroll">
            <table class="compare-disagreements" id="compare-disagreements">
                <caption>"Largest disagreements"</caption>
                <thead><tr>{head}</tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

fn values(row: &[FeatureValue]) -> String {
    row.iter()
        .map(|v| match v {
            FeatureValue::Number(n) => format_number(*n, 4),
            FeatureValue::Text(t) => t.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
