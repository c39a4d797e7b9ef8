//! `modelport`: the registry's command line. It registers model versions, moves them
//! between the development, staging and production channels behind gates, rolls
//! back, verifies, scores CSV files, measures their drift and recalibrates models online,
//! natively, with the same core as the site.

mod gates;
mod store;

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use modelport_core::batch::{ColumnMap, FIRST_ERRORS, read_cells, score_csv};
use modelport_core::canary::Canary;
use modelport_core::drift::Level;
use modelport_core::monitor;
use modelport_core::recalibrate::{self, learn_csv};
use modelport_core::registry::{Action, ModelAbout, Version, parse_version};
use modelport_core::sgd::{self, Schedule};
use modelport_core::{Channel, Model, ModelCard, Registry, inspect, sha256};

use crate::gates::MetricRule;
use crate::store::{Store, read_bytes, read_json, stamp};

/// Any failure: a sentence for the user, printed after `modelport: `.
pub struct Failure(String);

impl<T: std::fmt::Display> From<T> for Failure {
    fn from(message: T) -> Self {
        Self(message.to_string())
    }
}

#[derive(Parser)]
#[command(name = "modelport", version, about = "Register, promote, roll back, verify and score Modelport models.")]
struct Cli {
    /// The registry file; version folders are found beside it.
    #[arg(long, global = true, default_value = "models/registry.json")]
    registry: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check that a model loads and runs, then add it to the registry on development.
    Register {
        /// The ONNX file.
        model: PathBuf,
        #[arg(long)]
        name: String,
        /// A semantic version, like 1.2.0.
        #[arg(long)]
        version: String,
        /// Its model card (card.json); without one, a card is made from the signature.
        #[arg(long)]
        card: Option<PathBuf>,
        /// Held-out inputs with a reference runtime's outputs, which the model must reproduce.
        #[arg(long)]
        golden: Option<PathBuf>,
        #[command(flatten)]
        who: Who,
    },
    /// Move a version to staging or production, if it passes the gates.
    Promote {
        name: String,
        version: String,
        #[arg(long, value_parser = parse_channel)]
        to: Channel,
        /// The held-out metric to compare with the channel's current version (default:
        /// accuracy for classifiers, rmse for regressors).
        #[arg(long)]
        metric: Option<String>,
        /// How much worse than the current version the metric may be.
        #[arg(long, default_value_t = 0.01)]
        tolerance: f64,
        /// Promote even if gates fail; the override is recorded.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        who: Who,
    },
    /// Put a channel back on the version it served before.
    Rollback {
        name: String,
        #[arg(long, value_parser = parse_channel)]
        channel: Channel,
        #[command(flatten)]
        who: Who,
    },
    /// Serve a version to a share of the production site's visitors (a canary), each
    /// browser always in the same arm; `--off` ends it.
    Canary {
        name: String,
        /// The version the canary serves.
        version: Option<String>,
        /// The share of visitors, above 0 and at most 1.
        #[arg(long, default_value_t = 0.1)]
        share: f64,
        #[arg(long, conflicts_with = "version")]
        off: bool,
    },
    /// The registrations, promotions and rollbacks of a model, oldest first.
    History { name: String },
    /// Check every file, hash and channel pointer of the registry.
    Verify,
    /// Score a CSV file: every row comes out, with the model's outputs or an error.
    Score {
        /// A file (model.onnx), or a registered model as NAME@CHANNEL or NAME@VERSION.
        #[arg(long)]
        model: String,
        #[arg(long)]
        input: PathBuf,
        /// Where to write the scored CSV (default: standard output).
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Measure how far the rows of a CSV file have drifted from the model's training data.
    Drift {
        /// NAME@CHANNEL, NAME@VERSION or a model file with its card.json beside it.
        #[arg(long)]
        model: String,
        /// Recorded inputs: a CSV file with the card's features.
        #[arg(long)]
        input: PathBuf,
        /// Also write the report as JSON here.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Also write the report as a self-contained HTML file here.
        #[arg(long)]
        html: Option<PathBuf>,
    },
    /// Learn a model's task online (SGD) from a labelled CSV file, and write the learned
    /// model and its card, ready for `modelport register`.
    Recalibrate {
        /// Whose features and target to learn: NAME@CHANNEL, NAME@VERSION or a model file
        /// with its card.json beside it.
        #[arg(long)]
        model: String,
        /// A CSV file with the card's features and the target.
        #[arg(long)]
        input: PathBuf,
        /// The target's column (default: the card's target name).
        #[arg(long)]
        target: Option<String>,
        /// The folder to write model.onnx and card.json to.
        #[arg(long)]
        output: PathBuf,
        /// The learning rate, constant (the averaged iterates converge regardless).
        #[arg(long, default_value_t = recalibrate::DEFAULT_RATE)]
        rate: f64,
        /// L2 regularisation strength.
        #[arg(long, default_value_t = recalibrate::DEFAULT_L2)]
        l2: f64,
    },
}

/// Who made a change and why, for the history.
#[derive(clap::Args)]
struct Who {
    /// Who is making the change (default: $USER).
    #[arg(long)]
    by: Option<String>,
    /// Why, in a few words.
    #[arg(long)]
    reason: Option<String>,
}

fn parse_channel(text: &str) -> Result<Channel, String> {
    text.parse().map_err(|e: modelport_core::registry::RegistryError| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let store = Store { file: cli.registry };
    match run(&store, cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("modelport: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(store: &Store, command: Command) -> Result<(), Failure> {
    match command {
        Command::Register { model, name, version, card, golden, who } => {
            register(store, &model, &name, &version, card.as_deref(), golden.as_deref(), who)
        }
        Command::Promote { name, version, to, metric, tolerance, force, who } => {
            let mut registry = store.load()?;
            let entry = registry.model(&name).ok_or_else(|| format!("there is no model named “{name}”"))?;
            let candidate =
                entry.version(&version).ok_or_else(|| format!("model “{name}” has no version {version}"))?;
            let gates = gates::check(store, entry, candidate, to, &MetricRule { metric, tolerance });
            for gate in &gates {
                let mark = if gate.passed { "pass" } else { "FAIL" };
                println!("{mark:4}  {:9}  {}", gate.gate, gate.detail);
            }
            let event = registry.promote(&name, &version, to, gates, force, stamp(who.by, who.reason))?;
            let forced = if event.forced { " (forced past failing gates)" } else { "" };
            let from = event.from.as_deref().map(|v| format!(" (was {v})")).unwrap_or_default();
            println!("{name} {version} is now on {to}{from}{forced}");
            Ok(store.save(&registry)?)
        }
        Command::Rollback { name, channel, who } => {
            let mut registry = store.load()?;
            let event = registry.rollback(&name, channel, stamp(who.by, who.reason))?;
            println!("{name} on {channel}: {} -> {}", event.from.as_deref().unwrap_or("-"), event.to);
            Ok(store.save(&registry)?)
        }
        Command::Canary { name, version, share, off } => {
            let mut registry = store.load()?;
            let canary = match (version, off) {
                (_, true) => None,
                (Some(version), false) => Some(Canary { version, share }),
                (None, false) => return Err("name the version the canary serves, or --off to end it".into()),
            };
            registry.set_canary(&name, canary.clone())?;
            match canary {
                Some(c) => println!("{name} {} is served to {}% of production's visitors", c.version, c.share * 100.0),
                None => println!("{name} has no canary"),
            }
            Ok(store.save(&registry)?)
        }
        Command::History { name } => {
            let registry = store.load()?;
            let model = registry.model(&name).ok_or_else(|| format!("there is no model named “{name}”"))?;
            for event in &model.history {
                let action = match event.action {
                    Action::Register => "register",
                    Action::Promote => "promote",
                    Action::Rollback => "rollback",
                };
                let from = event.from.as_deref().unwrap_or("-");
                let forced = if event.forced { "  FORCED" } else { "" };
                let reason = event.reason.as_deref().map(|r| format!("  “{r}”")).unwrap_or_default();
                println!(
                    "{}  {action:8}  {:11}  {from} -> {}  by {}{forced}{reason}",
                    event.at, event.channel, event.to, event.by
                );
                for gate in &event.gates {
                    println!("    {} {}: {}", if gate.passed { "pass" } else { "FAIL" }, gate.gate, gate.detail);
                }
            }
            Ok(())
        }
        Command::Verify => verify(store),
        Command::Score { model, input, output } => {
            let (model, card) = scoring_model(store, &model)?;
            let reader =
                BufReader::new(File::open(&input).map_err(|e| format!("could not read {}: {e}", input.display()))?);
            let go_on = |_: &_| ControlFlow::Continue(());
            let summary = match output {
                Some(path) => {
                    let file = File::create(&path).map_err(|e| format!("could not write {}: {e}", path.display()))?;
                    score_csv(&model, &card, reader, BufWriter::new(file), go_on)?
                }
                None => score_csv(&model, &card, reader, std::io::stdout().lock(), go_on)?,
            };
            eprintln!("scored {} rows: {} with errors", summary.rows, summary.errors);
            Ok(())
        }
        Command::Drift { model, input, json, html } => drift(store, &model, &input, json.as_deref(), html.as_deref()),
        Command::Recalibrate { model, input, target, output, rate, l2 } => {
            recalibrate(store, &model, &input, target.as_deref(), &output, (Schedule::Constant { rate }, l2))
        }
    }
}

fn drift(store: &Store, spec: &str, input: &Path, json: Option<&Path>, html: Option<&Path>) -> Result<(), Failure> {
    let (_, card) = scoring_model(store, spec)?;
    let file = File::open(input).map_err(|e| format!("could not read {}: {e}", input.display()))?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(BufReader::new(file));
    let header = reader.headers().map_err(|e| format!("{}: the header: {e}", input.display()))?.clone();
    let map = ColumnMap::resolve(&header, &card).map_err(|e| format!("{}: {e}", input.display()))?;
    let (mut rows, mut errors, mut cells) = (vec![], vec![], vec![]);
    for record in reader.records() {
        let row = record.map_err(|e| e.to_string()).and_then(|record| {
            read_cells(&record, &mut cells);
            map.row(&record, &cells, &card)
        });
        match row {
            Ok(row) => rows.push(row),
            Err(reason) => errors.push(reason),
        }
    }
    if !errors.is_empty() {
        println!("{} rows left out of the report:", errors.len());
        errors.iter().take(FIRST_ERRORS).for_each(|reason| println!("  {reason}"));
    }
    let report = monitor::report(&card, &rows);
    let level = |level: Level| format!("{level:?}").to_lowercase();
    println!("{} {}: {} rows, overall {}", report.model, report.version, report.rows, level(report.level));
    println!("{:24} {:>8} {:>8} {:>8}  level", "feature", "psi", "ks", "js");
    let number = |x: Option<f64>| x.map_or("-".to_owned(), |x| format!("{x:.4}"));
    for f in &report.features {
        let level = f.level.map_or("no training statistics".to_owned(), level);
        println!("{:24} {:>8} {:>8} {:>8}  {level}", f.name, number(f.psi), number(f.ks), number(f.jensen_shannon));
    }
    let write = |path: &Path, text: String| {
        std::fs::write(path, text).map_err(|e| format!("could not write {}: {e}", path.display()))
    };
    if let Some(path) = json {
        write(path, serde_json::to_string_pretty(&report)? + "\n")?;
    }
    if let Some(path) = html {
        write(path, report.to_html())?;
    }
    Ok(())
}

fn recalibrate(
    store: &Store,
    spec: &str,
    input: &Path,
    target: Option<&str>,
    output: &Path,
    (schedule, l2): (Schedule, f64),
) -> Result<(), Failure> {
    let (_, base) = scoring_model(store, spec)?;
    let settings = sgd::Settings { loss: recalibrate::loss_for(&base)?, schedule, l2 };
    let data = read_bytes(input)?;
    let run = learn_csv(&base, data.as_slice(), target, settings).map_err(|e| format!("{}: {e}", input.display()))?;
    println!("read {} rows: learned {}, {} could not be learned", run.rows, run.learned, run.errors);
    for reason in &run.first_errors {
        println!("  {reason}");
    }
    if run.learned == 0 {
        return Err(format!("{}: no row could be learned", input.display()).into());
    }
    // A dozen points of the learning curve are enough to see it settle.
    let step = run.curve.len().div_ceil(12).max(1);
    for point in run.curve.iter().step_by(step) {
        println!("  after {:>7} rows: prequential error {:.4}", point.rows, point.error);
    }
    for (name, value) in &run.metrics {
        println!("prequential {name}: {value:.4}");
    }
    let file_name = input.file_name().unwrap_or_default().to_string_lossy();
    let card = run.card(&base, &file_name, &sha256(&data));
    let bytes = run.to_onnx(&base)?;
    std::fs::create_dir_all(output).map_err(|e| format!("could not create {}: {e}", output.display()))?;
    let write = |file: &str, contents: &[u8]| {
        let target = output.join(file);
        std::fs::write(&target, contents).map_err(|e| format!("could not write {}: {e}", target.display()))
    };
    write("model.onnx", &bytes)?;
    write("card.json", (serde_json::to_string_pretty(&card)? + "\n").as_bytes())?;
    let folder = output.display();
    println!("wrote {folder}/model.onnx and {folder}/card.json");
    println!(
        "next: modelport register {folder}/model.onnx --card {folder}/card.json --name {} --version <VERSION>",
        base.name
    );
    Ok(())
}

fn register(
    store: &Store,
    file: &Path,
    name: &str,
    version: &str,
    card: Option<&Path>,
    golden: Option<&Path>,
    who: Who,
) -> Result<(), Failure> {
    modelport_core::registry::check_name(name)?;
    parse_version(version)?;
    let mut registry = store.load_or_new()?;
    if registry.model(name).and_then(|m| m.version(version)).is_some() {
        return Err(format!("model “{name}” already has a version {version}").into());
    }
    let bytes = read_bytes(file)?;
    let model = Model::load(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
    model.warm_up().map_err(|e| format!("{}: loads but does not run: {e}", file.display()))?;
    let golden_text = match golden {
        Some(path) => {
            let reproduced = gates::golden_rows(path, Some(&model))
                .map_err(|e| format!("{} does not reproduce {}: {e}", file.display(), path.display()))?;
            println!("{reproduced}");
            Some(store::read_text(path)?)
        }
        None => None,
    };
    let mut card: ModelCard = match card {
        Some(path) => read_json(path)?,
        None => {
            let file_name = file.file_name().unwrap_or_default().to_string_lossy();
            ModelCard::generate(&file_name, &inspect(&bytes)?)?
        }
    };
    // The card must fit the model: its example row becomes the model's inputs and runs.
    let inputs = card
        .assemble(model.signature(), std::slice::from_ref(&card.example))
        .map_err(|e| format!("the card does not fit {}: {e}", file.display()))?;
    model.run(&inputs).map_err(|e| format!("the card's example row does not run in {}: {e}", file.display()))?;
    for spec in &model.signature().inputs {
        println!("input  {spec}");
    }
    for spec in &model.signature().outputs {
        println!("output {spec}");
    }
    card.name = name.to_owned();
    card.version = version.to_owned();
    card.model.file = "model.onnx".into();
    card.model.sha256 = sha256(&bytes);
    card.model.bytes = bytes.len() as u64;

    let path = format!("{name}/{version}");
    let folder = store.folder().join(&path);
    std::fs::create_dir_all(&folder).map_err(|e| format!("could not create {}: {e}", folder.display()))?;
    let write = |file: &str, contents: &[u8]| {
        let target = folder.join(file);
        std::fs::write(&target, contents).map_err(|e| format!("could not write {}: {e}", target.display()))
    };
    write("model.onnx", &bytes)?;
    write("card.json", (serde_json::to_string_pretty(&card)? + "\n").as_bytes())?;
    if let Some(text) = golden_text {
        write("golden.json", text.as_bytes())?;
    }
    let stamp = stamp(who.by, who.reason);
    let about = ModelAbout {
        name: name.to_owned(),
        title: card.title.clone(),
        description: card.description.clone(),
        task: card.task,
    };
    let entry = Version {
        version: version.to_owned(),
        path,
        sha256: card.model.sha256.clone(),
        bytes: card.model.bytes,
        created: stamp.at.clone(),
        metrics: card.metrics.clone(),
    };
    registry.register(about, entry, stamp)?;
    store.save(&registry)?;
    println!("registered {name} {version} on development");
    Ok(())
}

/// Checks everything the registry points at, and lists every problem found.
fn verify(store: &Store) -> Result<(), Failure> {
    let registry = store.load()?;
    let mut problems = vec![];
    let mut files = 0;
    for model in &registry.models {
        for version in &model.versions {
            let at = format!("{} {}", model.name, version.version);
            let folder = store.version_folder(version);
            match std::fs::read(folder.join("model.onnx")) {
                Ok(bytes) if sha256(&bytes) != version.sha256 => problems.push(format!(
                    "{at}: model.onnx has sha256 {}, the registry says {}",
                    sha256(&bytes),
                    version.sha256
                )),
                Ok(bytes) if bytes.len() as u64 != version.bytes => problems.push(format!(
                    "{at}: model.onnx has {} bytes, the registry says {}",
                    bytes.len(),
                    version.bytes
                )),
                Ok(_) => files += 1,
                Err(e) => problems.push(format!("{at}: {}: {e}", folder.join("model.onnx").display())),
            }
            match store.card(version) {
                Ok(card) if card.model.sha256 != version.sha256 => {
                    problems.push(format!("{at}: card.json describes a model with sha256 {}", card.model.sha256))
                }
                Ok(_) => files += 1,
                Err(e) => problems.push(format!("{at}: {e}")),
            }
        }
        problems.extend(channel_problems(model));
    }
    for problem in &problems {
        println!("{problem}");
    }
    if problems.is_empty() {
        let versions: usize = registry.models.iter().map(|m| m.versions.len()).sum();
        println!(
            "ok: {} models, {versions} versions, {files} files, every hash and channel consistent",
            registry.models.len()
        );
        Ok(())
    } else {
        Err(format!("{} problems in {}", problems.len(), store.file.display()).into())
    }
}

/// A channel must point where its last recorded change left it.
fn channel_problems(model: &modelport_core::registry::RegisteredModel) -> Vec<String> {
    Channel::ALL
        .into_iter()
        .filter_map(|channel| {
            let recorded = model.history.iter().rev().find(|e| e.channel == channel).map(|e| &e.to);
            let pointer = model.channels.get(&channel);
            (recorded != pointer).then(|| {
                format!(
                    "{}: {channel} points at {}, but its history ends at {}",
                    model.name,
                    pointer.map_or("nothing", String::as_str),
                    recorded.map_or("nothing", String::as_str)
                )
            })
        })
        .collect()
}

/// The model to score with and its card: a file, or `NAME@CHANNEL` / `NAME@VERSION`.
fn scoring_model(store: &Store, spec: &str) -> Result<(Model, ModelCard), Failure> {
    let path = Path::new(spec);
    if path.is_file() {
        let bytes = read_bytes(path)?;
        let model = Model::load(&bytes).map_err(|e| format!("{spec}: {e}"))?;
        // A card beside the file names the features; otherwise the signature does.
        let card = match path.with_file_name("card.json") {
            beside if beside.is_file() => read_json(&beside)?,
            _ => ModelCard::generate(&path.file_name().unwrap_or_default().to_string_lossy(), &inspect(&bytes)?)?,
        };
        return Ok((model, card));
    }
    let Some((name, which)) = spec.split_once('@') else {
        return Err(format!("“{spec}” is neither a model file nor NAME@CHANNEL or NAME@VERSION").into());
    };
    let registry: Registry = store.load()?;
    let model = registry.model(name).ok_or_else(|| format!("there is no model named “{name}”"))?;
    let version = match which.parse::<Channel>() {
        Ok(channel) => model.on_channel(channel).ok_or_else(|| format!("{name} has no version on {channel}"))?,
        Err(_) => {
            parse_version(which)?;
            model.version(which).ok_or_else(|| format!("model “{name}” has no version {which}"))?
        }
    };
    let bytes = read_bytes(&store.version_folder(version).join("model.onnx"))?;
    if sha256(&bytes) != version.sha256 {
        return Err(format!(
            "{name} {}: model.onnx does not match the registry's sha256; run `modelport verify`",
            version.version
        )
        .into());
    }
    let model = Model::load(&bytes).map_err(|e| format!("{spec}: {e}"))?;
    Ok((model, store.card(version)?))
}
