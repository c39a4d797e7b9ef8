// The edge benchmark's own measurements (tests/e2e/bench/edge.mjs), checked on a
// shipped model both runtimes can run as it ships (diabetes-linear has no ZipMap): the
// two runtimes load it and agree on its outputs, their timings are real, and the cold
// start accounts for the bytes a first visit downloads and a repeat visit does not.
// The full benchmark (`cargo xtask bench edge`) takes long; this takes seconds.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { resolve } from "node:path";
import { CHROMIUM_OPTIONS, ROOT, readJson } from "./support.mjs";
import { coldStart, latency, openHarness, ortColdUrl, serve, watchForPrediction } from "./bench/edge.mjs";

const MODEL = "diabetes-linear";
const VERSION = "1.0.0";
const CASE = { name: MODEL, kind: "tabular", folder: resolve(ROOT, "models", MODEL, VERSION) };
let browser;
let isolated;
let plain;

before(async () => {
  browser = await chromium.launch(CHROMIUM_OPTIONS);
  isolated = await serve({ isolated: true, cases: resolve(ROOT, "models") });
  plain = await serve({ isolated: false, cases: resolve(ROOT, "models") });
});

after(async () => {
  await browser?.close();
  isolated?.close();
  plain?.close();
});

test("both runtimes run the same model to the same outputs, and are timed", async () => {
  const { page, problems } = await openHarness(browser, isolated);
  // `latency` fails unless Modelport's outputs match onnxruntime-web's.
  const result = await latency(page, isolated, CASE);
  for (const rows of ["1", "1000"]) {
    for (const runtime of ["modelport", "ort"]) {
      const { p50, p95, runsPerSample } = result.batches[rows][runtime];
      assert.ok(p50 > 0 && p95 >= p50, `${runtime}, ${rows} rows: p50 ${p50}, p95 ${p95}`);
      // A sample spans many runs when one run is far below the clock's resolution.
      assert.ok(runsPerSample >= 1);
    }
    // A thousand rows take longer than one, for both.
    assert.ok(result.batches["1000"].ort.p50 > result.batches["1"].ort.p50);
    assert.ok(result.batches["1000"].modelport.p50 > result.batches["1"].modelport.p50);
  }
  assert.deepEqual(problems, []);
});

test("a cold start counts the bytes of a first visit, and a repeat visit comes from the caches", async () => {
  const modelport = await coldStart(browser, plain, `${plain.url}/site/#/${MODEL}`, watchForPrediction, 1);
  assert.ok(modelport.first.millis > 0);
  const paths = modelport.first.files.map((f) => f.path);
  assert.ok(paths.some((p) => p.endsWith("worker_bg.wasm")), `the worker's wasm is downloaded first: ${paths}`);
  assert.ok(paths.some((p) => p.endsWith(`${MODEL}/${VERSION}/model.onnx`)), `and the model: ${paths}`);
  const wasm = modelport.first.files.find((f) => f.path.endsWith("worker_bg.wasm"));
  assert.ok(wasm.sent < wasm.raw / 2, `the wasm travels compressed: ${wasm.sent} of ${wasm.raw} bytes`);
  // The service worker answers the repeat visit; only the registry asks the network.
  assert.ok(modelport.repeat.bytes < modelport.first.bytes / 100, `repeat visit: ${modelport.repeat.bytes} bytes`);

  const { shape, data } = (await readJson(`models/${MODEL}/${VERSION}/golden.json`)).inputs.input;
  const row = data.float32.slice(0, shape[1]);
  const ort = await coldStart(browser, plain, ortColdUrl(plain, `${MODEL}/${VERSION}/model.onnx`, row), undefined, 1);
  const ortPaths = ort.first.files.map((f) => f.path);
  assert.ok(ortPaths.some((p) => p.endsWith(".wasm")), `onnxruntime-web downloads its wasm: ${ortPaths}`);
  assert.ok(ort.first.millis > 0 && ort.repeat.bytes < ort.first.bytes);
});
