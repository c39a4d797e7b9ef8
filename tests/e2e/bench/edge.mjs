// The edge benchmark: Modelport against onnxruntime-web 1.30 (wasm backend, one
// thread, served from its npm package) in the same headless Chromium, beside tract and
// onnxruntime natively, on the same models and inputs. Writes docs/BENCHMARKS.md (the
// tables), docs/benchmarks.svg (the chart) and docs/benchmarks.json (every number).
// Run by `cargo xtask bench`, which first writes the models (training/edge_cases.py),
// times them natively (training/bench_ort.py, `cargo bench --bench edge`), builds the
// production site and crates/simd-peak; run directly, it uses whatever is there.
//
//   node tests/e2e/bench/edge.mjs
//
// BENCH_DIR (default target/bench/edge) holds cases.json, the case folders and the
// native results; SITE_DIR the site (default dist/production); BENCH_SAMPLES (default
// 30) the timed samples per measurement; BENCH_VISITS (default 5) the cold starts per
// runtime (the table shows the median). BENCH_OUT (default docs/) where to write.
//
// What is measured, and how:
// - Latency: each runtime times `runs` predictions inside its own worker (Modelport's
//   `Time` request; a loop of awaited `session.run` for onnxruntime-web), with runs per
//   sample chosen so a sample takes about 5 ms. Samples of the two runtimes alternate,
//   so that a noisy neighbour hits both. The page is cross-origin isolated, which gives
//   both a 5 µs clock.
// - Cold start: a fresh browser context (empty cache, no service worker) navigates to
//   the page, and the time from navigation start to the first prediction on screen is
//   read from the page's own clock. A repeat visit opens the page again in the same
//   context once the first visit's caches (HTTP cache; Modelport's service worker)
//   are in place.
// - Bytes: what the server sent (compressed, as the browser asked) between navigation
//   and the first prediction. Both runtimes' files are compressed the same way:
//   brotli at quality 11 or gzip at level 9, whichever the browser accepts first.

import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { extname, join, normalize, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { CHROMIUM_OPTIONS, ROOT } from "../support.mjs";

const BENCH_DIR = resolve(ROOT, process.env.BENCH_DIR ?? "target/bench/edge");
const SITE_DIR = resolve(ROOT, process.env.SITE_DIR ?? "dist/production");
const OUT = resolve(ROOT, process.env.BENCH_OUT ?? "docs");
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 30);
const VISITS = Number(process.env.BENCH_VISITS ?? 5);
const ORT_DIR = resolve(ROOT, "tests/e2e/node_modules/onnxruntime-web/dist");
const HARNESS_DIR = resolve(ROOT, "tests/e2e/bench/edge");
const PEAK_WASM = resolve(ROOT, "target/wasm32-unknown-unknown/release/simd_peak.wasm");
const ORT_VERSION = JSON.parse(readFileSync(resolve(ORT_DIR, "../package.json"), "utf8")).version;
const SAMPLE_MILLIS = 5;
const BATCH = 1000;
// The model every cold start shows: the first on the site's list.
const COLD_MODEL = "iris-logreg";
// The issue's targets, as ratios Modelport / onnxruntime-web (lower is better).
const TARGETS = {
  tabular: { ratio: 0.5, text: "at most half" },
  mlp: { ratio: 1, text: "no slower" },
  image: { ratio: 1, text: "no slower" },
};
const COLD_START_TARGET_MS = 1500;

function fail(message) {
  throw new Error(`edge benchmark: ${message}`);
}

// ---- Serving ---------------------------------------------------------------------

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".onnx": "application/octet-stream",
};

/** URL prefix → folder; `/cases/` serves `cases`. */
const mounts = (cases) => [
  ["/site/", SITE_DIR],
  ["/ort/", ORT_DIR],
  ["/bench/", HARNESS_DIR],
  ["/cases/", cases],
  ["/peak/", resolve(PEAK_WASM, "..")],
];

const compressed = new Map();

/** `file` in `encoding`: the site's own precompressed copy (xtask/src/compress.rs),
 * or made here once per run by the same algorithm at the same settings. */
function encode(file, encoding) {
  const key = `${encoding} ${file}`;
  const copy = `${file}.${encoding === "br" ? "br" : "gz"}`;
  if (!compressed.has(key) && existsSync(copy)) compressed.set(key, readFileSync(copy));
  if (!compressed.has(key)) {
    const raw = readFileSync(file);
    compressed.set(
      key,
      encoding === "br"
        ? brotliCompressSync(raw, {
            params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 22 },
          })
        : gzipSync(raw, { level: 9 }),
    );
  }
  return compressed.get(key);
}

function resolvePath(path, cases = BENCH_DIR) {
  for (const [prefix, dir] of mounts(cases)) {
    if (!path.startsWith(prefix)) continue;
    const file = normalize(join(dir, path.slice(prefix.length) || "index.html"));
    return file.startsWith(dir) && existsSync(file) && statSync(file).isFile() ? file : undefined;
  }
}

/** A static server on 127.0.0.1 that logs every response's size and end time.
 * `isolated` adds the headers that make a page cross-origin isolated, and sends files
 * as they are (the latency harness measures no transfer); otherwise files of 1 KiB
 * or more travel compressed, as a CDN sends them. `/cases/` serves the folder `cases`. */
export async function serve({ isolated, cases = BENCH_DIR }) {
  const log = [];
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://x").pathname);
    const file = resolvePath(path, cases);
    if (!file) {
      response.writeHead(404);
      return response.end();
    }
    const { size: raw, mtimeMs } = statSync(file);
    const etag = `"${raw}-${mtimeMs}"`;
    if (request.headers["if-none-match"] === etag) {
      response.writeHead(304, { etag });
      return response.end(() => log.push({ path, raw, sent: 0, encoding: "304", at: Date.now() }));
    }
    const accepted = request.headers["accept-encoding"] ?? "";
    const encoding = ["br", "gzip"].find((e) => accepted.includes(e));
    const body = encoding && !isolated && raw >= 1024 ? encode(file, encoding) : readFileSync(file);
    const headers = { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-cache", etag };
    if (body.length !== raw) headers["content-encoding"] = encoding;
    if (isolated) {
      headers["cross-origin-opener-policy"] = "same-origin";
      headers["cross-origin-embedder-policy"] = "require-corp";
    }
    response.writeHead(200, headers);
    const sentAs = headers["content-encoding"] ?? "identity";
    response.end(body, () => log.push({ path, raw, sent: body.length, encoding: sentAs, at: Date.now() }));
  });
  await new Promise((ready) => server.listen(0, "127.0.0.1", ready));
  return { url: `http://127.0.0.1:${server.address().port}`, log, cases, close: () => server.close() };
}

// ---- Cases and inputs ------------------------------------------------------------

function readJson(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

function sha256(path) {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** The golden inputs with `rows` rows: golden row i % n at row i, for every input. */
function batch(inputs, rows) {
  const out = {};
  for (const [name, { shape, data }] of Object.entries(inputs)) {
    const [[kind, values]] = Object.entries(data);
    const width = shape.slice(1).reduce((a, b) => a * b, 1);
    const picked = [];
    for (let row = 0; row < rows; row++) {
      const at = (row % shape[0]) * width;
      for (let i = 0; i < width; i++) picked.push(values[at + i]);
    }
    out[name] = { shape: [rows, ...shape.slice(1)], data: { [kind]: picked } };
  }
  return out;
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

// ---- Latency ---------------------------------------------------------------------

/** Both runtimes on one case: loaded, checked against each other on the first golden
 * row, then timed at each batch size. */
export async function latency(page, server, kase) {
  const model = join(kase.folder, "model.onnx");
  const url = `${server.url}/cases/${relative(server.cases, model)}`;
  const golden = readJson(join(kase.folder, "golden.json"));
  const load = {
    modelport: await page.evaluate(([k, u, h]) => bench.load("modelport", k, u, h), [kase.name, url, sha256(model)]),
    ort: await page.evaluate(([k, u]) => bench.load("ort", k, u), [kase.name, url]),
  };
  const result = { load, batches: {} };
  for (const rows of kase.kind === "tabular" ? [1, BATCH] : [1]) {
    const name = `${kase.name}/${rows}`;
    await page.evaluate(([n, t]) => bench.setInputs(n, t), [name, batch(golden.inputs, rows)]);
    if (rows === 1) await agree(page, kase);
    result.batches[rows] = await timeBoth(page, kase.name, name);
    const { modelport, ort } = result.batches[rows];
    console.error(
      `${kase.name.padEnd(16)} ${String(rows).padStart(5)} rows  Modelport ${millis(modelport.p50)}  onnxruntime-web ${millis(ort.p50)}  ratio ${(modelport.p50 / ort.p50).toFixed(2)}`,
    );
  }
  return result;
}

/** Fails unless both runtimes give the same outputs for the first golden row: a
 * benchmark of two programs computing different things would mean nothing. */
async function agree(page, kase) {
  const name = `${kase.name}/1`;
  const ours = await page.evaluate(([k, n]) => bench.run("modelport", k, n), [kase.name, name]);
  const theirs = await page.evaluate(([k, n]) => bench.run("ort", k, n), [kase.name, name]);
  for (const [output, tensor] of Object.entries(theirs)) {
    const expected = Object.values(tensor.data)[0];
    const got = ours[output] && Object.values(ours[output].data)[0];
    if (!got || got.length !== expected.length) fail(`${kase.name}: Modelport has no output ${output} like onnxruntime-web's`);
    const scale = Math.max(1, ...expected.map(Math.abs));
    const worst = Math.max(...expected.map((v, i) => Math.abs(v - got[i])));
    if (worst > 1e-4 * scale) fail(`${kase.name}: output ${output} differs from onnxruntime-web's by ${worst}`);
  }
}

/** p50 and p95 of the time per run, in milliseconds, for both runtimes. */
async function timeBoth(page, key, name) {
  const time = (runtime, runs) => page.evaluate(([r, k, n, c]) => bench.time(r, k, n, c), [runtime, key, name, runs]);
  const runsPerSample = {};
  for (const runtime of ["modelport", "ort"]) {
    // Warm-up, then as many runs as fill a sample.
    let runs = 1;
    let spent = await time(runtime, runs);
    while (spent < SAMPLE_MILLIS && runs < 1 << 20) {
      runs *= 2;
      spent = await time(runtime, runs);
    }
    runsPerSample[runtime] = runs;
  }
  const samples = { modelport: [], ort: [] };
  for (let i = 0; i < SAMPLES; i++) {
    for (const runtime of ["modelport", "ort"]) {
      samples[runtime].push((await time(runtime, runsPerSample[runtime])) / runsPerSample[runtime]);
    }
  }
  const summary = (runtime) => ({
    p50: percentile(samples[runtime], 0.5),
    p95: percentile(samples[runtime], 0.95),
    runsPerSample: runsPerSample[runtime],
  });
  return { modelport: summary("modelport"), ort: summary("ort") };
}

// ---- Cold start ------------------------------------------------------------------

/** Navigation to the first prediction, median of `visits` fresh contexts, then a
 * repeat visit in each. The page at `url` sets `window.firstPrediction` (its clock's
 * reading at the first prediction on screen), itself or through `watch`, a script run
 * before the page's own. */
export async function coldStart(browser, server, url, watch, visits = VISITS) {
  const first = [];
  const repeat = [];
  // One visit first, not counted: the server compresses what it has no copy of then,
  // outside the measurement. Each context has a cache of its own, so the counted
  // visits still start from nothing.
  for (let visit = -1; visit < visits; visit++) {
    const context = await browser.newContext();
    if (watch) await context.addInitScript(watch);
    const firstVisit = await visitUntilPrediction(context, server, url);
    if (visit < 0) {
      await context.close();
      continue;
    }
    first.push(firstVisit);
    // The first visit's caches settle: a service worker, if the page has one, has
    // finished installing (precaching) once it is active.
    const page = context.pages()[0];
    await page.evaluate(async () => {
      if ((await navigator.serviceWorker.getRegistrations()).length) await navigator.serviceWorker.ready;
    });
    await page.close();
    repeat.push(await visitUntilPrediction(context, server, url));
    await context.close();
  }
  const median = (visits, field) => percentile(visits.map((v) => v[field]), 0.5);
  return {
    first: { millis: median(first, "millis"), bytes: median(first, "bytes"), files: first[0].files },
    repeat: { millis: median(repeat, "millis"), bytes: median(repeat, "bytes") },
  };
}

async function visitUntilPrediction(context, server, url) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const from = server.log.length;
  await page.goto(url);
  await page.waitForFunction(() => window.firstPrediction !== undefined, undefined, { timeout: 60_000 }).catch(() =>
    fail(`no prediction at ${url} within a minute${errors.length ? `: ${errors.join("; ")}` : ""}`),
  );
  const { millis, at } = await page.evaluate(() => ({
    millis: window.firstPrediction,
    at: performance.timeOrigin + window.firstPrediction,
  }));
  const sent = server.log.slice(from).filter((entry) => entry.at <= at);
  return {
    millis,
    bytes: sent.reduce((sum, entry) => sum + entry.sent, 0),
    files: sent.map(({ path, raw, sent, encoding }) => ({ path, raw, sent, encoding })),
  };
}

/** Marks the moment Modelport's page first shows a prediction, from the page's clock. */
export function watchForPrediction() {
  new MutationObserver((_, observer) => {
    if (document.querySelector(".prediction .predicted")?.textContent) {
      window.firstPrediction = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true, characterData: true });
}

// ---- Sizes -----------------------------------------------------------------------

/** Raw, gzip and brotli bytes of each file a first visit downloaded. */
function sizes(files, dirOf) {
  const paths = new Set(files.map(({ path }) => path).filter((path) => !path.endsWith("/")));
  return [...paths].map((path) => {
    const file = dirOf(path);
    return { path, raw: statSync(file).size, gzip: encode(file, "gzip").length, brotli: encode(file, "br").length };
  });
}

// ---- Report ----------------------------------------------------------------------

function millis(ms) {
  if (ms < 0.1) return `${(ms * 1000).toFixed(1)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(0)} ms`;
}

function megabytes(bytes) {
  return bytes < 1e5 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(2)} MB`;
}

function targetFor(kase) {
  return kase.kind === "image" ? TARGETS.image : kase.name.includes("mlp") ? TARGETS.mlp : TARGETS.tabular;
}

function nativeTime(native, name, rows, key = "results") {
  const seconds = native?.[key]?.[name]?.[String(rows)];
  return seconds === undefined ? undefined : seconds * 1000;
}

function report(results) {
  const { cases, latencies, native, cold, peak, sizes: fileSizes, chromium: version } = results;
  const lines = [];
  const met = [];
  const verdict = (ok) => (ok ? "met" : "**missed**");
  lines.push(
    "# Benchmarks",
    "",
    `Generated by \`cargo xtask bench\` on ${results.date}: Modelport (tract with Modelport's \`ai.onnx.ml\` operators, in its inference worker) against onnxruntime-web ${ORT_VERSION} (wasm backend, one thread, its files served from the npm package) in the same headless Chromium ${version}, and both engines natively (${native.tract?.runtime ?? "tract"}; ${native.ort?.runtime ?? "onnxruntime"} from Python), one thread each, on the same models and inputs. Raw numbers: [benchmarks.json](benchmarks.json). Native operator-by-operator timings: [BENCHMARKS-conformance.md](BENCHMARKS-conformance.md); batch scoring of CSV files: [BENCHMARKS-batch.md](BENCHMARKS-batch.md).`,
    "",
    "![Modelport's time per prediction as a share of onnxruntime-web's, in Chromium](benchmarks.svg)",
    "",
    "## Latency in the browser",
    "",
    "Time per run, p50 (p95), after warm-up, each runtime timing its own runs inside a worker. The ratio is Modelport's p50 over onnxruntime-web's: below 1 is faster. The classifiers are the shipped models at their production version with ZipMap taken out, since onnxruntime-web cannot return ZipMap's sequence of maps; both runtimes run that same file.",
    "",
    "| model | rows | Modelport | onnxruntime-web | ratio | target | tract native | onnxruntime native |",
    "|---|---:|---:|---:|---:|---|---:|---:|",
  );
  for (const kase of cases) {
    for (const [rows, { modelport, ort }] of Object.entries(latencies[kase.name].batches)) {
      const ratio = modelport.p50 / ort.p50;
      const target = targetFor(kase);
      const judged = rows === "1" || kase.kind !== "tabular";
      if (judged) met.push({ what: `${kase.name}, ${rows} row${rows === "1" ? "" : "s"}: ${target.text}`, ok: ratio <= target.ratio });
      const nat = (which) => {
        const p50 = nativeTime(native[which], kase.name, rows);
        const p95 = nativeTime(native[which], kase.name, rows, "p95");
        return p50 === undefined ? "-" : `${millis(p50)}${p95 === undefined ? "" : ` (${millis(p95)})`}`;
      };
      lines.push(
        `| ${kase.title} | ${rows} | ${millis(modelport.p50)} (${millis(modelport.p95)}) | ${millis(ort.p50)} (${millis(ort.p95)}) | ${ratio.toFixed(2)} | ${judged ? `${target.text}: ${verdict(ratio <= target.ratio)}` : ""} | ${nat("tract")} | ${nat("ort")} |`,
      );
    }
  }
  lines.push("", "Model load in the browser (parse, optimise, first run for Modelport):", "");
  lines.push("| model | Modelport | onnxruntime-web |", "|---|---:|---:|");
  for (const kase of cases) {
    const { modelport, ort } = latencies[kase.name].load;
    lines.push(`| ${kase.title} | ${millis(modelport)} | ${millis(ort)} |`);
  }

  const cnn = cases.find((c) => c.kind === "image");
  if (cnn) {
    const { modelport, ort } = latencies[cnn.name].batches[1];
    const gflops = (ms) => cnn.flops / (ms * 1e6);
    lines.push(
      "",
      "## Compute: the CNN against the machine's SIMD peak",
      "",
      `${cnn.title}: ${(cnn.flops / 1e9).toFixed(2)} GFLOP per image (a multiply-add counted as two), ${(cnn.parameters / 1e6).toFixed(1)} M parameters. The peak is crates/simd-peak's loop of independent f32x4 multiplies and adds, one thread, in the same browser: ${peak.toFixed(1)} GFLOP/s.`,
      "",
      "| runtime | p50 per image | GFLOP/s | share of peak |",
      "|---|---:|---:|---:|",
      `| Modelport | ${millis(modelport.p50)} | ${gflops(modelport.p50).toFixed(2)} | ${((100 * gflops(modelport.p50)) / peak).toFixed(0)}% |`,
      `| onnxruntime-web | ${millis(ort.p50)} | ${gflops(ort.p50).toFixed(2)} | ${((100 * gflops(ort.p50)) / peak).toFixed(0)}% |`,
    );
  }

  const coldOk = cold.modelport.first.millis < COLD_START_TARGET_MS;
  met.push({ what: `cold start to first prediction under ${COLD_START_TARGET_MS / 1000} s`, ok: coldOk });
  const ortWasm = fileSizes.ort.find((f) => f.path.endsWith(".wasm"));
  const wasmSent = cold.ort.first.files.find((f) => f.path.endsWith(".wasm"))?.sent ?? ortWasm.brotli;
  const smaller = cold.modelport.first.bytes < wasmSent;
  met.push({ what: "bytes before the first prediction fewer than onnxruntime-web's wasm alone", ok: smaller });
  lines.push(
    "",
    "## Cold start and bytes",
    "",
    `A fresh browser context (nothing cached, no service worker) opens the page; the time is from navigation start to the first prediction on screen, by the page's clock, median of ${VISITS} visits. Modelport opens its production site at \`#/${COLD_MODEL}\`, which loads the registry and the model card, starts the inference worker and predicts the card's example. onnxruntime-web's page is the smallest one could write: load the session, run the same row, show the label. The repeat visit opens the page again in the same context. Bytes are what the server sent before the first prediction, compressed as the browser asked (${results.encoding}).`,
    "",
    "| | Modelport | onnxruntime-web |",
    "|---|---:|---:|",
    `| first visit, to first prediction | ${millis(cold.modelport.first.millis)} (target under ${COLD_START_TARGET_MS} ms: ${verdict(coldOk)}) | ${millis(cold.ort.first.millis)} |`,
    `| repeat visit, to first prediction | ${millis(cold.modelport.repeat.millis)} | ${millis(cold.ort.repeat.millis)} |`,
    `| bytes before the first prediction, first visit | ${megabytes(cold.modelport.first.bytes)} | ${megabytes(cold.ort.first.bytes)} |`,
    `| bytes before the first prediction, repeat visit | ${megabytes(cold.modelport.repeat.bytes)} | ${megabytes(cold.ort.repeat.bytes)} |`,
    `| onnxruntime-web's wasm alone, as sent | | ${megabytes(wasmSent)} |`,
    "",
    "## Size of what a first visit downloads",
    "",
    "| file | raw | gzip | brotli |",
    "|---|---:|---:|---:|",
  );
  for (const [who, files] of [["Modelport", fileSizes.modelport], ["onnxruntime-web", fileSizes.ort]]) {
    for (const f of files) lines.push(`| ${who}: \`${f.path}\` | ${megabytes(f.raw)} | ${megabytes(f.gzip)} | ${megabytes(f.brotli)} |`);
    const total = (k) => megabytes(files.reduce((s, f) => s + f[k], 0));
    lines.push(`| **${who}, total** | ${total("raw")} | ${total("gzip")} | ${total("brotli")} |`);
  }
  lines.push("", "## Targets", "");
  for (const { what, ok } of met) lines.push(`- ${what}: ${verdict(ok)}`);
  lines.push("");
  return { markdown: lines.join("\n"), targets: met };
}

/** Modelport's time over onnxruntime-web's for each case and batch, on a log scale
 * from 1/16 to 4, with the targets marked. */
export function chart(results) {
  const bars = [];
  for (const kase of results.cases) {
    for (const [rows, { modelport, ort }] of Object.entries(results.latencies[kase.name].batches)) {
      bars.push({ label: `${kase.name}, ${rows} row${rows === "1" ? "" : "s"}`, ratio: modelport.p50 / ort.p50 });
    }
  }
  const left = 200;
  const width = 440;
  const row = 22;
  const top = 40;
  const height = top + bars.length * row + 40;
  const [low, high] = [Math.log2(1 / 16), Math.log2(4)];
  const x = (ratio) => left + ((Math.log2(Math.min(4, Math.max(1 / 16, ratio))) - low) / (high - low)) * width;
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 60}" height="${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="18" font-weight="bold">Modelport's time per prediction ÷ onnxruntime-web's (Chromium, p50; left of 1 is faster)</text>`,
  ];
  for (const tick of [1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 2, 4]) {
    const label = tick < 1 ? `1/${1 / tick}` : String(tick);
    svg.push(
      `<line x1="${x(tick)}" y1="${top - 6}" x2="${x(tick)}" y2="${height - 30}" stroke="${tick === 1 ? "#333" : tick === 0.5 ? "#2a7" : "#ddd"}" ${tick === 0.5 ? 'stroke-dasharray="4 3"' : ""}/>`,
      `<text x="${x(tick)}" y="${height - 14}" text-anchor="middle" fill="#555">${label}</text>`,
    );
  }
  bars.forEach((bar, i) => {
    const y = top + i * row;
    const [from, to] = [x(Math.min(1, bar.ratio)), x(Math.max(1, bar.ratio))];
    svg.push(
      `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${bar.label}</text>`,
      `<rect x="${from}" y="${y + 3}" width="${Math.max(1, to - from)}" height="${row - 8}" fill="${bar.ratio <= 1 ? "#3a7bd5" : "#d55a3a"}"/>`,
      `<text x="${Math.max(x(1), x(bar.ratio)) + 4}" y="${y + 14}" fill="#333" font-size="11">${bar.ratio.toFixed(2)}</text>`,
    );
  });
  svg.push(`<text x="${x(0.5)}" y="${top - 10}" text-anchor="middle" fill="#2a7">tabular target</text>`, "</svg>");
  return svg.join("\n") + "\n";
}

// ---- Main ------------------------------------------------------------------------

async function main() {
  for (const [what, path] of [
    ["the cases (training/edge_cases.py)", join(BENCH_DIR, "cases.json")],
    ["the production site (cargo xtask build production)", join(SITE_DIR, "index.html")],
    ["the SIMD peak loop (cargo build -p simd-peak --target wasm32-unknown-unknown --release)", PEAK_WASM],
    ["onnxruntime-web (npm ci in tests/e2e)", join(ORT_DIR, "ort.wasm.min.mjs")],
  ]) {
    if (!existsSync(path)) fail(`${what} is missing: ${path}`);
  }
  const cases = readJson(join(BENCH_DIR, "cases.json"));
  const nativeFile = (name) => (existsSync(join(BENCH_DIR, name)) ? readJson(join(BENCH_DIR, name)) : undefined);
  const native = { tract: nativeFile("tract.json"), ort: nativeFile("onnxruntime.json") };
  const isolated = await serve({ isolated: true });
  const plain = await serve({ isolated: false });
  const browser = await chromium.launch(CHROMIUM_OPTIONS);
  try {
    const { page, problems } = await openHarness(browser, isolated);
    const peak = await page.evaluate((url) => bench.peak(url), "/peak/simd_peak.wasm");
    console.error(`wasm SIMD128 peak: ${peak.toFixed(1)} GFLOP/s`);
    const latencies = {};
    for (const kase of cases) latencies[kase.name] = await latency(page, isolated, kase);
    if (problems.length) fail(`the harness page reported: ${problems.join("; ")}`);

    const coldCase = cases.find((c) => c.name === COLD_MODEL);
    const row = readJson(join(coldCase.folder, "golden.json")).inputs.input.data.float32.slice(0, 4);
    const modelportCold = await coldStart(browser, plain, `${plain.url}/site/#/${COLD_MODEL}`, watchForPrediction);
    const ortCold = await coldStart(browser, plain, ortColdUrl(plain, `${COLD_MODEL}/model.onnx`, row));
    console.error(`cold start: Modelport ${millis(modelportCold.first.millis)}, onnxruntime-web ${millis(ortCold.first.millis)}`);

    const results = {
      date: new Date().toISOString().slice(0, 10),
      chromium: browser.version(),
      onnxruntimeWeb: ORT_VERSION,
      encoding: modelportCold.first.files.find((f) => f.path.endsWith(".wasm"))?.encoding,
      cases,
      latencies,
      native,
      peak,
      cold: { modelport: modelportCold, ort: ortCold },
      sizes: {
        modelport: sizes(modelportCold.first.files, resolvePath),
        ort: sizes(ortCold.first.files.filter((f) => f.path.startsWith("/ort/")), resolvePath),
      },
    };
    const { markdown, targets } = report(results);
    await mkdir(OUT, { recursive: true });
    await writeFile(join(OUT, "BENCHMARKS.md"), markdown);
    await writeFile(join(OUT, "benchmarks.svg"), chart(results));
    await writeFile(join(OUT, "benchmarks.json"), JSON.stringify({ ...results, targets }, null, 1) + "\n");
    console.log(markdown);
  } finally {
    await browser.close();
    isolated.close();
    plain.close();
  }
}

/** The harness page in `browser`, served by `server` (cross-origin isolated), with
 * both runtimes started; page errors and console errors land in `problems`. */
export async function openHarness(browser, server) {
  const page = await (await browser.newContext()).newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
  await page.goto(`${server.url}/bench/harness.html`);
  await page.waitForFunction(() => window.bench);
  if (!(await page.evaluate((site) => bench.start(site), "/site/"))) fail("the harness page is not cross-origin isolated");
  return { page, problems };
}

/** The onnxruntime-web cold-start page for the model at `model` (a path under
 * `/cases/`), predicting `row`. */
export const ortColdUrl = (server, model, row) =>
  `${server.url}/bench/ort_cold.html?model=/cases/${model}&input=${row.join(",")}`;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
