"""Generate the ONNX conformance suite: many small scikit-learn pipelines and a few
hand-built ONNX-ML graphs, each with the outputs onnxruntime gives for it.

Run with `training/.venv/bin/python training/conformance.py`. It writes, under
`conformance/` at the repository root:

- `<name>/model.onnx`: the model;
- `<name>/golden.json`: inputs and the outputs onnxruntime returns for them, in the
  format of `training/train.py` (`{"reference", "inputs", "outputs"}`, each tensor as
  `{"shape": [...], "data": {"float32": [...]}}`);
- `manifest.json`: every model with its description, data set, task, the operators in
  its graph and its opsets;
- `ml_operators.json`: every operator of the `ai.onnx.ml` domain at its latest version,
  with its attributes and the models of the suite that use it.

Conventions:

- Only data sets shipped inside scikit-learn; every split and estimator is seeded with 0,
  and onnxruntime runs on one thread, so running the script twice gives byte-identical
  files.
- scikit-learn pipelines are exported by skl2onnx with its default options: classifiers
  keep their ZipMap, StandardScaler becomes the ONNX-ML `Scaler` op.
- Golden inputs are the first 20 held-out rows of `train_test_split(test_size=0.25,
  random_state=0)` (stratified for classification).
- A ZipMap output (a list of {label: probability} maps in onnxruntime) is written as a
  float32 tensor of shape [N, C] whose columns follow the ZipMap node's
  `classlabels_int64s` or `classlabels_strings` attribute.
- JSON has no NaN: a NaN value (the missing cells of the imputer and missing-value
  cases, marked `"nan_inputs": true` in the manifest) is written as `null`; readers map
  `null` back to NaN. Infinities are never written (the script fails if one appears).
- Hand-built models (`"hand_built": true` in the manifest) are made with `onnx.helper`,
  sometimes from the attributes of a skl2onnx export, to cover ONNX-ML features
  skl2onnx does not emit; they are only kept if onnxruntime runs them. Left out:
  SVMRegressor with a post_transform (onnxruntime ignores the attribute), and
  DictVectorizer and CastMap (their inputs are maps, which golden files cannot hold).
- The opset imports of every model are sorted by domain (skl2onnx lists them in set
  order, which changes with Python's hash seed).

The manifest entry of a model: `name`, `description`, `dataset`, `task`
("classification", "regression" or "transform"), `operators` (sorted "domain:OpType",
"ai.onnx" for the default domain), `zipmap`, `string_inputs`, `hand_built`,
`nan_inputs` and `opset` (domain -> version).
"""

from __future__ import annotations

import json
import math
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper
import skl2onnx.common.tree_ensemble
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn import datasets
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import (
    Lasso,
    LinearRegression,
    LogisticRegression,
    Ridge,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    Binarizer,
    MaxAbsScaler,
    MinMaxScaler,
    Normalizer,
    OneHotEncoder,
    OrdinalEncoder,
    RobustScaler,
    StandardScaler,
)
from sklearn.svm import SVC, LinearSVC, OneClassSVM, SVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from reference import golden, zipmaps



def _int_missing_tracks(add_node):
    """skl2onnx 1.20 passes `missing = False` (a Python bool) for the leaves of a
    HistGradientBoosting tree, which protobuf 7 refuses in an ints attribute ("Expected
    an int, got a boolean"). Cast it to int before skl2onnx stores it."""

    def wrapped(*args, nodes_missing_value_tracks_true=0, **kwargs):
        return add_node(*args, nodes_missing_value_tracks_true=int(nodes_missing_value_tracks_true), **kwargs)

    return wrapped


skl2onnx.common.tree_ensemble.add_node = _int_missing_tracks(skl2onnx.common.tree_ensemble.add_node)

SEED = 0
TEST_SIZE = 0.25
GOLDEN_ROWS = 20
NAN_FRACTION = 0.1
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "conformance"
PRODUCER = "modelport-conformance"


# ---------------------------------------------------------------------------------------
# Data


@dataclass
class Data:
    """A data set split the way every case splits it."""

    dataset: str
    x_train: np.ndarray
    x_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    target_names: list[str]

    @property
    def golden(self) -> np.ndarray:
        return self.x_test[:GOLDEN_ROWS]


def with_nans(x: np.ndarray) -> np.ndarray:
    """`x` with a fixed, seeded tenth of its cells replaced by NaN."""
    x = x.astype(np.float64, copy=True)
    mask = np.random.default_rng(SEED).random(x.shape) < NAN_FRACTION
    x[mask] = np.nan
    return x


def load(name: str, nans: bool = False, classification: bool = True, string_labels: bool = False) -> Data:
    loader = {
        "iris": datasets.load_iris,
        "wine": datasets.load_wine,
        "breast_cancer": datasets.load_breast_cancer,
        "diabetes": lambda: datasets.load_diabetes(scaled=False),
        "digits": datasets.load_digits,
    }[name]
    bunch = loader()
    x, y = bunch.data.astype(np.float64), bunch.target
    names = [str(n) for n in getattr(bunch, "target_names", [])]
    if nans:
        x = with_nans(x)
    if string_labels:
        y = np.array(names, dtype=object)[y]
    split = train_test_split(
        x, y, test_size=TEST_SIZE, random_state=SEED, stratify=y if classification else None
    )
    return Data(f"load_{name}", *split, names)


def diabetes_columns(binary_target: bool = False) -> Data:
    """Diabetes as mixed columns: 8 numeric, then `sex` ("female"/"male", from the
    1/2 coding) and `bmi_level` ("low" below 25, "medium" below 30, "high"), as an
    object array. With `binary_target`, the target is "high" when progression > 140."""
    bunch = datasets.load_diabetes(scaled=False)
    x, y = bunch.data, bunch.target
    numeric = np.delete(x, [1, 2], axis=1)  # age, bp, s1..s6
    sex = np.where(x[:, 1] == 1, "female", "male")
    bmi = np.where(x[:, 2] < 25, "low", np.where(x[:, 2] < 30, "medium", "high"))
    mixed = np.empty((len(x), 10), dtype=object)
    mixed[:, :8] = numeric
    mixed[:, 8] = sex
    mixed[:, 9] = bmi
    if binary_target:
        y = np.where(y > 140, "high", "low").astype(object)
    split = train_test_split(
        mixed, y, test_size=TEST_SIZE, random_state=SEED, stratify=y if binary_target else None
    )
    return Data("load_diabetes", *split, [])


def mixed_inputs(rows: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "numeric": rows[:, :8].astype(np.float32),
        "sex": rows[:, 8:9].astype(str).astype(object),
        "bmi_level": rows[:, 9:10].astype(str).astype(object),
    }


MIXED_TYPES = [
    ("numeric", FloatTensorType([None, 8])),
    ("sex", StringTensorType([None, 1])),
    ("bmi_level", StringTensorType([None, 1])),
]


# ---------------------------------------------------------------------------------------
# Cases


@dataclass
class Case:
    name: str
    description: str
    dataset: str
    task: str  # "classification" | "regression" | "transform"
    # Given the case, returns the model and the golden inputs (by input name).
    build: Callable[["Case"], tuple[onnx.ModelProto, dict[str, np.ndarray]]]
    hand_built: bool = False


CASES: list[Case] = []


def export(model, name: str, description: str, initial_types) -> onnx.ModelProto:
    # skl2onnx 1.20 gives every classifier inside a Pipeline the option zipmap=True, which
    # its LinearSVC converter does not accept ("Option 'zipmap' not in [...]"). Setting
    # one of LinearSVC's own options, at its default value, skips that; the graph is the
    # one the default options give.
    options = {LinearSVC: {"nocl": False}}
    onx = convert_sklearn(
        model, name=name, initial_types=initial_types, options=options, target_opset=TARGET_OPSET
    )
    onx.doc_string = description
    return onx


def sklearn_case(
    name: str,
    description: str,
    dataset: str,
    task: str,
    make: Callable[[], object],
    nans: bool = False,
    string_labels: bool = False,
) -> None:
    """A pipeline fitted on the training rows of `dataset`, one float input `input`."""

    def build(_case):
        data = load(dataset, nans=nans, classification=task == "classification", string_labels=string_labels)
        model = make()
        model.fit(data.x_train, data.y_train)
        types = [("input", FloatTensorType([None, data.x_train.shape[1]]))]
        onx = export(model, name, description, types)
        return onx, {"input": data.golden.astype(np.float32)}

    CASES.append(Case(name, description, f"load_{dataset}", task, build))


def column_case(name: str, description: str, task: str, make: Callable[[], object]) -> None:
    """A pipeline on the mixed diabetes columns, one ONNX input per column group."""

    def build(_case):
        data = diabetes_columns(binary_target=task == "classification")
        model = make()
        model.fit(data.x_train, data.y_train)
        onx = export(model, name, description, MIXED_TYPES)
        return onx, mixed_inputs(data.golden)

    CASES.append(Case(name, description, "load_diabetes", task, build))


def numeric_then_strings(numeric, strings) -> ColumnTransformer:
    return ColumnTransformer([("numeric", numeric, list(range(8))), ("strings", strings, [8, 9])])


# Regressors ------------------------------------------------------------------------------

sklearn_case(
    "diabetes-linear-regression", "LinearRegression (diabetes)", "diabetes", "regression",
    LinearRegression,
)
sklearn_case(
    "diabetes-ridge", "StandardScaler + Ridge (diabetes)", "diabetes", "regression",
    lambda: make_pipeline(StandardScaler(), Ridge(alpha=1.0)),
)
sklearn_case(
    "diabetes-lasso", "MinMaxScaler + Lasso (diabetes)", "diabetes", "regression",
    lambda: make_pipeline(MinMaxScaler(), Lasso(alpha=0.1, random_state=SEED)),
)
sklearn_case(
    "diabetes-sgd-regressor", "StandardScaler + SGDRegressor (diabetes)", "diabetes", "regression",
    lambda: make_pipeline(StandardScaler(), SGDRegressor(random_state=SEED)),
)
sklearn_case(
    "diabetes-svr-linear", "StandardScaler + SVR, linear kernel (diabetes)", "diabetes", "regression",
    lambda: make_pipeline(StandardScaler(), SVR(kernel="linear", C=100.0)),
)
sklearn_case(
    "diabetes-svr-rbf", "StandardScaler + SVR, RBF kernel (diabetes)", "diabetes", "regression",
    lambda: make_pipeline(StandardScaler(), SVR(kernel="rbf", C=100.0)),
)
sklearn_case(
    "diabetes-svr-poly", "RobustScaler + SVR, cubic polynomial kernel (diabetes)", "diabetes", "regression",
    lambda: make_pipeline(RobustScaler(), SVR(kernel="poly", degree=3, C=10.0)),
)
sklearn_case(
    "diabetes-decision-tree-regressor", "DecisionTreeRegressor, depth 6 (diabetes)", "diabetes", "regression",
    lambda: DecisionTreeRegressor(max_depth=6, random_state=SEED),
)
sklearn_case(
    "diabetes-random-forest-regressor", "RandomForestRegressor, 15 trees of depth 6 (diabetes)", "diabetes",
    "regression",
    lambda: RandomForestRegressor(n_estimators=15, max_depth=6, random_state=SEED),
)
sklearn_case(
    "diabetes-extra-trees-regressor", "ExtraTreesRegressor, 15 trees of depth 6 (diabetes)", "diabetes",
    "regression",
    lambda: ExtraTreesRegressor(n_estimators=15, max_depth=6, random_state=SEED),
)
sklearn_case(
    "diabetes-gradient-boosting-regressor", "GradientBoostingRegressor, 20 trees of depth 3 (diabetes)",
    "diabetes", "regression",
    lambda: GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=SEED),
)
sklearn_case(
    "diabetes-hist-gradient-boosting-regressor-nan",
    "HistGradientBoostingRegressor, 20 iterations, native missing values (diabetes with NaN cells)",
    "diabetes", "regression",
    lambda: HistGradientBoostingRegressor(max_iter=20, max_depth=4, random_state=SEED),
    nans=True,
)
sklearn_case(
    "diabetes-knn-regressor", "StandardScaler + KNeighborsRegressor, k=5 (diabetes)", "diabetes", "regression",
    lambda: make_pipeline(StandardScaler(), KNeighborsRegressor(n_neighbors=5)),
)
sklearn_case(
    "diabetes-mlp-regressor", "StandardScaler + MLPRegressor, one hidden layer of 16 (diabetes)", "diabetes",
    "regression",
    lambda: make_pipeline(
        StandardScaler(), MLPRegressor(hidden_layer_sizes=(16,), max_iter=2000, random_state=SEED)
    ),
)
sklearn_case(
    "diabetes-imputer-ridge-nan", "SimpleImputer (median) + StandardScaler + Ridge (diabetes with NaN cells)",
    "diabetes", "regression",
    lambda: make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), Ridge(alpha=1.0)),
    nans=True,
)
sklearn_case(
    "diabetes-pca-linear-regression", "StandardScaler + PCA (5 components) + LinearRegression (diabetes)",
    "diabetes", "regression",
    lambda: make_pipeline(StandardScaler(), PCA(n_components=5, random_state=SEED), LinearRegression()),
)
column_case(
    "diabetes-column-transformer-ridge",
    "ColumnTransformer (StandardScaler on 8 numeric columns, OneHotEncoder on 2 string columns) + Ridge"
    " (diabetes)",
    "regression",
    lambda: make_pipeline(
        numeric_then_strings(StandardScaler(), OneHotEncoder(handle_unknown="ignore")), Ridge(alpha=1.0)
    ),
)

# Classifiers -----------------------------------------------------------------------------

sklearn_case(
    "iris-logistic-regression", "LogisticRegression (iris, 3 classes, int labels)", "iris", "classification",
    lambda: LogisticRegression(max_iter=1000, random_state=SEED),
)
sklearn_case(
    "breast-cancer-logistic-regression", "StandardScaler + LogisticRegression (breast cancer, 2 classes)",
    "breast_cancer", "classification",
    lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000, random_state=SEED)),
)
sklearn_case(
    "wine-sgd-classifier", "StandardScaler + SGDClassifier, hinge loss (wine, 3 classes)", "wine",
    "classification",
    lambda: make_pipeline(StandardScaler(), SGDClassifier(random_state=SEED)),
)
sklearn_case(
    "breast-cancer-sgd-classifier-log-loss",
    "MaxAbsScaler + SGDClassifier, log loss (breast cancer, 2 classes)", "breast_cancer", "classification",
    lambda: make_pipeline(MaxAbsScaler(), SGDClassifier(loss="log_loss", random_state=SEED)),
)
sklearn_case(
    "wine-linear-svc", "StandardScaler + LinearSVC (wine, 3 classes)", "wine", "classification",
    lambda: make_pipeline(StandardScaler(), LinearSVC(random_state=SEED)),
)
sklearn_case(
    "breast-cancer-svc-linear", "StandardScaler + SVC, linear kernel, no probabilities (breast cancer, 2 classes)",
    "breast_cancer", "classification",
    lambda: make_pipeline(StandardScaler(), SVC(kernel="linear", random_state=SEED)),
)
sklearn_case(
    "iris-svc-rbf", "SVC, RBF kernel, no probabilities (iris, 3 classes)", "iris", "classification",
    lambda: SVC(kernel="rbf", random_state=SEED),
)
sklearn_case(
    "iris-svc-rbf-probability", "StandardScaler + SVC, RBF kernel, probability=True (iris, 3 classes)", "iris",
    "classification",
    lambda: make_pipeline(StandardScaler(), SVC(kernel="rbf", probability=True, random_state=SEED)),
)
sklearn_case(
    "wine-svc-poly-probability", "MinMaxScaler + SVC, cubic polynomial kernel, probability=True (wine, 3 classes)",
    "wine", "classification",
    lambda: make_pipeline(MinMaxScaler(), SVC(kernel="poly", degree=3, probability=True, random_state=SEED)),
)
sklearn_case(
    "breast-cancer-svc-poly", "StandardScaler + SVC, quadratic polynomial kernel, no probabilities (breast cancer,"
    " 2 classes)",
    "breast_cancer", "classification",
    lambda: make_pipeline(StandardScaler(), SVC(kernel="poly", degree=2, random_state=SEED)),
)
sklearn_case(
    "iris-decision-tree-classifier-string-labels",
    "DecisionTreeClassifier, depth 4 (iris, 3 classes, string labels)", "iris", "classification",
    lambda: DecisionTreeClassifier(max_depth=4, random_state=SEED),
    string_labels=True,
)
sklearn_case(
    "wine-random-forest-classifier", "RandomForestClassifier, 15 trees of depth 6 (wine, 3 classes)", "wine",
    "classification",
    lambda: RandomForestClassifier(n_estimators=15, max_depth=6, random_state=SEED),
)
sklearn_case(
    "breast-cancer-extra-trees-classifier", "ExtraTreesClassifier, 15 trees of depth 6 (breast cancer, 2 classes)",
    "breast_cancer", "classification",
    lambda: ExtraTreesClassifier(n_estimators=15, max_depth=6, random_state=SEED),
)
sklearn_case(
    "breast-cancer-gradient-boosting-classifier",
    "GradientBoostingClassifier, 20 trees of depth 3 (breast cancer, 2 classes)", "breast_cancer",
    "classification",
    lambda: GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=SEED),
)
sklearn_case(
    "iris-gradient-boosting-classifier-string-labels",
    "GradientBoostingClassifier, 15 rounds of depth 3 (iris, 3 classes, string labels)", "iris",
    "classification",
    lambda: GradientBoostingClassifier(n_estimators=15, max_depth=3, random_state=SEED),
    string_labels=True,
)
sklearn_case(
    "breast-cancer-hist-gradient-boosting-classifier",
    "HistGradientBoostingClassifier, 20 iterations (breast cancer, 2 classes)", "breast_cancer",
    "classification",
    lambda: HistGradientBoostingClassifier(max_iter=20, max_depth=4, random_state=SEED),
)
sklearn_case(
    "wine-hist-gradient-boosting-classifier",
    "HistGradientBoostingClassifier, 15 iterations (wine, 3 classes)", "wine", "classification",
    lambda: HistGradientBoostingClassifier(max_iter=15, max_depth=4, random_state=SEED),
)
sklearn_case(
    "iris-knn-classifier", "KNeighborsClassifier, k=5 (iris, 3 classes, int labels)", "iris", "classification",
    lambda: KNeighborsClassifier(n_neighbors=5),
)
sklearn_case(
    "iris-gaussian-nb-string-labels", "GaussianNB (iris, 3 classes, string labels)", "iris", "classification",
    GaussianNB,
    string_labels=True,
)
sklearn_case(
    "digits-mlp-classifier", "StandardScaler + MLPClassifier, one hidden layer of 32 (digits, 10 classes)",
    "digits", "classification",
    lambda: make_pipeline(
        StandardScaler(), MLPClassifier(hidden_layer_sizes=(32,), max_iter=500, random_state=SEED)
    ),
)
sklearn_case(
    "wine-imputer-logistic-regression-nan",
    "SimpleImputer (mean) + StandardScaler + LogisticRegression (wine with NaN cells, 3 classes)", "wine",
    "classification",
    lambda: make_pipeline(
        SimpleImputer(strategy="mean"), StandardScaler(), LogisticRegression(max_iter=1000, random_state=SEED)
    ),
    nans=True,
)
sklearn_case(
    "digits-binarizer-logistic-regression", "Binarizer (threshold 7) + LogisticRegression (digits, 10 classes)",
    "digits", "classification",
    lambda: make_pipeline(Binarizer(threshold=7.0), LogisticRegression(max_iter=1000, random_state=SEED)),
)
sklearn_case(
    "iris-normalizer-l1-logistic-regression", "Normalizer (l1) + LogisticRegression (iris, 3 classes)", "iris",
    "classification",
    lambda: make_pipeline(Normalizer(norm="l1"), LogisticRegression(max_iter=1000, random_state=SEED)),
)
sklearn_case(
    "wine-normalizer-l2-logistic-regression", "Normalizer (l2) + LogisticRegression (wine, 3 classes)", "wine",
    "classification",
    lambda: make_pipeline(Normalizer(norm="l2"), LogisticRegression(max_iter=5000, random_state=SEED)),
)
sklearn_case(
    "breast-cancer-normalizer-max-logistic-regression",
    "Normalizer (max) + LogisticRegression (breast cancer, 2 classes)", "breast_cancer", "classification",
    lambda: make_pipeline(Normalizer(norm="max"), LogisticRegression(max_iter=5000, random_state=SEED)),
)
sklearn_case(
    "wine-pca-logistic-regression", "StandardScaler + PCA (5 components) + LogisticRegression (wine, 3 classes)",
    "wine", "classification",
    lambda: make_pipeline(
        StandardScaler(), PCA(n_components=5, random_state=SEED), LogisticRegression(max_iter=1000, random_state=SEED)
    ),
)
column_case(
    "diabetes-column-transformer-ordinal-logistic-regression",
    "ColumnTransformer (RobustScaler on 8 numeric columns, OrdinalEncoder on 2 string columns) +"
    " LogisticRegression (diabetes, progression > 140, string labels)",
    "classification",
    lambda: make_pipeline(
        numeric_then_strings(RobustScaler(), OrdinalEncoder()), LogisticRegression(max_iter=1000, random_state=SEED)
    ),
)


# ---------------------------------------------------------------------------------------
# Hand-built models
#
# Graphs made with `onnx.helper` for ONNX-ML features that skl2onnx does not emit today.
# Some start from a skl2onnx export and change an attribute or rewrite a node.

FLOAT, INT64, STRING, DOUBLE = TensorProto.FLOAT, TensorProto.INT64, TensorProto.STRING, TensorProto.DOUBLE
POST_TRANSFORMS = {"NONE": 0, "SOFTMAX": 1, "LOGISTIC": 2, "SOFTMAX_ZERO": 3, "PROBIT": 4}
AGGREGATES = {"AVERAGE": 0, "SUM": 1, "MIN": 2, "MAX": 3}
MODES = {"BRANCH_LEQ": 0, "BRANCH_LT": 1, "BRANCH_GTE": 2, "BRANCH_GT": 3, "BRANCH_EQ": 4, "BRANCH_NEQ": 5,
         "BRANCH_MEMBER": 6}


def hand_case(name: str, description: str, dataset: str, task: str):
    """Decorator: registers `build(case) -> (model, inputs)` as a hand-built case."""

    def register(build):
        CASES.append(Case(name, description, f"load_{dataset}", task, build, hand_built=True))
        return build

    return register


def info(name: str, elem_type: int, width: int | None) -> onnx.ValueInfoProto:
    shape = [None] if width is None else [None, width]
    return helper.make_tensor_value_info(name, elem_type, shape)


def graph_model(name: str, description: str, nodes, inputs, outputs, ml_opset: int = 3,
                initializers=()) -> onnx.ModelProto:
    graph = helper.make_graph(nodes, name.replace("-", "_"), inputs, outputs, initializer=list(initializers))
    opset_ids = [helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", ml_opset)]
    model = helper.make_model(
        graph,
        opset_imports=opset_ids,
        producer_name=PRODUCER,
        ir_version=helper.find_min_ir_version_for(opset_ids),
    )
    model.doc_string = description
    return model


def ml_node(op_type: str, inputs: list[str], outputs: list[str], **attrs) -> onnx.NodeProto:
    return helper.make_node(op_type, inputs, outputs, name=op_type, domain="ai.onnx.ml", **attrs)


def attributes(node: onnx.NodeProto) -> dict:
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def set_attribute(node: onnx.NodeProto, name: str, value) -> None:
    kept = [a for a in node.attribute if a.name != name]
    del node.attribute[:]
    node.attribute.extend(kept + [helper.make_attribute(name, value)])
    node.attribute.sort(key=lambda a: a.name)


def only_node(proto: onnx.ModelProto, op_type: str) -> onnx.NodeProto:
    found = [n for n in proto.graph.node if n.op_type == op_type]
    assert len(found) == 1, f"expected one {op_type} node, found {len(found)}"
    return found[0]


def unit_interval(y: np.ndarray) -> np.ndarray:
    """`y` mapped linearly onto [0.05, 0.95]: a target whose PROBIT is finite."""
    lo, hi = y.min(), y.max()
    return 0.05 + 0.9 * (y - lo) / (hi - lo)


def iris_golden_columns() -> dict[str, np.ndarray]:
    """The first 20 held-out iris rows as the columns the hand-built encoders read: the
    species as a string and as an int64 code, and the petal width. Every fifth row gets a
    value outside the encoders' keys ("daisy", 7, 9.5) to exercise the defaults."""
    data = load("iris")
    species = np.array(data.target_names, dtype=object)[data.y_test[:GOLDEN_ROWS]]
    codes = data.y_test[:GOLDEN_ROWS].astype(np.int64)
    width = data.golden[:, 3].astype(np.float32)
    unknown = np.arange(GOLDEN_ROWS) % 5 == 4
    species[unknown], codes[unknown], width[unknown] = "daisy", 7, 9.5
    return {"species": species.reshape(-1, 1), "code": codes.reshape(-1, 1), "width": width.reshape(-1, 1)}


IRIS_NAMES = ["setosa", "versicolor", "virginica"]
PETAL_WIDTHS = [0.1, 0.2, 0.3, 0.4, 1.0, 1.3, 1.5, 1.8, 2.0, 2.3]


# Tree ensembles ---------------------------------------------------------------------------


@hand_case(
    "diabetes-tree-ensemble-regressor-probit",
    "RandomForestRegressor (10 trees, depth 5) on a target scaled into [0.05, 0.95], TreeEnsembleRegressor"
    " post_transform set to PROBIT (diabetes)",
    "diabetes", "regression",
)
def probit_forest(case: Case):
    data = load("diabetes", classification=False)
    model = RandomForestRegressor(n_estimators=10, max_depth=5, random_state=SEED)
    model.fit(data.x_train, unit_interval(data.y_train))
    onx = export(model, case.name, case.description, [("input", FloatTensorType([None, 10]))])
    set_attribute(only_node(onx, "TreeEnsembleRegressor"), "post_transform", "PROBIT")
    return onx, {"input": data.golden.astype(np.float32)}


@hand_case(
    "diabetes-tree-ensemble-regressor-max",
    "RandomForestRegressor (10 trees, depth 5), TreeEnsembleRegressor aggregate_function set to MAX (diabetes)",
    "diabetes", "regression",
)
def max_forest(case: Case):
    data = load("diabetes", classification=False)
    model = RandomForestRegressor(n_estimators=10, max_depth=5, random_state=SEED).fit(data.x_train, data.y_train)
    onx = export(model, case.name, case.description, [("input", FloatTensorType([None, 10]))])
    node = only_node(onx, "TreeEnsembleRegressor")
    set_attribute(node, "aggregate_function", "MAX")
    # The forest's 1/10 tree weights would make MAX meaningless; give each tree weight 1.
    set_attribute(node, "target_weights", [w * 10 for w in attributes(node)["target_weights"]])
    return onx, {"input": data.golden.astype(np.float32)}


@hand_case(
    "iris-tree-ensemble-classifier-softmax-zero",
    "RandomForestClassifier (10 trees, depth 4), TreeEnsembleClassifier post_transform set to SOFTMAX_ZERO"
    " (iris, 3 classes)",
    "iris", "classification",
)
def softmax_zero_forest(case: Case):
    data = load("iris")
    model = RandomForestClassifier(n_estimators=10, max_depth=4, random_state=SEED).fit(data.x_train, data.y_train)
    onx = export(model, case.name, case.description, [("input", FloatTensorType([None, 4]))])
    set_attribute(only_node(onx, "TreeEnsembleClassifier"), "post_transform", "SOFTMAX_ZERO")
    return onx, {"input": data.golden.astype(np.float32)}


def tree_ensemble_v5(old: onnx.NodeProto) -> onnx.NodeProto:
    """Rewrites a one-target TreeEnsembleRegressor (ai.onnx.ml 1-3) as a TreeEnsemble
    (ai.onnx.ml 5): interior nodes and leaves in separate lists, children as indices
    into one or the other. TreeEnsemble has no base_values: the base value is added to
    every leaf of the first tree, which gives the same sum."""
    a = attributes(old)
    trees, ids = a["nodes_treeids"], a["nodes_nodeids"]
    modes = [m.decode() for m in a["nodes_modes"]]
    row = {(t, n): i for i, (t, n) in enumerate(zip(trees, ids))}
    assert set(a["target_ids"]) == {0}, "one target only"
    weights: dict[tuple[int, int], float] = {}
    for t, n, w in zip(a["target_treeids"], a["target_nodeids"], a["target_weights"]):
        weights[(t, n)] = weights.get((t, n), 0.0) + w
    base = float(a.get("base_values", [0.0])[0])
    interior = [k for k, i in row.items() if modes[i] != "LEAF"]
    leaves = [k for k, i in row.items() if modes[i] == "LEAF"]
    interior_at = {k: j for j, k in enumerate(interior)}
    leaf_at = {k: j for j, k in enumerate(leaves)}
    first_tree = min(trees)

    def child(t: int, n: int) -> tuple[int, int]:
        key = (t, n)
        return (1, leaf_at[key]) if key in leaf_at else (0, interior_at[key])

    true_children = [child(t, a["nodes_truenodeids"][row[(t, n)]]) for t, n in interior]
    false_children = [child(t, a["nodes_falsenodeids"][row[(t, n)]]) for t, n in interior]
    missing = a.get("nodes_missing_value_tracks_true") or [0] * len(trees)
    roots = sorted({t for t, _ in interior})
    # A tree's root is its node 0, which skl2onnx always lists first.
    tree_roots = [interior_at[(t, 0)] for t in roots]
    leaf_weights = [weights[k] + (base if k[0] == first_tree else 0.0) for k in leaves]
    return ml_node(
        "TreeEnsemble",
        list(old.input),
        list(old.output),
        n_targets=1,
        aggregate_function=AGGREGATES[a.get("aggregate_function", b"SUM").decode()],
        post_transform=POST_TRANSFORMS[a.get("post_transform", b"NONE").decode()],
        tree_roots=tree_roots,
        nodes_featureids=[a["nodes_featureids"][row[k]] for k in interior],
        nodes_modes=numpy_helper.from_array(np.array([MODES[modes[row[k]]] for k in interior], dtype=np.uint8)),
        nodes_splits=numpy_helper.from_array(np.array([a["nodes_values"][row[k]] for k in interior], dtype=np.float32)),
        nodes_missing_value_tracks_true=[int(missing[row[k]]) for k in interior],
        nodes_truenodeids=[c[1] for c in true_children],
        nodes_trueleafs=[c[0] for c in true_children],
        nodes_falsenodeids=[c[1] for c in false_children],
        nodes_falseleafs=[c[0] for c in false_children],
        leaf_targetids=[0] * len(leaves),
        leaf_weights=numpy_helper.from_array(np.array(leaf_weights, dtype=np.float32)),
    )


def v5_from(case: Case, model, n_features: int) -> onnx.ModelProto:
    onx = export(model, case.name, "", [("input", FloatTensorType([None, n_features]))])
    old = only_node(onx, "TreeEnsembleRegressor")
    return graph_model(
        case.name, case.description, [tree_ensemble_v5(old)],
        [info("input", FLOAT, n_features)], [info(old.output[0], FLOAT, 1)], ml_opset=5,
    )


@hand_case(
    "diabetes-tree-ensemble-v5-average",
    "RandomForestRegressor (10 trees, depth 5) rewritten as TreeEnsemble (ai.onnx.ml 5), aggregate AVERAGE"
    " (diabetes)",
    "diabetes", "regression",
)
def v5_forest(case: Case):
    data = load("diabetes", classification=False)
    model = RandomForestRegressor(n_estimators=10, max_depth=5, random_state=SEED).fit(data.x_train, data.y_train)
    return v5_from(case, model, 10), {"input": data.golden.astype(np.float32)}


@hand_case(
    "diabetes-tree-ensemble-v5-sum-nan",
    "HistGradientBoostingRegressor (15 iterations) rewritten as TreeEnsemble (ai.onnx.ml 5), aggregate SUM,"
    " missing values tracked (diabetes with NaN cells)",
    "diabetes", "regression",
)
def v5_boosting(case: Case):
    data = load("diabetes", nans=True, classification=False)
    model = HistGradientBoostingRegressor(max_iter=15, max_depth=4, random_state=SEED).fit(data.x_train, data.y_train)
    return v5_from(case, model, 10), {"input": data.golden.astype(np.float32)}


@hand_case(
    "iris-tree-ensemble-v5-modes",
    "Hand-written TreeEnsemble (ai.onnx.ml 5): 2 trees, 2 targets, every branch mode including BRANCH_MEMBER,"
    " missing-value tracking, post_transform LOGISTIC (iris with NaN cells)",
    "iris", "transform",
)
def v5_modes(case: Case):
    data = load("iris", nans=True)
    # Tree 0: interior nodes 0..3; tree 1: interior nodes 4..6. Leaves 0..4 for tree 0,
    # 5..8 for tree 1. Features: 0 sepal length, 1 sepal width, 2 petal length, 3 petal width.
    nodes = [
        # mode, feature, split, true (leaf?, id), false (leaf?, id), missing tracks true
        ("BRANCH_LEQ", 2, 2.45, (0, 1), (0, 2), 1),  # 0
        ("BRANCH_LT", 1, 3.4, (1, 0), (1, 1), 0),  # 1
        ("BRANCH_GTE", 3, 1.75, (1, 2), (0, 3), 0),  # 2
        ("BRANCH_MEMBER", 3, 0.0, (1, 3), (1, 4), 1),  # 3: petal width in {1.3, 1.5, 1.0}
        ("BRANCH_GT", 0, 5.8, (0, 5), (0, 6), 0),  # 4
        ("BRANCH_EQ", 1, 3.0, (1, 5), (1, 6), 1),  # 5
        ("BRANCH_NEQ", 2, 1.5, (1, 7), (1, 8), 0),  # 6
    ]
    leaves = [(0, 0.5), (0, -0.25), (1, 1.5), (0, 0.75), (1, -1.0), (1, 0.3), (0, 0.9), (1, -0.6), (0, 0.1)]
    node = ml_node(
        "TreeEnsemble", ["input"], ["scores"],
        n_targets=2,
        aggregate_function=AGGREGATES["SUM"],
        post_transform=POST_TRANSFORMS["LOGISTIC"],
        tree_roots=[0, 4],
        nodes_featureids=[n[1] for n in nodes],
        nodes_modes=numpy_helper.from_array(np.array([MODES[n[0]] for n in nodes], dtype=np.uint8)),
        nodes_splits=numpy_helper.from_array(np.array([n[2] for n in nodes], dtype=np.float32)),
        nodes_trueleafs=[n[3][0] for n in nodes],
        nodes_truenodeids=[n[3][1] for n in nodes],
        nodes_falseleafs=[n[4][0] for n in nodes],
        nodes_falsenodeids=[n[4][1] for n in nodes],
        nodes_missing_value_tracks_true=[n[5] for n in nodes],
        membership_values=numpy_helper.from_array(np.array([1.3, 1.5, 1.0], dtype=np.float32)),
        leaf_targetids=[t for t, _ in leaves],
        leaf_weights=numpy_helper.from_array(np.array([w for _, w in leaves], dtype=np.float32)),
    )
    model = graph_model(case.name, case.description, [node], [info("input", FLOAT, 4)],
                        [info("scores", FLOAT, 2)], ml_opset=5)
    return model, {"input": data.golden.astype(np.float32)}


# Label encoders and category mappers --------------------------------------------------------


def label_encoder_case(name: str, description: str, source: str, out_type: int, ml_opset: int, **attrs):
    """A LabelEncoder from one of the iris columns of `iris_golden_columns` (species,
    code or width) to `out_type`."""
    in_type = {"species": STRING, "code": INT64, "width": FLOAT}[source]

    def build(_case):
        node = ml_node("LabelEncoder", ["input"], ["output"], **attrs)
        model = graph_model(name, description, [node], [info("input", in_type, 1)],
                            [info("output", out_type, 1)], ml_opset=ml_opset)
        return model, {"input": iris_golden_columns()[source]}

    CASES.append(Case(name, description, "load_iris", "transform", build, hand_built=True))


WIDTH_CODES = list(range(len(PETAL_WIDTHS)))
label_encoder_case(
    "label-encoder-string-to-int64", "Hand-built LabelEncoder, string -> int64, default -1 (ai.onnx.ml 2)",
    "species", INT64, 2, keys_strings=IRIS_NAMES, values_int64s=[10, 20, 30], default_int64=-1,
)
label_encoder_case(
    "label-encoder-int64-to-string", "Hand-built LabelEncoder, int64 -> string, default \"unknown\" (ai.onnx.ml 2)",
    "code", STRING, 2, keys_int64s=[0, 1, 2], values_strings=IRIS_NAMES, default_string="unknown",
)
label_encoder_case(
    "label-encoder-string-to-string", "Hand-built LabelEncoder, string -> string, default \"?\" (ai.onnx.ml 2)",
    "species", STRING, 2, keys_strings=IRIS_NAMES, values_strings=["Iris setosa", "Iris versicolor", "Iris virginica"],
    default_string="?",
)
label_encoder_case(
    "label-encoder-int64-to-float", "Hand-built LabelEncoder, int64 -> float, default -0.5 (ai.onnx.ml 2)",
    "code", FLOAT, 2, keys_int64s=[0, 1, 2], values_floats=[0.25, 1.5, 2.75], default_float=-0.5,
)
label_encoder_case(
    "label-encoder-float-to-int64", "Hand-built LabelEncoder, float -> int64, default -1 (ai.onnx.ml 2)",
    "width", INT64, 2, keys_floats=PETAL_WIDTHS, values_int64s=WIDTH_CODES, default_int64=-1,
)
label_encoder_case(
    "label-encoder-float-to-string", "Hand-built LabelEncoder, float -> string, default \"other\" (ai.onnx.ml 2)",
    "width", STRING, 2, keys_floats=PETAL_WIDTHS, values_strings=[f"w{w}" for w in PETAL_WIDTHS],
    default_string="other",
)
label_encoder_case(
    "label-encoder-string-to-float", "Hand-built LabelEncoder, string -> float, default -1 (ai.onnx.ml 2)",
    "species", FLOAT, 2, keys_strings=IRIS_NAMES, values_floats=[1.25, 4.5, 5.5], default_float=-1.0,
)
label_encoder_case(
    "label-encoder-int64-to-int64", "Hand-built LabelEncoder, int64 -> int64, default 99 (ai.onnx.ml 2)",
    "code", INT64, 2, keys_int64s=[0, 1, 2], values_int64s=[2, 0, 1], default_int64=99,
)
label_encoder_case(
    "label-encoder-float-to-float", "Hand-built LabelEncoder, float -> float, default 0 (ai.onnx.ml 2)",
    "width", FLOAT, 2, keys_floats=PETAL_WIDTHS, values_floats=[w * 10 for w in PETAL_WIDTHS], default_float=0.0,
)
label_encoder_case(
    "label-encoder-v4-string-to-int64-tensor",
    "Hand-built LabelEncoder, string -> int64 with keys_tensor, values_tensor and default_tensor (ai.onnx.ml 4)",
    "species", INT64, 4,
    keys_tensor=helper.make_tensor("keys", STRING, [3], [n.encode() for n in IRIS_NAMES]),
    values_tensor=numpy_helper.from_array(np.array([10, 20, 30], dtype=np.int64), "values"),
    default_tensor=numpy_helper.from_array(np.array([-7], dtype=np.int64), "default"),
)
label_encoder_case(
    "label-encoder-v4-int64-to-double-tensor",
    "Hand-built LabelEncoder, int64 -> double with values_tensor and default_tensor (ai.onnx.ml 4)",
    "code", DOUBLE, 4,
    keys_int64s=[0, 1, 2],
    values_tensor=numpy_helper.from_array(np.array([0.125, 1.0 / 3.0, 2.5e10], dtype=np.float64), "values"),
    default_tensor=numpy_helper.from_array(np.array([-1.5], dtype=np.float64), "default"),
)


def category_mapper_case(name: str, description: str, source: str, out_type: int, **attrs):
    in_type = {"species": STRING, "code": INT64}[source]

    def build(_case):
        node = ml_node("CategoryMapper", ["input"], ["output"], **attrs)
        model = graph_model(name, description, [node], [info("input", in_type, 1)], [info("output", out_type, 1)])
        return model, {"input": iris_golden_columns()[source]}

    CASES.append(Case(name, description, "load_iris", "transform", build, hand_built=True))


category_mapper_case(
    "category-mapper-string-to-int64", "Hand-built CategoryMapper, string -> int64, default -1", "species", INT64,
    cats_strings=IRIS_NAMES, cats_int64s=[100, 200, 300], default_int64=-1,
)
category_mapper_case(
    "category-mapper-int64-to-string", "Hand-built CategoryMapper, int64 -> string, default \"none\"", "code", STRING,
    cats_strings=IRIS_NAMES, cats_int64s=[0, 1, 2], default_string="none",
)


# Simple transforms --------------------------------------------------------------------------


def iris_rows() -> np.ndarray:
    return load("iris").golden.astype(np.float32)


@hand_case("digits-picture-channel-means",
           "Hand-built picture model: the mean of each channel of a [N, 3, 16, 16] picture (ReduceMean)",
           "digits", "transform")
def picture_channel_means(case: Case):
    # Digits upscaled to 16x16, as three colour channels: ink, paper and ink squared.
    ink = np.kron(load("digits").golden.reshape(-1, 8, 8) / 16.0, np.ones((2, 2)))
    pictures = np.stack([ink, 1.0 - ink, ink**2], axis=1).astype(np.float32)
    node = helper.make_node("ReduceMean", ["image"], ["channel_means"], name="ReduceMean", axes=[2, 3], keepdims=0)
    model = graph_model(case.name, case.description, [node],
                        [helper.make_tensor_value_info("image", FLOAT, [None, 3, 16, 16])],
                        [info("channel_means", FLOAT, 3)])
    return model, {"image": pictures}


@hand_case("iris-binarizer", "Hand-built Binarizer, threshold 1.5", "iris", "transform")
def binarizer(case: Case):
    node = ml_node("Binarizer", ["input"], ["output"], threshold=1.5)
    model = graph_model(case.name, case.description, [node],
                        [info("input", FLOAT, 4)], [info("output", FLOAT, 4)])
    return model, {"input": iris_rows()}


@hand_case("wine-feature-vectorizer", "Hand-built FeatureVectorizer joining two float inputs of widths 3 and 2",
           "wine", "transform")
def feature_vectorizer(case: Case):
    rows = load("wine").golden.astype(np.float32)
    node = ml_node("FeatureVectorizer", ["first", "second"], ["output"], inputdimensions=[3, 2])
    model = graph_model(case.name, case.description, [node],
                        [info("first", FLOAT, 3), info("second", FLOAT, 2)], [info("output", FLOAT, 5)])
    return model, {"first": rows[:, :3], "second": rows[:, 3:5]}


@hand_case("iris-imputer-float-nan", "Hand-built Imputer replacing NaN with per-column training means",
           "iris", "transform")
def imputer_float(case: Case):
    data = load("iris", nans=True)
    means = np.nanmean(data.x_train, axis=0).astype(np.float32)
    node = ml_node("Imputer", ["input"], ["output"], replaced_value_float=float("nan"),
                   imputed_value_floats=[float(m) for m in means])
    model = graph_model(case.name, case.description, [node],
                        [info("input", FLOAT, 4)], [info("output", FLOAT, 4)])
    return model, {"input": data.golden.astype(np.float32)}


@hand_case("digits-imputer-int64", "Hand-built Imputer on int64 pixels replacing 0 with a single value, -1",
           "digits", "transform")
def imputer_int64(case: Case):
    rows = load("digits").golden.astype(np.int64)
    node = ml_node("Imputer", ["input"], ["output"], replaced_value_int64=0, imputed_value_int64s=[-1])
    model = graph_model(case.name, case.description, [node],
                        [info("input", INT64, 64)], [info("output", INT64, 64)])
    return model, {"input": rows}


@hand_case("iris-scaler", "Hand-built Scaler with one offset and one scale per column", "iris", "transform")
def scaler(case: Case):
    data = load("iris")
    mean, std = data.x_train.mean(axis=0), data.x_train.std(axis=0)
    node = ml_node("Scaler", ["input"], ["output"], offset=[float(v) for v in mean],
                   scale=[float(1 / v) for v in std])
    model = graph_model(case.name, case.description, [node],
                        [info("input", FLOAT, 4)], [info("output", FLOAT, 4)])
    return model, {"input": data.golden.astype(np.float32)}


@hand_case("digits-scaler-int64-broadcast",
           "Hand-built Scaler on int64 pixels, a single offset (8) and scale (0.125) for all 64 columns",
           "digits", "transform")
def scaler_int64(case: Case):
    rows = load("digits").golden.astype(np.int64)
    node = ml_node("Scaler", ["input"], ["output"], offset=[8.0], scale=[0.125])
    model = graph_model(case.name, case.description,
                        [node], [info("input", INT64, 64)], [info("output", FLOAT, 64)])
    return model, {"input": rows}


@hand_case("digits-one-hot-encoder-int64",
           "Hand-built OneHotEncoder with cats_int64s [0, 4, 8, 12, 16] on two int64 pixel columns, zeros=1",
           "digits", "transform")
def one_hot_int64(case: Case):
    rows = load("digits").golden[:, 20:22].astype(np.int64)
    node = ml_node("OneHotEncoder", ["input"], ["output"], cats_int64s=[0, 4, 8, 12, 16], zeros=1)
    output = helper.make_tensor_value_info("output", FLOAT, [None, 2, 5])
    model = graph_model(case.name, case.description,
                        [node], [info("input", INT64, 2)], [output])
    return model, {"input": rows}


@hand_case("iris-array-feature-extractor", "Hand-built ArrayFeatureExtractor taking columns 3 and 0",
           "iris", "transform")
def array_feature_extractor(case: Case):
    indices = numpy_helper.from_array(np.array([3, 0], dtype=np.int64), "indices")
    node = ml_node("ArrayFeatureExtractor", ["input", "indices"], ["output"])
    model = graph_model(case.name, case.description,
                        [node], [info("input", FLOAT, 4)], [info("output", FLOAT, 2)], initializers=[indices])
    return model, {"input": iris_rows()}


# Support vector machines ----------------------------------------------------------------------


def svm_node_model(case: Case, model, n_features: int, op_type: str, outputs, **changes) -> onnx.ModelProto:
    """The single SVMClassifier or SVMRegressor node skl2onnx makes for `model`, alone in
    a graph, with some attributes changed."""
    onx = export(model, case.name, "", [("input", FloatTensorType([None, n_features]))])
    old = only_node(onx, op_type)
    node = ml_node(op_type, ["input"], [o.name for o in outputs], **attributes(old))
    for key, value in changes.items():
        set_attribute(node, key, value)
    return graph_model(case.name, case.description, [node], [info("input", FLOAT, n_features)], outputs)


@hand_case("breast-cancer-svm-classifier-linear-logistic",
           "SVC (linear kernel, no probabilities) as a lone SVMClassifier node with post_transform LOGISTIC"
           " (breast cancer, 2 classes, first 8 features standardised)",
           "breast_cancer", "classification")
def svm_classifier_logistic(case: Case):
    data = load("breast_cancer")
    x = data.x_train[:, :8]
    mean, std = x.mean(axis=0), x.std(axis=0)
    model = SVC(kernel="linear", C=0.1, random_state=SEED).fit((x - mean) / std, data.y_train)
    outputs = [info("label", INT64, None), helper.make_tensor_value_info("scores", FLOAT, [None, None])]
    onx = svm_node_model(case, model, 8, "SVMClassifier", outputs,
                         post_transform="LOGISTIC")
    return onx, {"input": ((data.golden[:, :8] - mean) / std).astype(np.float32)}


@hand_case("iris-svm-classifier-rbf-softmax",
           "SVC (RBF kernel, no probabilities) as a lone SVMClassifier node with post_transform SOFTMAX"
           " (iris, 3 classes)",
           "iris", "classification")
def svm_classifier_softmax(case: Case):
    data = load("iris")
    model = SVC(kernel="rbf", random_state=SEED).fit(data.x_train, data.y_train)
    outputs = [info("label", INT64, None), helper.make_tensor_value_info("scores", FLOAT, [None, None])]
    onx = svm_node_model(case, model, 4, "SVMClassifier", outputs,
                         post_transform="SOFTMAX")
    return onx, {"input": data.golden.astype(np.float32)}


@hand_case("iris-svm-classifier-sigmoid-probability",
           "SVC (sigmoid kernel, coef0 -1, probability=True) as a lone SVMClassifier node with prob_a/prob_b"
           " (iris, 3 classes, standardised)",
           "iris", "classification")
def svm_classifier_sigmoid(case: Case):
    data = load("iris")
    mean, std = data.x_train.mean(axis=0), data.x_train.std(axis=0)
    model = SVC(kernel="sigmoid", gamma=0.2, coef0=-1.0, C=10.0, probability=True, random_state=SEED)
    model.fit((data.x_train - mean) / std, data.y_train)
    outputs = [info("label", INT64, None), helper.make_tensor_value_info("scores", FLOAT, [None, 3])]
    onx = svm_node_model(case, model, 4, "SVMClassifier", outputs)
    return onx, {"input": ((data.golden - mean) / std).astype(np.float32)}


@hand_case("iris-svm-regressor-one-class",
           "OneClassSVM (RBF kernel, nu 0.1) as a lone SVMRegressor node with one_class=1 (iris, standardised)",
           "iris", "transform")
def svm_one_class(case: Case):
    data = load("iris")
    mean, std = data.x_train.mean(axis=0), data.x_train.std(axis=0)
    model = OneClassSVM(kernel="rbf", nu=0.1, gamma=0.5).fit((data.x_train - mean) / std)
    onx = svm_node_model(case, model, 4, "SVMRegressor",
                         [info("output", FLOAT, 1)], one_class=1)
    return onx, {"input": ((data.golden - mean) / std).astype(np.float32)}




# ---------------------------------------------------------------------------------------
# Running and writing


def sort_opset_imports(proto: onnx.ModelProto) -> None:
    """skl2onnx lists the opset imports in set order, which changes with Python's hash
    seed; sorting them by domain makes the file the same on every run."""
    imports = sorted((op.domain, op.version) for op in proto.opset_import)
    del proto.opset_import[:]
    proto.opset_import.extend(helper.make_opsetid(domain, version) for domain, version in imports)


def operators(proto: onnx.ModelProto) -> list[str]:
    return sorted({f"{n.domain or 'ai.onnx'}:{n.op_type}" for n in proto.graph.node})


def opsets(proto: onnx.ModelProto) -> dict[str, int]:
    return {op.domain or "ai.onnx": op.version for op in proto.opset_import}


def write_json(path: Path, value) -> None:
    text = json.dumps(value, indent=1, ensure_ascii=False, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def ml_operators(used: dict[str, list[str]]) -> list[dict]:
    latest = {}
    for schema in onnx.defs.get_all_schemas_with_history():
        if schema.domain != "ai.onnx.ml":
            continue
        if schema.name not in latest or latest[schema.name].since_version < schema.since_version:
            latest[schema.name] = schema
    return [
        {
            "name": name,
            "since_version": schema.since_version,
            "deprecated": bool(schema.deprecated),
            "attributes": sorted(schema.attributes),
            "models": sorted(used.get(name, [])),
        }
        for name, schema in sorted(latest.items())
    ]


def main() -> None:
    warnings.filterwarnings("ignore")
    names = [c.name for c in CASES]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise SystemExit(f"duplicate case names: {sorted(duplicates)}")
    OUT.mkdir(parents=True, exist_ok=True)
    # Remove the folders of models no longer in the suite, and nothing else.
    for folder in sorted(OUT.iterdir()):
        if folder.is_dir() and folder.name not in names and (folder / "model.onnx").exists():
            shutil.rmtree(folder)
    manifest = []
    used: dict[str, list[str]] = {}
    failed = []
    for case in sorted(CASES, key=lambda c: c.name):
        try:
            proto, inputs = case.build(case)
            sort_opset_imports(proto)
            onnx.checker.check_model(proto, full_check=True)
            model_bytes = proto.SerializeToString()
            gold = golden(proto, inputs)
        except Exception as e:  # report every failing case, then fail
            failed.append(case.name)
            print(f"{case.name}: FAILED: {type(e).__name__}: {str(e)[:600]}")
            continue
        folder = OUT / case.name
        folder.mkdir(exist_ok=True)
        (folder / "model.onnx").write_bytes(model_bytes)
        write_json(folder / "golden.json", gold)
        ops = operators(proto)
        for op in ops:
            domain, op_type = op.split(":")
            if domain == "ai.onnx.ml":
                used.setdefault(op_type, []).append(case.name)
        manifest.append(
            {
                "name": case.name,
                "description": case.description,
                "dataset": case.dataset,
                "task": case.task,
                "operators": ops,
                "zipmap": bool(zipmaps(proto)),
                "string_inputs": any(i.type.tensor_type.elem_type == TensorProto.STRING for i in proto.graph.input),
                "hand_built": case.hand_built,
                "nan_inputs": any(
                    v is None for t in gold["inputs"].values() for vals in t["data"].values() for v in vals
                ),
                "opset": opsets(proto),
            }
        )
        print(f"{case.name}: {len(model_bytes)} bytes, {', '.join(ops)}")
    write_json(OUT / "manifest.json", manifest)
    write_json(OUT / "ml_operators.json", ml_operators(used))
    print(f"{len(manifest)} models")
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
