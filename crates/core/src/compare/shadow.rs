//! Shadow mode: every prediction the champion makes is made by the challenger too, on
//! the same input, and the two are tallied as they come, without labels: how often
//! they agree, and the inputs on which they differ most.

use serde::{Deserialize, Serialize};

use super::LARGEST;
use crate::card::{FeatureValue, ModelCard, Prediction};

/// How far apart two regressors' values may be and still agree: a hundredth of the
/// training target's standard deviation, a difference nobody would act on. Without
/// training statistics, only equal values agree.
pub fn tolerance(card: &ModelCard) -> f64 {
    card.target.training.as_ref().map_or(1e-9, |t| t.std / 100.0)
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Shadow {
    pub compared: u64,
    pub agreed: u64,
    /// Up to [`LARGEST`] disagreements, the largest gap first; an input is listed once.
    pub largest: Vec<Disagreement>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Disagreement {
    pub features: Vec<FeatureValue>,
    pub champion: Prediction,
    pub challenger: Prediction,
    /// For classifiers the largest gap between the two's probabilities for a class; for
    /// regressors the gap between the values.
    pub gap: f64,
}

impl Shadow {
    /// Tallies one input's two predictions. Classifiers agree when they give the same
    /// label; regressors when their values are within `tolerance`.
    pub fn add(&mut self, features: &[FeatureValue], champion: &Prediction, challenger: &Prediction, tolerance: f64) {
        self.compared += 1;
        let Some(gap) = disagreement(champion, challenger, tolerance) else {
            self.agreed += 1;
            return;
        };
        self.largest.retain(|d| d.features != features);
        let at = self.largest.partition_point(|d| d.gap >= gap);
        if at < LARGEST {
            let disagreement = Disagreement {
                features: features.to_vec(),
                champion: champion.clone(),
                challenger: challenger.clone(),
                gap,
            };
            self.largest.insert(at, disagreement);
            self.largest.truncate(LARGEST);
        }
    }

    /// The share of inputs on which the two agreed, once there is one.
    pub fn agreement(&self) -> Option<f64> {
        (self.compared > 0).then(|| self.agreed as f64 / self.compared as f64)
    }
}

/// How far apart two predictions are, or `None` when they agree.
fn disagreement(champion: &Prediction, challenger: &Prediction, tolerance: f64) -> Option<f64> {
    match (champion, challenger) {
        (Prediction::Class { label: a, probabilities: p }, Prediction::Class { label: b, probabilities: q }) => {
            let gap = p
                .iter()
                .map(|p| {
                    let q = q.iter().find(|q| q.class == p.class).map_or(0.0, |q| q.probability);
                    (p.probability - q).abs()
                })
                .fold(0.0, f64::max);
            (a != b).then_some(gap)
        }
        (Prediction::Value { value: a, .. }, Prediction::Value { value: b, .. }) => {
            let gap = (a - b).abs();
            (gap > tolerance || gap.is_nan()).then_some(gap)
        }
        // A classifier beside a regressor never agrees.
        _ => Some(f64::INFINITY),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::ClassProbability;

    fn class(label: &str, shares: [f64; 2]) -> Prediction {
        let probabilities = ["a", "b"]
            .iter()
            .zip(shares)
            .map(|(c, p)| ClassProbability { class: (*c).into(), probability: p })
            .collect();
        Prediction::Class { label: label.into(), probabilities }
    }

    fn value(v: f64) -> Prediction {
        Prediction::Value { value: v, unit: None }
    }

    #[test]
    fn agreement_counts_inputs_with_the_same_label() {
        let mut shadow = Shadow::default();
        assert_eq!(shadow.agreement(), None);
        shadow.add(&[1.0.into()], &class("a", [0.9, 0.1]), &class("a", [0.6, 0.4]), 0.0);
        shadow.add(&[2.0.into()], &class("a", [0.7, 0.3]), &class("b", [0.2, 0.8]), 0.0);
        shadow.add(&[3.0.into()], &class("b", [0.4, 0.6]), &class("b", [0.1, 0.9]), 0.0);
        shadow.add(&[4.0.into()], &class("a", [0.55, 0.45]), &class("b", [0.45, 0.55]), 0.0);
        assert_eq!(shadow.agreement(), Some(0.5));
        // Gaps 0.5 and 0.1: the larger first.
        let listed: Vec<_> = shadow.largest.iter().map(|d| (d.features[0].clone(), d.gap)).collect();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].0, 2.0.into());
        assert!((listed[0].1 - 0.5).abs() < 1e-12 && (listed[1].1 - 0.1).abs() < 1e-12);
    }

    #[test]
    fn regressors_agree_within_the_tolerance_and_the_list_stays_short() {
        let mut shadow = Shadow::default();
        for i in 0..20 {
            let x = f64::from(i);
            shadow.add(&[x.into()], &value(x), &value(x + x / 10.0), 0.5);
        }
        // Gaps of 0 to 0.5 agree: inputs 0 to 5.
        assert_eq!((shadow.compared, shadow.agreed), (20, 6));
        let inputs: Vec<_> = shadow.largest.iter().map(|d| d.features[0].clone()).collect();
        assert_eq!(inputs, [19.0, 18.0, 17.0, 16.0, 15.0].map(FeatureValue::from));
    }

    #[test]
    fn regressors_agree_within_a_hundredth_of_the_targets_spread() {
        let card: ModelCard =
            serde_json::from_str(include_str!("../../../../models/diabetes-linear/1.0.0/card.json")).unwrap();
        let std = card.target.training.as_ref().unwrap().std;
        assert!((tolerance(&card) * 100.0 - std).abs() < 1e-9);
    }

    #[test]
    fn an_input_predicted_again_is_listed_once() {
        let mut shadow = Shadow::default();
        shadow.add(&[1.0.into()], &value(1.0), &value(3.0), 0.0);
        shadow.add(&[1.0.into()], &value(1.0), &value(3.0), 0.0);
        assert_eq!((shadow.compared, shadow.largest.len()), (2, 1));
    }
}
