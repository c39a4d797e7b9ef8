// Bring your own model: files from this disk, dropped or picked on the upload page.
// Expected outputs come from onnxruntime (the conformance suite's golden.json), hashes
// from node's crypto, colours from the picture the test draws.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { ROOT, launchChromium, openPage, readJson, screenshot, serveSite } from "./support.mjs";

const CHOOSE = "Choose an ONNX model file";

let site;
let browser;

before(async () => {
  site = await serveSite();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  site?.close();
});

async function openUpload(viewport) {
  const { page, problems } = await openPage(browser, `${site.url}#/upload`, viewport);
  await page.getByRole("heading", { name: "Your own model" }).waitFor();
  return { page, problems };
}

async function conformanceModel(name) {
  const dir = `conformance/${name}`;
  return {
    bytes: await readFile(resolve(ROOT, dir, "model.onnx")),
    golden: await readJson(`${dir}/golden.json`),
  };
}

/** Drops `bytes` on the drop zone as a file named `name`, the way a dragged file arrives. */
async function dropFile(page, name, bytes) {
  await page.locator(".drop-zone").evaluate((zone, [name, data]) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(data)], name));
    zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, [name, [...bytes]]);
}

/** The inspector's fact `term` (Producer, File size, ...). */
async function fact(page, term) {
  const inspector = page.getByRole("region", { name: "Inspector" });
  return inspector.locator(`dt:text-is("${term}") + dd`).textContent();
}

describe("a model from disk", () => {
  test("with string inputs is inspected, gets a form, and predicts like onnxruntime", async () => {
    const { page, problems } = await openUpload();
    const { bytes, golden } = await conformanceModel("diabetes-column-transformer-ridge");
    await page.getByLabel(CHOOSE).setInputFiles({ name: "ridge.onnx", mimeType: "application/octet-stream", buffer: bytes });

    await page.getByRole("region", { name: "Inspector" }).waitFor();
    assert.equal(await fact(page, "SHA-256"), createHash("sha256").update(bytes).digest("hex"));
    assert.match(await fact(page, "Producer"), /^skl2onnx /);
    // Thousands are grouped with narrow no-break spaces.
    const grouped = String(bytes.length).replace(/\B(?=(\d{3})+$)/g, "\u202f");
    assert.match(await fact(page, "File size"), new RegExp(`\\b${grouped} bytes`));
    const operators = page.locator("table.operators");
    for (const op of ["LinearRegressor", "OneHotEncoder", "Scaler"]) {
      await operators.getByRole("rowheader", { name: op, exact: true }).waitFor();
    }
    const inputs = page.locator("table.signature").first();
    assert.match(await inputs.textContent(), /sexstring\[\?, 1\]/);

    // Golden row 0, typed in: eight numeric columns, then the two string columns.
    const numeric = golden.inputs.numeric.data.float32.slice(0, 8);
    for (const [i, value] of numeric.entries()) {
      await page.getByLabel(`numeric[${i}]`, { exact: true }).fill(String(value));
    }
    assert.equal(await page.getByLabel("sex", { exact: true }).getAttribute("type"), "text");
    await page.getByLabel("sex", { exact: true }).fill(golden.inputs.sex.data.string[0]);
    await page.getByLabel("bmi_level", { exact: true }).fill(golden.inputs.bmi_level.data.string[0]);

    const expected = golden.outputs.variable.data.float32[0];
    await page.waitForFunction((expected) => {
      const shown = Number(document.querySelector(".prediction .predicted")?.dataset.value);
      return Math.abs(shown - expected) <= 1e-4 * Math.max(1, Math.abs(expected));
    }, expected);
    await screenshot(page, "upload-string-inputs");
    assert.deepEqual(problems, []);
  });

  test("with an unsupported operator names the node and domain, and the page stays usable", async () => {
    const { page, problems } = await openUpload({ width: 390, height: 844 });
    const bytes = await readFile(resolve(ROOT, "crates/core/tests/fixtures/unknown_operator.onnx"));
    await dropFile(page, "unknown.onnx", bytes);

    // training/fixtures.py builds this file: a Relu, then `Frobnicate` from domain
    // example.unknown at node `the_unknown_node`.
    const alert = page.getByRole("alert").filter({ hasText: "cannot run" });
    await alert.waitFor();
    assert.match(await alert.textContent(), /1 node uses operators it does not support/);
    assert.match(await alert.textContent(), /`Frobnicate` \(domain example\.unknown\) at node `the_unknown_node`/);
    await page.getByRole("region", { name: "Inspector" }).waitFor();
    await screenshot(page, "upload-unsupported-phone");

    // A runnable file afterwards works, and so do the shipped models.
    const { bytes: good } = await conformanceModel("iris-logistic-regression");
    await dropFile(page, "iris.onnx", good);
    await page.locator(".prediction .predicted").waitFor();
    await page.getByRole("link", { name: "Iris species: logistic regression" }).click();
    await page.getByRole("heading", { name: "Model card" }).waitFor();
    await page.locator(".prediction .predicted").waitFor();
    assert.deepEqual(problems, []);
  });

  test("that is not ONNX gets a clear error", async () => {
    const { page, problems } = await openUpload();
    const text = Buffer.from("name,value\nnot,a model\n");
    await page.getByLabel(CHOOSE).setInputFiles({ name: "data.csv", mimeType: "text/csv", buffer: text });
    const alert = page.getByRole("alert").filter({ hasText: "could not be read as an ONNX model" });
    await alert.waitFor();
    assert.match(await alert.textContent(), /“data\.csv” could not be read as an ONNX model/);
    assert.match(await alert.textContent(), /not an ONNX model/);
    await screenshot(page, "upload-not-onnx");
    assert.deepEqual(problems, []);
  });

  test("that takes a picture gets a picture picker, resized and scaled", async () => {
    const { page, problems } = await openUpload();
    const { bytes } = await conformanceModel("digits-picture-channel-means");
    await page.getByLabel(CHOOSE).setInputFiles({ name: "means.onnx", mimeType: "application/octet-stream", buffer: bytes });
    const picker = page.getByLabel("Picture", { exact: true });
    await picker.waitFor();

    // A 40x20 picture of one colour: whatever the crop and resize, every channel's
    // mean is that colour's channel over 255.
    const colour = [51, 102, 204];
    const png = await page.evaluate(async (colour) => {
      const canvas = new OffscreenCanvas(40, 20);
      const context = canvas.getContext("2d");
      context.fillStyle = `rgb(${colour.join(",")})`;
      context.fillRect(0, 0, 40, 20);
      const blob = await canvas.convertToBlob({ type: "image/png" });
      return [...new Uint8Array(await blob.arrayBuffer())];
    }, colour);
    await picker.setInputFiles({ name: "blue.png", mimeType: "image/png", buffer: Buffer.from(png) });

    const expected = colour.map((c) => c / 255);
    await page.waitForFunction((expected) => {
      const bars = [...document.querySelectorAll(".prediction .probabilities li")];
      return bars.length === 3 && bars.every((bar, i) => Math.abs(Number(bar.dataset.probability) - expected[i]) <= 1e-3);
    }, expected);

    // The same picture on the -1 to 1 scale.
    await page.getByLabel("Pixel values").selectOption({ label: "-1 to 1" });
    await page.waitForFunction((expected) => {
      const bars = [...document.querySelectorAll(".prediction .probabilities li")];
      return bars.length === 3 && bars.every((bar, i) => Math.abs(Number(bar.dataset.probability) - expected[i]) <= 2e-3);
    }, expected.map((v) => 2 * v - 1));
    await screenshot(page, "upload-picture");
    assert.deepEqual(problems, []);
  });
});
