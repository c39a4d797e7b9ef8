//! Recalibrations compiled in the worker for comparison: the Recalibrate tab hands its
//! learner over, and the Compare tab offers it as a challenger beside the registered
//! versions. They live as long as the page: nothing is stored.

use std::collections::BTreeMap;

use leptos::prelude::*;
use modelport_core::{ModelCard, Signature};

/// A learner exported and compiled under `key`.
#[derive(Clone, Debug, PartialEq)]
pub struct Recalibrated {
    pub key: String,
    /// The card the export wrote, with the shipped card's features.
    pub card: ModelCard,
    pub signature: Signature,
    /// Examples it had learned.
    pub examples: u64,
}

/// The latest recalibration of each model, by model name.
#[derive(Clone, Copy)]
pub struct Recalibrations {
    latest: RwSignal<BTreeMap<String, Recalibrated>>,
    /// Keys are never reused: the worker keeps a compiled model under its key for good.
    handed_over: StoredValue<u32>,
}

impl Recalibrations {
    /// Makes the store available to every page. Call once, in the root component.
    pub fn provide() {
        provide_context(Self { latest: RwSignal::new(BTreeMap::new()), handed_over: StoredValue::new(0) });
    }

    pub fn get() -> Self {
        expect_context()
    }

    /// A key for the next recalibration of `model`.
    pub fn next_key(self, model: &str) -> String {
        self.handed_over.update_value(|n| *n += 1);
        format!("{model}@recalibrated-{}", self.handed_over.get_value())
    }

    pub fn set(self, model: &str, recalibrated: Recalibrated) {
        self.latest.update(|latest| {
            latest.insert(model.to_owned(), recalibrated);
        });
    }

    pub fn of(self, model: &str) -> Option<Recalibrated> {
        self.latest.with(|latest| latest.get(model).cloned())
    }
}
