//! Version comparison against scikit-learn, scipy and statsmodels' definitions
//! (`training/compare_reference.py` wrote the expected values into
//! `tests/fixtures/compare.json`), and the paired bootstrap, which has no reference
//! implementation, by its properties.

use modelport_core::compare::{
    ClassifierComparison, ClassifierMetrics, CompareError, Interval, McNemar, RegressionMetric, RegressorComparison,
    RegressorMetrics, binomial_p_value, chi_squared_sf, erfc, paired_bootstrap,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    classification: Vec<Classification>,
    regression: Vec<Regression>,
    mcnemar: Vec<McNemarCase>,
    erfc: Vec<ErfcCase>,
    chi_squared_sf: Vec<SfCase>,
}

#[derive(Deserialize)]
struct Classification {
    name: String,
    classes: usize,
    truth: Vec<usize>,
    champion: Classifier,
    challenger: Classifier,
    agreement: f64,
    largest_disagreements: Vec<usize>,
    mcnemar: McNemarCase,
}

#[derive(Deserialize)]
struct Classifier {
    probabilities: Vec<Vec<f64>>,
    accuracy: f64,
    macro_f1: f64,
    log_loss: f64,
    roc_auc: Option<f64>,
    confusion: Vec<Vec<u64>>,
}

#[derive(Deserialize)]
struct Regression {
    name: String,
    truth: Vec<f64>,
    champion: Regressor,
    challenger: Regressor,
    tolerance: f64,
    agreement: f64,
    largest_disagreements: Vec<usize>,
}

#[derive(Deserialize)]
struct Regressor {
    predictions: Vec<f64>,
    rmse: f64,
    mae: f64,
    r2: f64,
}

#[derive(Deserialize)]
struct McNemarCase {
    b: u64,
    c: u64,
    statistic: f64,
    chi_squared_p_value: f64,
    exact_p_value: f64,
    p_value: f64,
    exact: bool,
}

#[derive(Deserialize)]
struct ErfcCase {
    x: f64,
    erfc: f64,
}

#[derive(Deserialize)]
struct SfCase {
    x: f64,
    sf: f64,
}

fn reference() -> Reference {
    serde_json::from_str(include_str!("fixtures/compare.json")).unwrap()
}

/// Metrics are sums over a few hundred rows, in another order than numpy's: they agree
/// to a few ulps, so this leaves room for other platforms' rounding, not for mistakes.
const METRICS: f64 = 1e-12;
/// Special functions: relative to the value, however small.
const SPECIAL: f64 = 1e-13;

fn close(a: f64, b: f64, relative: f64) -> bool {
    a == b || (a - b).abs() <= relative * b.abs()
}

fn check_classifier(name: &str, version: &str, got: &ClassifierMetrics, want: &Classifier) {
    for (metric, got, want) in [
        ("accuracy", got.accuracy, want.accuracy),
        ("macro F1", got.macro_f1, want.macro_f1),
        ("log loss", got.log_loss, want.log_loss),
    ] {
        assert!(close(got, want, METRICS), "{name}, {version}: {metric} {got}, scikit-learn {want}");
    }
    match (got.roc_auc, want.roc_auc) {
        (Some(g), Some(w)) => assert!(close(g, w, METRICS), "{name}, {version}: ROC AUC {g}, scikit-learn {w}"),
        (g, w) => assert_eq!(g, w, "{name}, {version}: ROC AUC"),
    }
    assert_eq!(got.confusion, want.confusion, "{name}, {version}: confusion matrix");
}

fn check_mcnemar(context: &str, got: &McNemar, want: &McNemarCase) {
    assert_eq!((got.b, got.c, got.exact), (want.b, want.c, want.exact), "{context}");
    assert!(
        close(got.statistic, want.statistic, METRICS),
        "{context}: statistic {}, {}",
        got.statistic,
        want.statistic
    );
    assert!(close(got.p_value, want.p_value, SPECIAL), "{context}: p-value {}, scipy {}", got.p_value, want.p_value);
}

#[test]
fn classifier_metrics_match_scikit_learn() {
    for case in reference().classification {
        for (version, want) in [("champion", &case.champion), ("challenger", &case.challenger)] {
            let got = ClassifierMetrics::new(&case.truth, &want.probabilities, case.classes).unwrap();
            check_classifier(&case.name, version, &got, want);
        }
    }
}

#[test]
fn classifier_comparisons_match_the_reference() {
    for case in reference().classification {
        let got = ClassifierComparison::new(
            &case.truth,
            &case.champion.probabilities,
            &case.challenger.probabilities,
            case.classes,
        )
        .unwrap();
        check_classifier(&case.name, "champion", &got.champion, &case.champion);
        check_classifier(&case.name, "challenger", &got.challenger, &case.challenger);
        assert!(close(got.agreement, case.agreement, METRICS), "{}: agreement {}", case.name, got.agreement);
        assert_eq!(got.largest_disagreements, case.largest_disagreements, "{}", case.name);
        check_mcnemar(&case.name, &got.mcnemar, &case.mcnemar);
    }
}

#[test]
fn regressor_comparisons_match_scikit_learn() {
    for case in reference().regression {
        let got = RegressorComparison::new(
            &case.truth,
            &case.champion.predictions,
            &case.challenger.predictions,
            case.tolerance,
        )
        .unwrap();
        for (version, got, want) in
            [("champion", &got.champion, &case.champion), ("challenger", &got.challenger, &case.challenger)]
        {
            for (metric, g, w) in [("RMSE", got.rmse, want.rmse), ("MAE", got.mae, want.mae), ("R²", got.r2, want.r2)]
            {
                assert!(close(g, w, METRICS), "{}, {version}: {metric} {g}, scikit-learn {w}", case.name);
            }
            let alone = RegressorMetrics::new(&case.truth, &want.predictions).unwrap();
            assert_eq!(&alone, got, "{}, {version}: metrics alone and in the comparison", case.name);
        }
        assert!(close(got.agreement, case.agreement, METRICS), "{}: agreement {}", case.name, got.agreement);
        assert_eq!(got.largest_disagreements, case.largest_disagreements, "{}", case.name);
    }
}

#[test]
fn mcnemar_matches_statsmodels_and_scipy() {
    for case in reference().mcnemar {
        let context = format!("b = {}, c = {}", case.b, case.c);
        check_mcnemar(&context, &McNemar::new(case.b, case.c), &case);
        let chi = chi_squared_sf(case.statistic);
        assert!(close(chi, case.chi_squared_p_value, SPECIAL), "{context}: chi-squared p {chi}");
        let exact = binomial_p_value(case.b, case.c);
        assert!(
            close(exact, case.exact_p_value, SPECIAL),
            "{context}: binomial p {exact}, scipy {}",
            case.exact_p_value
        );
    }
}

#[test]
fn mcnemar_counts_the_rows_only_one_version_gets_right() {
    let champion = [true, true, true, false, false, true];
    let challenger = [true, false, false, true, false, false];
    let test = McNemar::from_correct(&champion, &challenger).unwrap();
    assert_eq!((test.b, test.c), (3, 1));
    assert_eq!(
        McNemar::from_correct(&champion, &challenger[1..]),
        Err(CompareError::Length {
            what: "the challenger's results",
            got: 5,
            reference: "the champion's",
            expected: 6
        })
    );
}

#[test]
fn erfc_matches_scipy_into_the_far_tail() {
    for case in reference().erfc {
        let got = erfc(case.x);
        assert!(close(got, case.erfc, SPECIAL), "erfc({}) = {got}, scipy {}", case.x, case.erfc);
    }
}

#[test]
fn the_chi_squared_survival_function_matches_scipy() {
    for case in reference().chi_squared_sf {
        let got = chi_squared_sf(case.x);
        assert!(close(got, case.sf, SPECIAL), "sf({}) = {got}, scipy {}", case.x, case.sf);
    }
}

fn bootstrap(case: &Regression, challenger: &[f64], metric: RegressionMetric, seed: u64) -> Interval {
    paired_bootstrap(&case.truth, &case.champion.predictions, challenger, metric, 2000, seed).unwrap()
}

#[test]
fn a_bootstrap_interval_holds_the_observed_difference() {
    let reference = reference();
    let case = &reference.regression[0];
    for (metric, observed) in [
        (RegressionMetric::Rmse, case.challenger.rmse - case.champion.rmse),
        (RegressionMetric::Mae, case.challenger.mae - case.champion.mae),
    ] {
        let interval = bootstrap(case, &case.challenger.predictions, metric, 7);
        assert!(interval.low < observed && observed < interval.high, "{metric:?}: {interval:?}, observed {observed}");
        // The challenger has more noise and a bias: clearly worse on 300 rows.
        assert!(interval.low > 0.0, "{metric:?}: {interval:?}");
        assert_eq!(bootstrap(case, &case.challenger.predictions, metric, 7), interval, "{metric:?}: same seed");
    }
}

#[test]
fn identical_predictions_differ_by_nothing() {
    let reference = reference();
    let case = &reference.regression[0];
    for metric in [RegressionMetric::Rmse, RegressionMetric::Mae] {
        let interval = bootstrap(case, &case.champion.predictions, metric, 1);
        assert_eq!(interval, Interval { low: 0.0, high: 0.0 }, "{metric:?}");
    }
}

#[test]
fn swapping_the_versions_negates_the_interval() {
    let reference = reference();
    let case = &reference.regression[0];
    let forward = bootstrap(case, &case.challenger.predictions, RegressionMetric::Rmse, 3);
    let backward = paired_bootstrap(
        &case.truth,
        &case.challenger.predictions,
        &case.champion.predictions,
        RegressionMetric::Rmse,
        2000,
        3,
    )
    .unwrap();
    assert!(
        close(backward.low, -forward.high, 1e-12) && close(backward.high, -forward.low, 1e-12),
        "{forward:?} {backward:?}"
    );
}

#[test]
fn bad_inputs_say_what_and_where() {
    let reference = reference();
    let case = &reference.classification[2];
    let (truth, classes) = (&case.truth, case.classes);
    let mut narrow = case.challenger.probabilities.clone();
    narrow[17].pop();
    assert_eq!(
        ClassifierComparison::new(truth, &case.champion.probabilities, &narrow, classes),
        Err(CompareError::Width {
            what: "the challenger's probabilities",
            row: 17,
            got: classes - 1,
            expected: classes
        })
    );
    assert_eq!(
        ClassifierComparison::new(truth, &case.champion.probabilities[1..], &narrow, classes),
        Err(CompareError::Length {
            what: "the champion's probabilities",
            got: truth.len() - 1,
            reference: "the truth",
            expected: truth.len()
        })
    );
    let mut unknown = truth.clone();
    unknown[4] = classes;
    assert_eq!(
        ClassifierMetrics::new(&unknown, &case.champion.probabilities, classes),
        Err(CompareError::Class { row: 4, class: classes, classes })
    );
    assert_eq!(ClassifierMetrics::new(&[], &[], classes), Err(CompareError::Empty));
    let message = CompareError::Width { what: "the challenger's probabilities", row: 17, got: 3, expected: 4 };
    assert_eq!(
        message.to_string(),
        "row 17 of the challenger's probabilities has 3 probabilities where the model has 4 classes"
    );

    let regression = &reference.regression[0];
    assert_eq!(
        RegressorComparison::new(&regression.truth, &regression.champion.predictions, &regression.truth[2..], 0.5),
        Err(CompareError::Length {
            what: "the challenger's predictions",
            got: regression.truth.len() - 2,
            reference: "the truth",
            expected: regression.truth.len()
        })
    );
    assert_eq!(
        paired_bootstrap(&regression.truth, &regression.truth, &regression.truth, RegressionMetric::Mae, 0, 1),
        Err(CompareError::NoResamples)
    );
}
