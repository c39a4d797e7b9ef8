//! Drift statistics against numpy and scipy (`training/drift_reference.py` wrote the
//! expected values into `tests/fixtures/drift.json`).

use modelport_core::card::Stats;
use modelport_core::drift::{Level, chi_squared, jensen_shannon, ks_statistic, psi};
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    numeric: Vec<Numeric>,
    categorical: Vec<Categorical>,
}

#[derive(Deserialize)]
struct Numeric {
    name: String,
    training: Stats,
    values: Vec<f64>,
    psi: f64,
    ks: f64,
}

#[derive(Deserialize)]
struct Categorical {
    name: String,
    training: Vec<f64>,
    observed: Vec<u64>,
    chi_squared: f64,
    jensen_shannon: f64,
}

fn reference() -> Reference {
    let text = include_str!("../../../tests/fixtures/drift.json");
    serde_json::from_str(text).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn numeric_drift_matches_numpy_and_scipy() {
    for case in reference().numeric {
        let psi = psi(&case.training, &case.values);
        assert!(close(psi, case.psi), "{}: PSI {psi}, numpy {}", case.name, case.psi);
        let ks = ks_statistic(&case.training, &case.values);
        assert!(close(ks, case.ks), "{}: KS {ks}, scipy {}", case.name, case.ks);
    }
}

#[test]
fn the_same_population_is_stable_and_a_shifted_one_alerts() {
    let levels: Vec<(String, Level)> =
        reference().numeric.iter().map(|c| (c.name.clone(), Level::of_psi(psi(&c.training, &c.values)))).collect();
    // Coarsely recorded values tie the training deciles; weighting each bin by its
    // real training share keeps the same population stable all the same.
    assert_eq!(levels[0], ("same".into(), Level::Stable));
    assert_eq!(levels[1], ("same, recorded to one decimal".into(), Level::Stable));
    assert!(levels[2..].iter().all(|(_, level)| *level == Level::Alert), "{levels:?}");
}

#[test]
fn categorical_drift_matches_scipy() {
    for case in reference().categorical {
        let chi = chi_squared(&case.observed, &case.training);
        assert!(close(chi, case.chi_squared), "{}: chi-squared {chi}, scipy {}", case.name, case.chi_squared);
        let observed: Vec<f64> = case.observed.iter().map(|&o| o as f64).collect();
        let js = jensen_shannon(&observed, &case.training);
        assert!(close(js, case.jensen_shannon), "{}: JS {js}, scipy {}", case.name, case.jensen_shannon);
    }
}
