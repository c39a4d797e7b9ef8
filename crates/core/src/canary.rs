//! Canary releases: a configured share of visitors is served the challenger instead of
//! the channel's version. Who is in the canary is decided by a hash of a stable
//! per-browser id and the model's name, so a visitor stays in the same arm on every
//! visit, each model draws its own canary, and raising the share only adds visitors:
//! nobody flips back and forth while a canary grows.

use serde::{Deserialize, Serialize};

use crate::link::{self, SelectError, Selector};
use crate::registry::{Channel, RegisteredModel, Version};

/// A registered model's canary: `share` (0 to 1) of visitors get `version`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Canary {
    pub version: String,
    pub share: f64,
}

/// Which version a visitor is served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arm {
    /// The channel's version.
    Champion,
    /// The canary's.
    Challenger,
}

impl Canary {
    /// The arm of the browser whose id is `browser` for `model`.
    pub fn arm(&self, model: &str, browser: &str) -> Arm {
        if position(model, browser) < self.share { Arm::Challenger } else { Arm::Champion }
    }
}

/// The version a visitor's link selects, as [`link::select`] does, except that on the
/// production site a link that names no version serves the canary's version to the
/// browsers in its share. Also says which arm the visitor is in, when there is a canary.
pub fn select<'a>(
    model: &'a RegisteredModel,
    selector: Option<&Selector>,
    environment: Channel,
    browser: &str,
) -> Result<(&'a Version, Option<Arm>), SelectError> {
    let chosen = link::select(model, selector, environment)?;
    let canary = model.canary.as_ref().filter(|_| selector.is_none() && environment == Channel::Production);
    let Some(canary) = canary else { return Ok((chosen, None)) };
    match (canary.arm(&model.name, browser), model.version(&canary.version)) {
        (Arm::Challenger, Some(version)) => Ok((version, Some(Arm::Challenger))),
        _ => Ok((chosen, Some(Arm::Champion))),
    }
}

/// Where a browser falls in [0, 1) for a model: FNV-1a over the two, then a
/// SplitMix64 finaliser, so that ids that differ in one character spread evenly.
fn position(model: &str, browser: &str) -> f64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in model.bytes().chain([0]).chain(browser.bytes()) {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash = (hash ^ (hash >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash = (hash ^ (hash >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^= hash >> 31;
    // The top 53 bits, as a double in [0, 1).
    (hash >> 11) as f64 / (1_u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> impl Iterator<Item = String> {
        (0..n).map(|i| format!("browser-{i:08x}"))
    }

    fn canary(share: f64) -> Canary {
        Canary { version: "1.1.0".into(), share }
    }

    #[test]
    fn the_share_of_browsers_in_the_canary_is_the_configured_share() {
        let n = 20_000;
        for share in [0.05, 0.25, 0.5] {
            let inside = ids(n).filter(|id| canary(share).arm("iris-forest", id) == Arm::Challenger).count();
            // Four standard deviations of a binomial count.
            let sd = (n as f64 * share * (1.0 - share)).sqrt();
            assert!((inside as f64 - n as f64 * share).abs() < 4.0 * sd, "{inside} of {n} at {share}");
        }
    }

    #[test]
    fn a_browser_keeps_its_arm_and_growing_the_share_only_adds_browsers() {
        for id in ids(2_000) {
            let small = canary(0.1).arm("m", &id);
            assert_eq!(small, canary(0.1).arm("m", &id));
            if small == Arm::Challenger {
                assert_eq!(canary(0.3).arm("m", &id), Arm::Challenger);
            }
        }
        assert!(ids(100).all(|id| canary(0.0).arm("m", &id) == Arm::Champion));
        assert!(ids(100).all(|id| canary(1.0).arm("m", &id) == Arm::Challenger));
    }

    #[test]
    fn only_production_links_without_a_version_follow_the_canary() {
        let mut registry: crate::Registry =
            serde_json::from_str(include_str!("../../../models/registry.json")).expect("the shipped registry");
        let model = registry.model("iris-forest").unwrap();
        let champion = model.on_channel(Channel::Production).unwrap().version.clone();
        let other = model.versions.iter().find(|v| v.version != champion).unwrap().version.clone();
        registry.set_canary("iris-forest", Some(Canary { version: other.clone(), share: 0.5 })).unwrap();
        let production = registry.for_environment(Channel::Production);
        let model = production.model("iris-forest").unwrap();
        let arms: Vec<(String, Option<Arm>)> = ids(400)
            .map(|id| select(model, None, Channel::Production, &id).map(|(v, arm)| (v.version.clone(), arm)).unwrap())
            .collect();
        assert!(arms.iter().any(|(v, arm)| *v == other && *arm == Some(Arm::Challenger)));
        assert!(arms.iter().any(|(v, arm)| *v == champion && *arm == Some(Arm::Champion)));
        // A link naming a version, or another environment, is never rerouted.
        let pinned = Selector::Version(champion.clone());
        assert!(
            ids(100).all(|id| select(model, Some(&pinned), Channel::Production, &id).unwrap().0.version == champion)
        );
        let staging = registry.for_environment(Channel::Staging);
        let staged = staging.model("iris-forest").unwrap();
        assert!(ids(100).all(|id| select(staged, None, Channel::Staging, &id).unwrap().1.is_none()));
    }

    #[test]
    fn a_canary_names_a_registered_version_and_a_share_up_to_one() {
        let mut registry: crate::Registry =
            serde_json::from_str(include_str!("../../../models/registry.json")).unwrap();
        assert!(registry.set_canary("iris-forest", Some(Canary { version: "9.9.9".into(), share: 0.1 })).is_err());
        assert!(registry.set_canary("iris-forest", Some(Canary { version: "1.1.0".into(), share: 1.5 })).is_err());
        assert!(registry.set_canary("iris-forest", Some(Canary { version: "1.1.0".into(), share: 0.0 })).is_err());
        registry.set_canary("iris-forest", None).unwrap();
    }

    #[test]
    fn each_model_draws_its_own_canary() {
        let both = ids(10_000)
            .filter(|id| canary(0.5).arm("a", id) == Arm::Challenger && canary(0.5).arm("b", id) == Arm::Challenger)
            .count();
        // Independent draws put a quarter in both; one shared draw would put half.
        assert!((2_200..2_800).contains(&both), "{both}");
    }
}
