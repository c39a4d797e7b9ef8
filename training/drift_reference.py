"""Reference values for Modelport's drift statistics, computed with numpy and scipy.

Run with `training/.venv/bin/python training/drift_reference.py`; it writes
`tests/fixtures/drift.json`, which `crates/core/tests/drift.rs` checks the Rust
implementation against. Training statistics are kept the way model cards keep them
(deciles and a 10-bin histogram), so the reference sees exactly what the browser sees.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy import stats
from scipy.spatial import distance

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "drift.json"
EMPTY_BIN = 1e-4


def decile_bins(quantiles: list[float], values: np.ndarray) -> np.ndarray:
    # Open-ended outer bins: only the inner deciles split the values, [a, b).
    bins = np.searchsorted(np.array(quantiles[1:-1]), values, side="right")
    return np.bincount(bins, minlength=len(quantiles) - 1)


def card_stats(train: np.ndarray) -> dict:
    counts, edges = np.histogram(train, bins=10)
    quantiles = [float(q) for q in np.quantile(train, np.linspace(0, 1, 11))]
    return {
        "min": float(train.min()),
        "max": float(train.max()),
        "mean": float(train.mean()),
        "std": float(train.std()),
        "quantiles": quantiles,
        "quantile_counts": [int(c) for c in decile_bins(quantiles, train)],
        "histogram": {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]},
    }


def psi(card: dict, values: np.ndarray) -> float:
    # Against the training data's real share of each decile bin: a tenth each, unless
    # ties (values recorded to 0.1 cm) pile several deciles onto one value.
    actual = np.maximum(decile_bins(card["quantiles"], values) / len(values), EMPTY_BIN)
    counts = np.array(card["quantile_counts"], dtype=float)
    expected = np.maximum(counts / counts.sum(), EMPTY_BIN)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def ks(card: dict, values: np.ndarray) -> float:
    edges = np.array(card["histogram"]["edges"])
    counts = np.array(card["histogram"]["counts"], dtype=float)
    cumulative = np.concatenate([[0.0], np.cumsum(counts)]) / counts.sum()
    return float(stats.kstest(values, lambda x: np.interp(x, edges, cumulative)).statistic)


def main() -> None:
    rng = np.random.default_rng(0)
    numeric = []
    for name, shift, scale, decimals in [
        ("same", 0.0, 1.0, 4),
        ("same, recorded to one decimal", 0.0, 1.0, 1),
        ("shifted", 0.5, 1.0, 4),
        ("wider", 0.0, 2.0, 4),
        ("far", 3.0, 1.0, 4),
    ]:
        # Coarse recording ties the training deciles, as iris petal widths (0.1 cm) do.
        train = np.round(rng.normal(0.0, 0.5, 2000), decimals)
        current = np.round(rng.normal(shift, 0.5 * scale, 500), decimals)
        card = card_stats(train)
        numeric.append(
            {
                "name": name,
                "training": card,
                "values": current.tolist(),
                "psi": psi(card, current),
                "ks": ks(card, current),
            }
        )
    categorical = []
    for name, training, observed in [
        ("same", [0.5, 0.3, 0.2], [250, 150, 100]),
        ("moved", [0.5, 0.3, 0.2], [100, 150, 250]),
        ("new category", [0.6, 0.4, 0.0], [60, 30, 10]),
    ]:
        total = sum(observed)
        expected = np.maximum(np.array(training) / sum(training), EMPTY_BIN) * total
        categorical.append(
            {
                "name": name,
                "training": training,
                "observed": observed,
                # scipy insists that both sums agree: rescale after the empty-bin floor.
                "chi_squared": float(stats.chisquare(observed, expected * total / expected.sum()).statistic),
                "jensen_shannon": float(distance.jensenshannon(observed, training, base=2)),
            }
        )
    OUT.write_text(json.dumps({"numeric": numeric, "categorical": categorical}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
