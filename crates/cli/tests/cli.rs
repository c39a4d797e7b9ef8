//! The `modelport` command as a user runs it: a registry built from scratch in a
//! temporary folder with the shipped iris forests (1.0.0, and the smaller, less accurate
//! 1.1.0), moved through the channels, tampered with and scored. Expected predictions
//! come from the golden files, that is from onnxruntime.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use modelport_core::registry::Action;
use modelport_core::{Channel, Golden, Registry};

fn shipped(name: &str, version: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models").join(name).join(version)
}

struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap() }
    }

    fn registry_file(&self) -> PathBuf {
        self.dir.path().join("models/registry.json")
    }

    fn modelport(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_modelport"))
            .arg("--registry")
            .arg(self.registry_file())
            .args(args)
            .env("USER", "tester")
            .output()
            .unwrap()
    }

    /// Runs and expects success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.modelport(args);
        assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects failure; returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.modelport(args);
        assert!(!out.status.success(), "{args:?} succeeded: {}", String::from_utf8_lossy(&out.stdout));
        String::from_utf8(out.stderr).unwrap()
    }

    fn register_iris_forest(&self, version: &str) {
        let folder = shipped("iris-forest", version);
        let path = |file: &str| folder.join(file).to_string_lossy().into_owned();
        self.ok(&[
            "register",
            &path("model.onnx"),
            "--name",
            "iris-forest",
            "--version",
            version,
            "--card",
            &path("card.json"),
            "--golden",
            &path("golden.json"),
        ]);
    }

    fn registry(&self) -> Registry {
        Registry::parse(&std::fs::read_to_string(self.registry_file()).unwrap()).unwrap()
    }

    fn channel(&self, channel: Channel) -> Option<String> {
        self.registry().model("iris-forest").unwrap().channels.get(&channel).cloned()
    }
}

#[test]
fn a_version_goes_through_staging_to_production_and_back() {
    let ws = Workspace::new();
    ws.register_iris_forest("1.0.0");
    assert_eq!(ws.channel(Channel::Development).as_deref(), Some("1.0.0"));
    assert!(ws.dir.path().join("models/iris-forest/1.0.0/model.onnx").is_file());

    let err = ws.fails(&["promote", "iris-forest", "1.0.0", "--to", "production"]);
    assert!(err.contains("is not on staging"), "{err}");
    let report = ws.ok(&["promote", "iris-forest", "1.0.0", "--to", "staging", "--reason", "first release"]);
    assert!(report.contains("pass  golden") && report.contains("pass  metric"), "{report}");
    ws.ok(&["promote", "iris-forest", "1.0.0", "--to", "production"]);
    assert_eq!(ws.channel(Channel::Production).as_deref(), Some("1.0.0"));

    // 1.1.0 is 2.6 points less accurate on the held-out split: the metric gate refuses
    // it at the default tolerance, and nothing changes.
    ws.register_iris_forest("1.1.0");
    let err = ws.fails(&["promote", "iris-forest", "1.1.0", "--to", "staging"]);
    assert!(err.contains("failed promotion gates: metric"), "{err}");
    assert_eq!(ws.channel(Channel::Staging).as_deref(), Some("1.0.0"));
    // A looser tolerance lets it through; --force overrides and is recorded.
    ws.ok(&["promote", "iris-forest", "1.1.0", "--to", "staging", "--tolerance", "0.05"]);
    let report = ws.ok(&["promote", "iris-forest", "1.1.0", "--to", "production", "--force", "--reason", "smaller"]);
    assert!(report.contains("FAIL  metric") && report.contains("forced"), "{report}");
    assert_eq!(ws.channel(Channel::Production).as_deref(), Some("1.1.0"));

    ws.ok(&["rollback", "iris-forest", "--channel", "production", "--reason", "complaints"]);
    assert_eq!(ws.channel(Channel::Production).as_deref(), Some("1.0.0"));
    let err = ws.fails(&["rollback", "iris-forest", "--channel", "production"]);
    assert!(err.contains("no earlier version on production"), "{err}");

    let registry = ws.registry();
    let history = &registry.model("iris-forest").unwrap().history;
    let actions: Vec<(Action, Channel, &str)> = history.iter().map(|e| (e.action, e.channel, e.to.as_str())).collect();
    assert_eq!(
        actions,
        [
            (Action::Register, Channel::Development, "1.0.0"),
            (Action::Promote, Channel::Staging, "1.0.0"),
            (Action::Promote, Channel::Production, "1.0.0"),
            (Action::Register, Channel::Development, "1.1.0"),
            (Action::Promote, Channel::Staging, "1.1.0"),
            (Action::Promote, Channel::Production, "1.1.0"),
            (Action::Rollback, Channel::Production, "1.0.0"),
        ]
    );
    let forced = &history[5];
    assert!(forced.forced && forced.by == "tester" && forced.reason.as_deref() == Some("smaller"));
    assert!(forced.gates.iter().any(|g| g.gate == "metric" && !g.passed));

    let printed = ws.ok(&["history", "iris-forest"]);
    assert_eq!(printed.lines().filter(|l| !l.starts_with("    ")).count(), 7, "{printed}");
    assert!(printed.contains("FORCED") && printed.contains("“complaints”"), "{printed}");
    assert!(ws.ok(&["verify"]).starts_with("ok: 1 models, 2 versions"));

    // A canary serves 1.1.0 to a quarter of production's visitors, and ends.
    let err = ws.fails(&["canary", "iris-forest", "2.0.0"]);
    assert!(err.contains("no version 2.0.0"), "{err}");
    ws.ok(&["canary", "iris-forest", "1.1.0", "--share", "0.25"]);
    let canary = ws.registry().model("iris-forest").unwrap().canary.clone().unwrap();
    assert_eq!((canary.version.as_str(), canary.share), ("1.1.0", 0.25));
    let production = ws.registry().for_environment(Channel::Production);
    assert!(production.model("iris-forest").unwrap().version("1.1.0").is_some());
    ws.ok(&["canary", "iris-forest", "--off"]);
    assert!(ws.registry().model("iris-forest").unwrap().canary.is_none());
}

#[test]
fn verify_catches_a_tampered_file_and_a_pointer_out_of_step() {
    let ws = Workspace::new();
    ws.register_iris_forest("1.0.0");
    let model = ws.dir.path().join("models/iris-forest/1.0.0/model.onnx");
    let mut bytes = std::fs::read(&model).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&model, bytes).unwrap();
    let out = ws.modelport(&["verify"]);
    assert!(!out.status.success());
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(report.contains("iris-forest 1.0.0: model.onnx has sha256"), "{report}");
    // Scoring refuses the altered file too.
    let err = ws.fails(&["score", "--model", "iris-forest@1.0.0", "--input", "x.csv"]);
    assert!(err.contains("does not match the registry's sha256"), "{err}");

    let mut registry = ws.registry();
    registry.models[0].channels.insert(Channel::Staging, "1.0.0".into());
    std::fs::write(ws.registry_file(), registry.to_json()).unwrap();
    let report = String::from_utf8(ws.modelport(&["verify"]).stdout).unwrap();
    assert!(report.contains("staging points at 1.0.0, but its history ends at nothing"), "{report}");
}

#[test]
fn bad_input_gets_a_clear_error_and_a_failing_status() {
    let ws = Workspace::new();
    let model = shipped("iris-forest", "1.0.0").join("model.onnx");
    let model = model.to_str().unwrap();
    let err = ws.fails(&["register", model, "--name", "iris-forest", "--version", "1.0"]);
    assert!(err.contains("“1.0” is not a semantic version"), "{err}");
    let err = ws.fails(&["register", "missing.onnx", "--name", "iris-forest", "--version", "1.0.0"]);
    assert!(err.contains("could not read missing.onnx"), "{err}");
    // Another model's golden rows: the forest does not reproduce them.
    let golden = shipped("iris-logreg", "1.0.0").join("golden.json");
    let err = ws.fails(&["register", model, "--name", "f", "--version", "1.0.0", "--golden", golden.to_str().unwrap()]);
    assert!(err.contains("does not reproduce"), "{err}");
    // The wine card's 13 features do not fit the forest's 4 inputs.
    let card = shipped("wine-boosting", "1.0.0").join("card.json");
    let err = ws.fails(&["register", model, "--name", "f", "--version", "1.0.0", "--card", card.to_str().unwrap()]);
    assert!(err.contains("the card's example row does not run"), "{err}");
    assert!(!ws.registry_file().exists(), "a refused registration writes nothing");

    ws.register_iris_forest("1.0.0");
    let err = ws.fails(&["promote", "nope", "1.0.0", "--to", "staging"]);
    assert!(err.contains("no model named “nope”"), "{err}");
    let err = ws.fails(&["promote", "iris-forest", "2.0.0", "--to", "staging"]);
    assert!(err.contains("has no version 2.0.0"), "{err}");
    let err = ws.fails(&["promote", "iris-forest", "1.0.0", "--to", "prod"]);
    assert!(err.contains("“prod” is not a channel"), "{err}");

    std::fs::write(ws.registry_file(), "{\"format\": \"modelport-registry/2\",\n \"models\": [}").unwrap();
    let err = ws.fails(&["history", "iris-forest"]);
    assert!(err.contains("registry.json: line 2, column 13"), "{err}");
}

#[test]
fn every_subcommand_has_help() {
    let ws = Workspace::new();
    for command in ["register", "promote", "rollback", "canary", "history", "verify", "score"] {
        let help = ws.ok(&[command, "--help"]);
        assert!(help.contains("Usage: modelport"), "{command}: {help}");
    }
}

/// The golden rows as CSV with the card's feature names, columns in reverse order.
fn golden_csv(golden: &Golden, rows: usize) -> String {
    let names = ["sepal length", "sepal width", "petal length", "petal width"];
    let input = &golden.inputs["input"];
    let mut csv = names.iter().rev().copied().collect::<Vec<_>>().join(",") + "\n";
    for row in 0..rows {
        let cells: Vec<String> = (0..4).rev().map(|c| input.data.number(row * 4 + c).unwrap().to_string()).collect();
        csv += &(cells.join(",") + "\n");
    }
    csv
}

#[test]
fn scoring_keeps_every_row_in_order_with_an_error_for_the_bad_ones() {
    let ws = Workspace::new();
    ws.register_iris_forest("1.0.0");
    let golden: Golden =
        serde_json::from_str(&std::fs::read_to_string(shipped("iris-forest", "1.0.0").join("golden.json")).unwrap())
            .unwrap();
    let mut csv = golden_csv(&golden, 6);
    // Lines 8 to 10: a word, a short row, an empty cell; then a good row again.
    csv += "0.2,1.4,three,5.1\n0.2,1.4\n0.2,,3.5,5.1\n";
    csv += golden_csv(&golden, 1).lines().nth(1).unwrap();
    csv += "\n";
    let input = ws.dir.path().join("in.csv");
    std::fs::write(&input, csv).unwrap();
    let output = ws.dir.path().join("out.csv");
    let out = ws.modelport(&[
        "score",
        "--model",
        "iris-forest@development",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), "scored 10 rows: 3 with errors");

    let mut reader = csv::Reader::from_path(&output).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        header,
        [
            "petal width",
            "petal length",
            "sepal width",
            "sepal length",
            "output_label",
            "output_probability_0",
            "output_probability_1",
            "output_probability_2",
            "error"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 10);
    let labels = &golden.outputs["output_label"].data;
    let probabilities = &golden.outputs["output_probability"].data;
    for (i, row) in rows.iter().enumerate().filter(|(i, _)| !(6..9).contains(i)) {
        let g = if i == 9 { 0 } else { i };
        assert_eq!(row[4], labels.text(g).unwrap(), "row {i}");
        for c in 0..3 {
            let p: f64 = row[5 + c].parse().unwrap();
            assert!((p - probabilities.number(g * 3 + c).unwrap()).abs() < 1e-5, "row {i} class {c}");
        }
        assert_eq!(&row[8], "");
    }
    assert_eq!(&rows[6][8], "line 8, column 3 (sepal width): “three” is not a number");
    assert_eq!(&rows[7][8], "line 9: 2 fields, the header has 4");
    assert_eq!(&rows[8][8], "line 10, column 2 (petal length): empty where a value is required");
    assert_eq!(&rows[7][0], "0.2", "a bad row keeps its cells");
}

#[test]
fn a_bare_model_file_takes_its_columns_in_order() {
    let ws = Workspace::new();
    let golden: Golden =
        serde_json::from_str(&std::fs::read_to_string(shipped("iris-logreg", "1.0.0").join("golden.json")).unwrap())
            .unwrap();
    let input = &golden.inputs["input"];
    let mut csv = String::from("a,b,c,d\n");
    for row in 0..3 {
        let cells: Vec<String> = (0..4).map(|c| input.data.number(row * 4 + c).unwrap().to_string()).collect();
        csv += &(cells.join(",") + "\n");
    }
    let path = ws.dir.path().join("in.csv");
    std::fs::write(&path, csv).unwrap();
    // Copied away from its card: the signature alone says what it takes.
    let model = ws.dir.path().join("model.onnx");
    std::fs::copy(shipped("iris-logreg", "1.0.0").join("model.onnx"), &model).unwrap();
    let out = ws.ok(&["score", "--model", model.to_str().unwrap(), "--input", path.to_str().unwrap()]);
    let labels: Vec<&str> = out.lines().skip(1).map(|l| l.split(',').nth(4).unwrap()).collect();
    let expected: Vec<String> = (0..3).map(|i| golden.outputs["output_label"].data.text(i).unwrap()).collect();
    assert_eq!(labels, expected);
}

#[test]
fn recalibrate_learns_online_and_its_model_registers_and_scores() {
    let ws = Workspace::new();
    ws.register_iris_forest("1.0.0");
    let golden: Golden =
        serde_json::from_str(&std::fs::read_to_string(shipped("iris-forest", "1.0.0").join("golden.json")).unwrap())
            .unwrap();
    let input = &golden.inputs["input"].data;
    let labels = &golden.outputs["output_label"].data;
    let classes = ["setosa", "versicolor", "virginica"];
    // The held-out rows with onnxruntime's labels as the truth, written as class names
    // and as class indices, each row 40 times in a scrambled order: one pass then
    // sees enough examples to settle. Two bad rows must be reported, not learned.
    let mut csv = String::from("class,petal width,petal length,sepal width,sepal length\n");
    for k in 0..40 * 38 {
        let row = (k * 7 + k / 38) % 38;
        let label = labels.number(row).unwrap() as usize;
        let class = if k % 2 == 0 { classes[label].to_owned() } else { label.to_string() };
        let cell = |c: usize| input.number(row * 4 + c).unwrap().to_string();
        csv += &format!("{class},{},{},{},{}\n", cell(3), cell(2), cell(1), cell(0));
        if k == 10 {
            csv += "daisy,0.2,1.4,3.5,5.1\n";
            csv += "setosa,0.2,x,3.5,5.1\n";
        }
    }
    let data = ws.dir.path().join("labelled.csv");
    std::fs::write(&data, csv).unwrap();
    let out_dir = ws.dir.path().join("learned");
    let out = ws.ok(&[
        "recalibrate",
        "--model",
        "iris-forest@development",
        "--input",
        data.to_str().unwrap(),
        "--output",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.contains("read 1522 rows: learned 1520, 2 could not be learned"), "{out}");
    assert!(out.contains("line 13, column 1 (class): “daisy” is not one of the classes setosa, versicolor, virginica"));
    assert!(out.contains("line 14, column 3 (petal length): “x” is not a number"), "{out}");

    // The learned version goes through the registry like any other.
    let model = out_dir.join("model.onnx");
    let card = out_dir.join("card.json");
    let registered = ws.ok(&[
        "register",
        model.to_str().unwrap(),
        "--card",
        card.to_str().unwrap(),
        "--name",
        "iris-forest",
        "--version",
        "1.2.0",
    ]);
    assert!(registered.contains("registered iris-forest 1.2.0 on development"), "{registered}");

    // It agrees with the forest on the held-out rows it learned from.
    let mut rows = String::from("sepal length,sepal width,petal length,petal width\n");
    for row in 0..38 {
        let cells: Vec<String> = (0..4).map(|c| input.number(row * 4 + c).unwrap().to_string()).collect();
        rows += &(cells.join(",") + "\n");
    }
    let path = ws.dir.path().join("rows.csv");
    std::fs::write(&path, rows).unwrap();
    let scored = ws.ok(&["score", "--model", "iris-forest@1.2.0", "--input", path.to_str().unwrap()]);
    let agree = scored
        .lines()
        .skip(1)
        .enumerate()
        .filter(|(row, line)| line.split(',').nth(4) == Some(&labels.text(*row).unwrap()))
        .count();
    assert!(agree >= 35, "the learned model agrees with the forest on {agree} of 38 rows:\n{scored}");
}

#[test]
fn drift_alerts_on_a_shifted_feature_and_writes_json_and_html() {
    let ws = Workspace::new();
    ws.register_iris_forest("1.0.0");
    let card: modelport_core::ModelCard =
        serde_json::from_str(&std::fs::read_to_string(shipped("iris-forest", "1.0.0").join("card.json")).unwrap())
            .unwrap();
    // Rows drawn from the training deciles (each decile bin's share of the training rows,
    // spread evenly across the bin), except that every petal length lies above the
    // training maximum; and one row that cannot be read.
    let columns: Vec<Vec<f64>> = card
        .features
        .iter()
        .map(|f| {
            let training = f.training.as_ref().unwrap();
            let total: u64 = training.quantile_counts.iter().sum();
            let mut values = vec![];
            for (bin, &count) in training.quantile_counts.iter().enumerate() {
                let (a, b) = (training.quantiles[bin], training.quantiles[bin + 1]);
                let n = (count * 2000).div_ceil(total) as usize;
                values.extend((0..n).map(|k| a + (b - a) * k as f64 / n as f64));
            }
            values
        })
        .collect();
    let rows = columns.iter().map(Vec::len).min().unwrap();
    let mut csv = String::from("sepal length,sepal width,petal length,petal width\n");
    let too_long = card.features[2].training.as_ref().unwrap().max + 1.0;
    for i in 0..rows {
        // Each column in its own scrambled order, so that rows mix the bins.
        let at = |f: usize| columns[f][(i * (2 * f + 7)) % columns[f].len()];
        csv += &format!("{},{},{too_long},{}\n", at(0), at(1), at(3));
    }
    csv += "5.1,x,1.4,0.2\n";
    let input = ws.dir.path().join("recent.csv");
    std::fs::write(&input, csv).unwrap();
    let (json, html) = (ws.dir.path().join("drift.json"), ws.dir.path().join("drift.html"));
    let out = ws.ok(&[
        "drift",
        "--model",
        "iris-forest@development",
        "--input",
        input.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    let bad =
        format!("1 rows left out of the report:\n  line {}, column 2 (sepal width): “x” is not a number", rows + 2);
    assert!(out.contains(&bad), "{out}");
    let report: modelport_core::monitor::DriftReport =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report.rows, rows as u64);
    use modelport_core::drift::Level::{Alert, Stable};
    let level = |name: &str| report.features.iter().find(|f| f.name == name).unwrap().level;
    // Petal widths are recorded to 0.1 cm, so their training deciles tie: each decile
    // bin is weighed by its real training share, and the feature stays stable.
    assert_eq!(
        [level("sepal length"), level("sepal width"), level("petal length"), level("petal width")],
        [Some(Stable), Some(Stable), Some(Alert), Some(Stable)]
    );
    assert_eq!(report.level, Alert);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<title>Drift report: iris-forest 1.0.0</title>") && page.contains("class=\"level alert\""));
}
