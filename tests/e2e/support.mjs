// Shared by the end-to-end tests: a static file server for the built site, and
// Chromium started through playwright-core (the system's /usr/bin/chromium: nothing
// is downloaded).

import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { readFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");
export const SITE_DIR = resolve(ROOT, process.env.SITE_DIR ?? "dist/development");
export const ARTIFACTS = resolve(ROOT, "tests/e2e/artifacts");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".json": "application/json",
  ".onnx": "application/octet-stream",
};

/** The folder `cargo xtask build` writes for one environment. */
export const environmentDir = (environment) => resolve(ROOT, "dist", environment);

/** Serves `siteDir` (`SITE_DIR` unless told) on 127.0.0.1 at a free port. `overrides`
 * maps a URL path to the bytes to send instead of the file (how a test plants a broken
 * model), or to a function `(request, response)` that answers the request itself (how
 * a test holds a download half way). */
export async function serveSite(overrides = new Map(), siteDir = SITE_DIR) {
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://x").pathname);
    const body = overrides.get(path);
    if (typeof body === "function") return body(request, response);
    if (body !== undefined) {
      response.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" });
      return response.end(body);
    }
    const file = normalize(join(siteDir, path.endsWith("/") ? path + "index.html" : path));
    if (!file.startsWith(siteDir)) {
      response.writeHead(403);
      return response.end();
    }
    try {
      const data = await readFile(file);
      response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      response.end(data);
    } catch {
      response.writeHead(404);
      response.end("not found");
    }
  });
  await new Promise((ready) => server.listen(0, "127.0.0.1", ready));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

/** How every test and benchmark starts Chromium: Debian's binary, and flags that keep
 * it from reaching for the network this machine does not have. */
export const CHROMIUM_OPTIONS = {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
};

export function launchChromium() {
  return chromium.launch(CHROMIUM_OPTIONS);
}

/** The served site and Chromium for one test file: started by a `before` hook, closed by
 * an `after` hook. With `scratch: "name"`, also a fresh folder for the files the tests
 * write (`modelport-name-…` in the temporary directory), removed after. The returned
 * object's `url`, `browser` and `scratch` are filled in by `before`: read them inside
 * the tests. */
export function useSite({ scratch: name } = {}) {
  const site = { url: undefined, browser: undefined, scratch: undefined };
  let server;
  before(async () => {
    server = await serveSite();
    site.url = server.url;
    site.browser = await launchChromium();
    if (name) site.scratch = await mkdtemp(join(tmpdir(), `modelport-${name}-`));
  });
  after(async () => {
    await site.browser?.close();
    server?.close();
    if (site.scratch) await rm(site.scratch, { recursive: true, force: true });
  });
  return site;
}

/** A new page at `url`, in a fresh context; `problems` collects uncaught page errors. */
export async function openPage(browser, url, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(url);
  return { page, problems };
}

/** The served registry, with `model`'s `version` vouching for `bytes` instead: planted
 * with those bytes, a broken file gets past the integrity check to the loader. */
export async function registryVouchingFor(model, version, bytes, siteDir = SITE_DIR) {
  const registry = JSON.parse(await readFile(join(siteDir, "models/registry.json"), "utf8"));
  const entry = registry.models.find((m) => m.name === model).versions.find((v) => v.version === version);
  entry.sha256 = createHash("sha256").update(bytes).digest("hex");
  entry.bytes = bytes.length;
  return JSON.stringify(registry);
}

export async function readJson(relative) {
  return JSON.parse(await readFile(resolve(ROOT, relative), "utf8"));
}

/** Saves a screenshot for a person to look at; returns its path. */
export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The golden row `row` of a shipped model: its inputs and onnxruntime's outputs. */
export async function goldenRow(model, version, row) {
  const golden = await readJson(`models/${model}/${version}/golden.json`);
  const card = await readJson(`models/${model}/${version}/card.json`);
  const input = golden.inputs.input;
  const width = input.shape[1];
  const values = input.data.float32.slice(row * width, (row + 1) * width);
  const outputs = {};
  for (const [name, tensor] of Object.entries(golden.outputs)) {
    const data = Object.values(tensor.data)[0];
    const rowWidth = tensor.shape.slice(1).reduce((a, b) => a * b, 1);
    outputs[name] = data.slice(row * rowWidth, (row + 1) * rowWidth);
  }
  // Also by role (label, probabilities, value), whatever the exporter named them.
  for (const [role, name] of Object.entries(card.outputs)) outputs[role] = outputs[name];
  return { card, values, outputs };
}
