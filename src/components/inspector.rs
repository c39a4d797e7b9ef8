//! What a model file is, at a glance: who wrote it, its opsets, inputs and outputs, the
//! operators it uses, its size and hash, and whatever Modelport cannot run.

use leptos::prelude::*;
use modelport_core::{Inspection, TensorSpec};

use crate::components::format_number;

#[component]
pub fn InspectorView(
    /// The file's name.
    name: String,
    inspection: Inspection,
) -> impl IntoView {
    let opsets = inspection.opsets.iter().map(|o| format!("{} {}", o.domain, o.version)).collect::<Vec<_>>().join(", ");
    let most = inspection.operators.first().map_or(1, |o| o.count);
    let operators = inspection
        .operators
        .iter()
        .map(|o| {
            view! {
                <tr>
                    <th scope="row">{o.op_type.clone()}</th>
                    <td>{o.domain.clone()}</td>
                    <td class="count">{o.count}</td>
                    <td class="bar" aria-hidden="true">
                        <span style=format!("width: {:.1}%", 100.0 * o.count as f64 / most as f64)></span>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let signature = inspection.signature.clone().map(|s| {
        view! {
            <h3>"Inputs"</h3>
            <SpecTable specs=s.inputs />
            <h3>"Outputs"</h3>
            <SpecTable specs=s.outputs />
        }
    });

    view! {
        <section class="inspector" aria-labelledby="inspector-heading">
            <h2 id="inspector-heading">"Inspector: " <span class="file-name">{name}</span></h2>
            <dl class="facts">
                <dt>"Producer"</dt>
                <dd>{if inspection.producer.is_empty() { "not recorded".to_owned() } else { inspection.producer.clone() }}</dd>
                <dt>"Opsets"</dt>
                <dd>{opsets}</dd>
                <dt>"IR version"</dt>
                <dd>{inspection.ir_version}</dd>
                <dt>"Parameters"</dt>
                <dd>{thousands(inspection.parameters)}</dd>
                <dt>"File size"</dt>
                <dd>{file_size(inspection.size)}</dd>
                <dt>"SHA-256"</dt>
                <dd class="hash">{inspection.sha256.clone()}</dd>
            </dl>
            {inspection.problem.clone().map(|p| view! { <p class="error" role="alert">{p}</p> })}
            {signature}
            <h3>"Operators"</h3>
            <div class="table-scroll">
                <table class="operators">
                    <thead><tr><th scope="col">"Operator"</th><th scope="col">"Domain"</th><th scope="col">"Nodes"</th><th></th></tr></thead>
                    <tbody>{operators}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn SpecTable(specs: Vec<TensorSpec>) -> impl IntoView {
    let rows = specs
        .into_iter()
        .map(|s| {
            let shape = s.shape.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            let labels = s.labels.as_ref().map(|l| format!("columns: {}", l.join(", ")));
            view! {
                <tr>
                    <th scope="row">{s.name.clone()}</th>
                    <td>{s.element_type.to_string()}</td>
                    <td>{format!("[{shape}]")}</td>
                    <td>{labels}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="signature">
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Type"</th><th scope="col">"Shape"</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// `1234567` as `1 234 567`: thin spaces read in every locale.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

fn file_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["bytes", "KiB", "MiB", "GiB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1024.0 && unit + 1 < UNITS.len() {
        size /= 1024.0;
        unit += 1;
    }
    match unit {
        0 => format!("{bytes} bytes"),
        _ => format!("{} {} ({} bytes)", format_number(size, 3), UNITS[unit], thousands(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(thousands(1_234_567), "1\u{202f}234\u{202f}567");
        assert_eq!(thousands(999), "999");
        assert_eq!(file_size(512), "512 bytes");
        assert_eq!(file_size(1536), "1.5 KiB (1\u{202f}536 bytes)");
    }
}
