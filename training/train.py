"""Train, export and document every model Modelport ships.

Run with `cargo xtask train` (or `training/.venv/bin/python training/train.py`).
For each model version it writes, under `models/<name>/<version>/`:

- `model.onnx`: the fitted scikit-learn estimator or pipeline, exported by skl2onnx;
- `card.json`: the model card (feature schema, classes, held-out metrics, per-feature
  training statistics and histograms, hashes, library versions);
- `golden.json`: held-out rows with the outputs onnxruntime gives for them, the
  independent reference the Rust tests compare tract's outputs against;

and then `models/registry.json`: new versions are registered on the development channel;
known ones get their hashes and metrics refreshed. Channels and history are left to the
`modelport` command (promote, rollback).

Only data sets that ship inside scikit-learn are used, the split and every estimator
are seeded, and the library versions are pinned in `requirements.txt`, so running the
script twice gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np
import onnx
import onnxruntime
import skl2onnx
import sklearn
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
from sklearn import datasets, metrics
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

import reference

SEED = 0
TEST_SIZE = 0.25
HISTOGRAM_BINS = 10
GOLDEN_ROWS = 40
# Pinned so that a skl2onnx upgrade cannot change the graph.
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}
# Versions are dated by the registry, not by the clock, so that re-running is reproducible.
CREATED = "2026-11-24T00:00:00Z"
ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"


@dataclass
class Feature:
    name: str
    unit: str | None = None
    description: str | None = None
    # For a categorical feature: (label shown to the user, numeric code fed to the model).
    categories: list[tuple[str, float]] | None = None


@dataclass
class Spec:
    name: str
    version: str
    title: str
    description: str
    predicts: str
    dataset: str
    load: Callable[[], tuple[np.ndarray, np.ndarray, list[str]]]
    features: list[Feature]
    build: Callable[[], object]
    task: str  # "classification" | "regression"
    classes: list[str] | None = None
    target_unit: str | None = None
    layout: dict | None = None
    notes: list[str] = field(default_factory=list)


def bunch(loader, **kwargs):
    def load():
        data = loader(**kwargs)
        return data.data, data.target, list(getattr(data, "target_names", []))

    return load


def scaler_then(estimator) -> Pipeline:
    """A StandardScaler in front of `estimator`."""
    return make_pipeline(StandardScaler(), estimator)


IRIS_FEATURES = [
    Feature("sepal length", "cm", "Length of the sepal"),
    Feature("sepal width", "cm", "Width of the sepal"),
    Feature("petal length", "cm", "Length of the petal"),
    Feature("petal width", "cm", "Width of the petal"),
]
IRIS_CLASSES = ["setosa", "versicolor", "virginica"]

WINE_FEATURES = [
    Feature("alcohol", "% vol"),
    Feature("malic acid", "g/l"),
    Feature("ash", "g/l"),
    Feature("alcalinity of ash", "g/l"),
    Feature("magnesium", "mg/l"),
    Feature("total phenols", "g/l"),
    Feature("flavanoids", "g/l"),
    Feature("nonflavanoid phenols", "g/l"),
    Feature("proanthocyanins", "g/l"),
    Feature("color intensity", None, "Absorbance-based colour intensity"),
    Feature("hue", None, "Hue relative to a reference"),
    Feature("OD280/OD315", None, "OD280/OD315 of diluted wines"),
    Feature("proline", "mg/l"),
]

DIABETES_FEATURES = [
    Feature("age", "years"),
    Feature("sex", None, "Sex as coded in the study", categories=[("sex 1", 1.0), ("sex 2", 2.0)]),
    Feature("bmi", "kg/m²", "Body mass index"),
    Feature("bp", "mm Hg", "Average blood pressure"),
    Feature("s1", "mg/dl", "Total serum cholesterol"),
    Feature("s2", "mg/dl", "Low-density lipoproteins"),
    Feature("s3", "mg/dl", "High-density lipoproteins"),
    Feature("s4", None, "Total cholesterol / HDL"),
    Feature("s5", None, "Log of serum triglycerides level"),
    Feature("s6", "mg/dl", "Blood sugar level"),
]


def breast_cancer_features() -> list[Feature]:
    names = datasets.load_breast_cancer().feature_names
    return [Feature(str(n)) for n in names]


def digits_features() -> list[Feature]:
    return [
        Feature(f"pixel {r},{c}", None, f"Ink in row {r}, column {c} (0 to 16)")
        for r in range(8)
        for c in range(8)
    ]


SPECS = [
    Spec(
        name="iris-logreg",
        version="1.0.0",
        title="Iris species: logistic regression",
        description="Tells the three iris species apart from four flower measurements.",
        predicts="The species of an iris flower",
        dataset="scikit-learn load_iris (Fisher, 1936)",
        load=bunch(datasets.load_iris),
        features=IRIS_FEATURES,
        build=lambda: LogisticRegression(max_iter=1000, random_state=SEED),
        task="classification",
        classes=IRIS_CLASSES,
    ),
    Spec(
        name="iris-forest",
        version="1.0.0",
        title="Iris species: random forest",
        description="A 50-tree random forest on the same four iris measurements.",
        predicts="The species of an iris flower",
        dataset="scikit-learn load_iris (Fisher, 1936)",
        load=bunch(datasets.load_iris),
        features=IRIS_FEATURES,
        build=lambda: RandomForestClassifier(n_estimators=50, random_state=SEED),
        task="classification",
        classes=IRIS_CLASSES,
    ),
    Spec(
        name="wine-boosting",
        version="1.0.0",
        title="Wine cultivar: gradient boosting",
        description="Names the cultivar of an Italian wine from 13 results of its chemical analysis.",
        predicts="Which of three cultivars a wine comes from",
        dataset="scikit-learn load_wine (UCI wine recognition)",
        load=bunch(datasets.load_wine),
        features=WINE_FEATURES,
        build=lambda: GradientBoostingClassifier(
            n_estimators=50, max_depth=3, random_state=SEED
        ),
        task="classification",
        classes=["cultivar 1", "cultivar 2", "cultivar 3"],
    ),
    Spec(
        name="breast-cancer",
        version="1.0.0",
        title="Breast tumour: scaled logistic regression",
        description="Classifies a breast mass as malignant or benign from 30 measurements of "
        "cell nuclei; a pipeline of standard scaling and logistic regression.",
        predicts="Whether a breast mass is malignant or benign",
        dataset="scikit-learn load_breast_cancer (Wisconsin diagnostic)",
        load=bunch(datasets.load_breast_cancer),
        features=breast_cancer_features(),
        build=lambda: scaler_then(LogisticRegression(max_iter=5000, random_state=SEED)),
        task="classification",
        classes=["malignant", "benign"],
    ),
    Spec(
        name="diabetes-linear",
        version="1.0.0",
        title="Diabetes progression: linear regression",
        description="Estimates disease progression one year after baseline from age, sex, "
        "body mass index, blood pressure and six blood serum measurements.",
        predicts="Disease progression one year after baseline",
        dataset="scikit-learn load_diabetes, unscaled (Efron et al., 2004)",
        load=bunch(datasets.load_diabetes, scaled=False),
        features=DIABETES_FEATURES,
        build=LinearRegression,
        task="regression",
        target_unit="progression score",
    ),
    Spec(
        name="digits-mlp",
        version="1.0.0",
        title="Handwritten digit: neural network",
        description="Reads an 8x8 image of a handwritten digit; a scaler and a 64-64-10 "
        "multi-layer perceptron.",
        predicts="The digit (0 to 9) drawn in an 8x8 image",
        dataset="scikit-learn load_digits (UCI optical recognition of handwritten digits)",
        load=bunch(datasets.load_digits),
        features=digits_features(),
        build=lambda: scaler_then(
            MLPClassifier(hidden_layer_sizes=(64,), max_iter=500, random_state=SEED)
        ),
        task="classification",
        classes=[str(d) for d in range(10)],
        layout={"kind": "image", "width": 8, "height": 8, "min": 0, "max": 16},
    ),
]


def spec_named(name: str) -> Spec:
    return next(s for s in SPECS if s.name == name)


# Second versions, so that the channels have something to tell apart: a smaller forest
# (promoted to staging, waiting for production) and a more strongly regularised
# logistic regression (a development draft).
SPECS += [
    replace(
        spec_named("iris-forest"),
        version="1.1.0",
        build=lambda: RandomForestClassifier(n_estimators=20, max_depth=3, random_state=SEED),
    ),
    replace(
        spec_named("iris-logreg"),
        version="1.1.0",
        build=lambda: LogisticRegression(C=0.05, max_iter=1000, random_state=SEED),
    ),
]


def export(spec: Spec, model, n_features: int) -> bytes:
    # skl2onnx's default options: scalers as the ONNX-ML Scaler op, classifier
    # probabilities through ZipMap, both of which Modelport runs.
    onx = convert_sklearn(
        model,
        name=spec.name,
        initial_types=[("input", FloatTensorType([None, n_features]))],
        target_opset=TARGET_OPSET,
    )
    onx.doc_string = spec.description
    # skl2onnx lists opset imports in set order, which changes with Python's string hash
    # seed: sorted, the same model gives the same bytes on every run.
    imports = sorted(onx.opset_import, key=lambda o: o.domain)
    del onx.opset_import[:]
    onx.opset_import.extend(imports)
    return onx.SerializeToString()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dataset_sha256(x: np.ndarray, y: np.ndarray) -> str:
    """Hash of the data as the model saw it: features as little-endian float64 in row
    order, then targets as little-endian float64."""
    return sha256(
        np.ascontiguousarray(x, dtype="<f8").tobytes()
        + np.ascontiguousarray(y, dtype="<f8").tobytes()
    )


def feature_stats(column: np.ndarray) -> dict:
    counts, edges = np.histogram(column, bins=HISTOGRAM_BINS)
    quantiles = [float(q) for q in np.quantile(column, np.linspace(0, 1, 11))]
    # Training rows per decile bin, binned as the PSI bins values ([a, b), outer bins
    # open): ties in coarsely recorded features make these far from a tenth each.
    decile_bins = np.searchsorted(np.array(quantiles[1:-1]), column, side="right")
    return {
        "min": float(column.min()),
        "max": float(column.max()),
        "mean": float(column.mean()),
        "std": float(column.std()),
        "quantiles": quantiles,
        "quantile_counts": [int(c) for c in np.bincount(decile_bins, minlength=len(quantiles) - 1)],
        "histogram": {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]},
    }


def held_out_metrics(spec: Spec, model, x_test, y_test) -> dict:
    if spec.task == "regression":
        pred = model.predict(x_test)
        return {
            "rmse": float(np.sqrt(metrics.mean_squared_error(y_test, pred))),
            "mae": float(metrics.mean_absolute_error(y_test, pred)),
            "r2": float(metrics.r2_score(y_test, pred)),
        }
    pred = model.predict(x_test)
    proba = model.predict_proba(x_test)
    out = {
        "accuracy": float(metrics.accuracy_score(y_test, pred)),
        "macro_f1": float(metrics.f1_score(y_test, pred, average="macro")),
        "log_loss": float(metrics.log_loss(y_test, proba, labels=model.classes_)),
    }
    if len(model.classes_) == 2:
        out["roc_auc"] = float(metrics.roc_auc_score(y_test, proba[:, 1]))
    return out


def golden(model_bytes: bytes, x: np.ndarray) -> dict:
    return reference.golden(onnx.load_from_string(model_bytes), {"input": x.astype(np.float32)})


def card(spec: Spec, model, model_bytes: bytes, x, y, x_train, y_train, x_test, y_test) -> dict:
    proto = onnx.load_from_string(model_bytes)
    features = []
    for i, f in enumerate(spec.features):
        entry = {"name": f.name, "input": "input", "index": i}
        if f.unit:
            entry["unit"] = f.unit
        if f.description:
            entry["description"] = f.description
        if f.categories:
            entry["categories"] = [{"label": lab, "value": v} for lab, v in f.categories]
        entry["training"] = feature_stats(x_train[:, i])
        features.append(entry)
    if spec.task == "classification":
        outputs = {"label": "output_label", "probabilities": "output_probability"}
        target = {"name": "class", "classes": spec.classes}
    else:
        outputs = {"value": "variable"}
        target = {"name": "prediction", "unit": spec.target_unit, "training": feature_stats(y_train)}
    estimator = model.steps[-1][1] if isinstance(model, Pipeline) else model
    return {
        "format": "modelport-card/1",
        "name": spec.name,
        "version": spec.version,
        "title": spec.title,
        "description": spec.description,
        "predicts": spec.predicts,
        "task": spec.task,
        "algorithm": type(estimator).__name__,
        "pipeline": [type(s).__name__ for _, s in model.steps] if isinstance(model, Pipeline)
        else [type(model).__name__],
        "features": features,
        "target": target,
        "outputs": outputs,
        "layout": spec.layout,
        "example": [float(v) for v in x_test[0]],
        "metrics": held_out_metrics(spec, model, x_test, y_test),
        "training": {
            "dataset": spec.dataset,
            "rows": int(len(x)),
            "train_rows": int(len(x_train)),
            "test_rows": int(len(x_test)),
            "split": f"train_test_split(test_size={TEST_SIZE}, random_state={SEED}"
            + (", stratify=y)" if spec.task == "classification" else ")"),
            "seed": SEED,
            "data_sha256": dataset_sha256(x, y),
            "train_sha256": dataset_sha256(x_train, y_train),
        },
        "model": {
            "file": "model.onnx",
            "sha256": sha256(model_bytes),
            "bytes": len(model_bytes),
            "opset": {op.domain or "ai.onnx": op.version for op in proto.opset_import},
            "producer": f"{proto.producer_name} {proto.producer_version}",
        },
        "libraries": {
            "python": sys.version.split()[0],
            "scikit-learn": sklearn.__version__,
            "skl2onnx": skl2onnx.__version__,
            "onnx": onnx.__version__,
            "onnxruntime": onnxruntime.__version__,
            "numpy": np.__version__,
        },
    }


def write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def train(spec: Spec) -> dict:
    x, y, _ = spec.load()
    stratify = y if spec.task == "classification" else None
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=TEST_SIZE, random_state=SEED, stratify=stratify
    )
    model = spec.build()
    model.fit(x_train, y_train)
    model_bytes = export(spec, model, x.shape[1])

    folder = MODELS / spec.name / spec.version
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.onnx").write_bytes(model_bytes)
    model_card = card(spec, model, model_bytes, x, y, x_train, y_train, x_test, y_test)
    write_json(folder / "card.json", model_card)
    write_json(folder / "golden.json", golden(model_bytes, x_test[:GOLDEN_ROWS]))
    print(f"{spec.name} {spec.version}: {len(model_bytes)} bytes, {model_card['metrics']}")
    return {
        "version": spec.version,
        "path": f"{spec.name}/{spec.version}",
        "sha256": model_card["model"]["sha256"],
        "bytes": len(model_bytes),
        "created": CREATED,
        # Sorted, as the `modelport` command writes them.
        "metrics": dict(sorted(model_card["metrics"].items())),
    }


def main() -> None:
    # The registry's channels and history belong to the `modelport` command: retraining
    # refreshes the versions it trained and registers new ones, and keeps the rest.
    path = MODELS / "registry.json"
    registry = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    registry = {"format": "modelport-registry/2", "models": registry.get("models", [])}
    for spec in SPECS:
        register(registry["models"], spec, train(spec))
    # Two spaces, as the `modelport` command writes it, so either writer leaves a clean diff.
    # Atomically, like the `modelport` command: a crash leaves the old file or the new.
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(registry, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(path)


def register(models: list, spec: Spec, version: dict) -> None:
    model = next((m for m in models if m["name"] == spec.name), None)
    if model is None:
        model = {
            "name": spec.name,
            "title": spec.title,
            "description": spec.description,
            "task": spec.task,
            "versions": [],
            "channels": {},
            "history": [],
        }
        models.append(model)
    known = next((v for v in model["versions"] if v["version"] == spec.version), None)
    if known is not None:
        known.update(version)
        return
    model["versions"].append(version)
    model["history"].append(
        {
            "at": CREATED,
            "by": "training/train.py",
            "action": "register",
            "channel": "development",
            "from": model["channels"].get("development"),
            "to": spec.version,
        }
    )
    model["channels"]["development"] = spec.version


if __name__ == "__main__":
    main()
