"""Reference values for Modelport's version comparison, computed with scikit-learn and scipy.

Run with `training/.venv/bin/python training/compare_reference.py`; it writes
`crates/core/tests/fixtures/compare.json`, which `crates/core/tests/compare.rs` checks
`modelport_core::compare` against. The data sets are small and seeded so that the file
is reproducible:

- "binary, ties": probabilities rounded to tenths, so scores tie (ROC AUC must average
  over tied ranks) and some are exactly 0 or 1 on the wrong class (log loss must clip).
- "binary, one score": every score equal, so the ROC curve is the diagonal.
- "three classes, one never predicted": the champion never predicts class 2, and a
  fourth class is in the probabilities but neither in the truth nor in any prediction
  (macro F1 averages over the union of true and predicted classes only).
- "regression": a champion with noise and a challenger with more noise and a bias.

McNemar's test is given for the classification pairs and for a list of (b, c) counts:
the statistic with continuity correction (|b - c| - 1)^2 / (b + c), as statsmodels'
`mcnemar(table, exact=False, correction=True)` and R's `mcnemar.test` define it, its
p-value from `scipy.stats.chi2.sf(statistic, 1)`, and `scipy.stats.binomtest(b, b + c)`'s
two-sided p-value, which Modelport reports instead when b + c < 25.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy import special, stats
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    log_loss,
    mean_absolute_error,
    mean_squared_error,
    r2_score,
    roc_auc_score,
)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "crates" / "core" / "tests" / "fixtures" / "compare.json"
# Below this many discordant pairs the exact binomial p-value replaces the chi-squared one.
EXACT_BELOW = 25
TOP = 5


def mcnemar(b: int, c: int) -> dict:
    statistic = (abs(b - c) - 1) ** 2 / (b + c)
    chi_squared_p = float(stats.chi2.sf(statistic, 1))
    exact_p = float(stats.binomtest(b, b + c, 0.5).pvalue)
    exact = b + c < EXACT_BELOW
    return {
        "b": b,
        "c": c,
        "statistic": statistic,
        "chi_squared_p_value": chi_squared_p,
        "exact_p_value": exact_p,
        "p_value": exact_p if exact else chi_squared_p,
        "exact": exact,
    }


def classifier_metrics(truth: np.ndarray, proba: np.ndarray) -> dict:
    classes = proba.shape[1]
    labels = np.argmax(proba, axis=1)
    return {
        "labels": labels.tolist(),
        "probabilities": proba.tolist(),
        "accuracy": float(accuracy_score(truth, labels)),
        "macro_f1": float(f1_score(truth, labels, average="macro", zero_division=0)),
        "log_loss": float(log_loss(truth, proba, labels=list(range(classes)))),
        "roc_auc": float(roc_auc_score(truth, proba[:, 1])) if classes == 2 else None,
        "confusion": confusion_matrix(truth, labels, labels=list(range(classes))).tolist(),
    }


def classification(name: str, truth: np.ndarray, champion: np.ndarray, challenger: np.ndarray) -> dict:
    a, b = classifier_metrics(truth, champion), classifier_metrics(truth, challenger)
    la, lb = np.array(a["labels"]), np.array(b["labels"])
    disagree = np.flatnonzero(la != lb)
    # Disagreeing rows, the largest gap between the two versions' probabilities first
    # (ties in row order: a stable sort).
    gap = np.max(np.abs(champion - challenger), axis=1)[disagree]
    largest = disagree[np.argsort(-gap, kind="stable")][:TOP]
    right_a, right_b = la == truth, lb == truth
    return {
        "name": name,
        "classes": int(champion.shape[1]),
        "truth": truth.tolist(),
        "champion": a,
        "challenger": b,
        "agreement": float(np.mean(la == lb)),
        "largest_disagreements": largest.tolist(),
        "mcnemar": mcnemar(int(np.sum(right_a & ~right_b)), int(np.sum(~right_a & right_b))),
    }


def regressor_metrics(truth: np.ndarray, predicted: np.ndarray) -> dict:
    return {
        "predictions": predicted.tolist(),
        "rmse": float(np.sqrt(mean_squared_error(truth, predicted))),
        "mae": float(mean_absolute_error(truth, predicted)),
        "r2": float(r2_score(truth, predicted)),
    }


def regression(name: str, truth: np.ndarray, champion: np.ndarray, challenger: np.ndarray, tolerance: float) -> dict:
    gap = np.abs(champion - challenger)
    disagree = np.flatnonzero(gap > tolerance)
    largest = disagree[np.argsort(-gap[disagree], kind="stable")][:TOP]
    return {
        "name": name,
        "truth": truth.tolist(),
        "champion": regressor_metrics(truth, champion),
        "challenger": regressor_metrics(truth, challenger),
        "tolerance": tolerance,
        "agreement": float(np.mean(gap <= tolerance)),
        "largest_disagreements": largest.tolist(),
    }


def softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def main() -> None:
    rng = np.random.default_rng(7)

    n = 200
    truth = rng.integers(0, 2, n)
    signal = truth + rng.normal(0.0, 0.6, n)
    # Tenths: many ties, and exact 0s and 1s, some of them confidently wrong.
    p_champion = np.clip(np.round(1.0 / (1.0 + np.exp(-3.0 * (signal - 0.5))), 1), 0.0, 1.0)
    p_challenger = np.clip(np.round(p_champion + rng.normal(0.0, 0.15, n), 1), 0.0, 1.0)
    binary = classification(
        "binary, ties",
        truth,
        np.column_stack([1.0 - p_champion, p_champion]),
        np.column_stack([1.0 - p_challenger, p_challenger]),
    )

    truth_flat = rng.integers(0, 2, 40)
    flat = np.full(40, 0.3)
    flat_challenger = np.round(rng.uniform(0.0, 1.0, 40), 2)
    one_score = classification(
        "binary, one score",
        truth_flat,
        np.column_stack([1.0 - flat, flat]),
        np.column_stack([1.0 - flat_challenger, flat_challenger]),
    )

    n = 150
    truth3 = rng.integers(0, 3, n)
    logits = rng.normal(0.0, 1.0, (n, 4))
    logits[np.arange(n), truth3] += 1.5
    champion_logits = logits.copy()
    champion_logits[:, 2] -= 4.0  # never the largest: class 2 is never predicted
    champion_logits[:, 3] -= 6.0  # class 3: in neither the truth nor any prediction
    challenger_logits = logits + rng.normal(0.0, 0.8, (n, 4))
    challenger_logits[:, 3] -= 6.0
    three = classification("three classes, one never predicted", truth3, softmax(champion_logits), softmax(challenger_logits))
    assert 2 not in three["champion"]["labels"] and 3 not in three["champion"]["labels"] + three["challenger"]["labels"]

    n = 300
    y = np.round(rng.normal(10.0, 3.0, n), 3)
    reg = regression(
        "regression",
        y,
        y + rng.normal(0.0, 1.0, n),
        y + rng.normal(0.3, 1.3, n),
        tolerance=0.5,
    )

    pairs = [(3, 9), (5, 5), (0, 7), (1, 0), (12, 12), (10, 14), (13, 12), (30, 18), (100, 60), (400, 300)]
    xs = [0.0, 1e-8, 1e-3, 0.1, 0.4, 0.5, 0.9, 1.0, 1.2, 1.5, 2.0, 3.0, 4.5, 5.0, 10.0, 20.0, 26.0, -0.5, -2.0]
    chi_xs = [0.0, 1e-6, 0.01, 0.5, 1.0, 2.7, 3.841458820694124, 6.0, 10.0, 30.0, 100.0, 500.0]
    out = {
        "classification": [binary, one_score, three],
        "regression": [reg],
        "mcnemar": [mcnemar(b, c) for b, c in pairs],
        "erfc": [{"x": x, "erfc": float(special.erfc(x))} for x in xs],
        "chi_squared_sf": [{"x": x, "sf": float(stats.chi2.sf(x, 1))} for x in chi_xs],
    }
    OUT.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
