// A model download as a person sees it: while the file arrives, a progress bar and the
// bytes so far of the model's size in the registry; then the form, as before.
//
// The server sends the model gzipped, so that its Content-Length is the compressed size
// (which the page must not show as the total), and holds it half way until the test
// has read the bar. Service workers are blocked: the precache must not answer the
// worker's fetch, or fetch the file a second time.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { SITE_DIR, launchChromium, screenshot, serveSite } from "./support.mjs";

const MODEL = "wine-boosting";

/** `format_bytes` of src/components/mod.rs: 422 B, 36.8 kB, 1.2 MB (3 significant digits). */
function formatBytes(bytes) {
  if (bytes < 1000) return `${bytes} B`;
  const [value, unit] = bytes < 1e6 ? [bytes / 1e3, "kB"] : [bytes / 1e6, "MB"];
  return `${Number(value.toPrecision(3))} ${unit}`;
}

let site;
let browser;
let version;
let gzipped;
/** One per request for the model file: lets the rest of it go. */
const held = [];

before(async () => {
  const registry = JSON.parse(await readFile(join(SITE_DIR, "models/registry.json"), "utf8"));
  const model = registry.models.find((m) => m.name === MODEL);
  version = model.versions.find((v) => v.version === model.channels[registry.environment ?? "development"]);
  gzipped = gzipSync(await readFile(join(SITE_DIR, "models", version.path, "model.onnx")));
  assert.ok(gzipped.length < version.bytes / 2, "gzip shrinks the model enough to tell the two sizes apart");
  const hold = async (request, response) => {
    const rest = new Promise((release) => held.push(release));
    response.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-encoding": "gzip",
      "content-length": gzipped.length,
    });
    const half = Math.floor(gzipped.length / 2);
    response.write(gzipped.subarray(0, half));
    await rest;
    response.end(gzipped.subarray(half));
  };
  site = await serveSite(new Map([[`/models/${version.path}/model.onnx`, hold]]));
  browser = await launchChromium();
});

after(async () => {
  held.forEach((release) => release());
  await browser?.close();
  site?.close();
});

for (const [name, viewport] of [
  ["desktop", { width: 1280, height: 900 }],
  ["phone", { width: 390, height: 844 }],
]) {
  test(`the model page shows the download's bytes of the registry's size (${name})`, async () => {
    const context = await browser.newContext({ viewport, serviceWorkers: "block" });
    try {
      const page = await context.newPage();
      const problems = [];
      page.on("pageerror", (error) => problems.push(error.message));
      const requests = held.length;
      await page.goto(`${site.url}#/${MODEL}`);

      const bar = page.getByRole("progressbar", { name: /^Downloading the model/ });
      await bar.waitFor();
      await bar.evaluate((el) => new Promise((arrived) => {
        const check = () => (el.value > 0 ? arrived() : setTimeout(check, 20));
        check();
      }));
      assert.equal(held.length, requests + 1, "the worker's fetch reached the server, once");
      assert.equal(await bar.getAttribute("max"), String(version.bytes), "the bar spans the registry's size");
      const received = Number(await bar.getAttribute("value"));
      assert.ok(received > 0 && received < version.bytes, `half way: ${received} of ${version.bytes}`);
      const status = page.getByRole("status").filter({ has: bar });
      const text = (await status.textContent()).trim();
      assert.match(text, new RegExp(`^Downloading the model: \\d[\\d.]* k?B of ${formatBytes(version.bytes).replace(".", "\\.")}$`));
      assert.ok(!text.includes(formatBytes(gzipped.length)), `not the compressed size: ${text}`);
      await screenshot(page, `model-download-${name}`);

      held.at(-1)();
      await page.getByRole("list", { name: "Class probabilities" }).waitFor();
      assert.equal(await bar.count(), 0, "the bar is gone once the model is in");
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}
