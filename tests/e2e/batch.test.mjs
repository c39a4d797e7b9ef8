// Scoring CSV files on the batch page: every input row comes out once, in order, with
// onnxruntime's prediction (the shipped golden rows) or an error naming its line; a
// large file can be cancelled; columns can be mapped by hand.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openPage, readJson, screenshot, useSite } from "./support.mjs";

const site = useSite({ scratch: "batch" });

async function irisGolden() {
  const golden = await readJson("models/iris-forest/1.0.0/golden.json");
  const card = await readJson("models/iris-forest/1.0.0/card.json");
  const width = golden.inputs.input.shape[1];
  const values = golden.inputs.input.data.float32;
  const rows = [];
  for (let r = 0; r < values.length / width; r++) {
    rows.push({
      values: values.slice(r * width, (r + 1) * width),
      label: card.target.classes[golden.outputs.output_label.data.int64[r]],
      labelIndex: String(golden.outputs.output_label.data.int64[r]),
      probabilities: golden.outputs.output_probability.data.float32.slice(r * 3, (r + 1) * 3),
    });
  }
  return { card, rows };
}

/** Splits CSV text into records of fields (quotes as RFC 4180; enough for these files). */
function parseCsv(text) {
  const records = [];
  let record = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") record.push(field), (field = "");
    else if (c === "\n") record.push(field), records.push(record), (record = []), (field = "");
    else if (c !== "\r") field += c;
  }
  if (field || record.length) record.push(field), records.push(record);
  return records;
}

async function openBatch(model = "iris-forest@1.0.0", viewport) {
  const { page, problems } = await openPage(site.browser, `${site.url}#/${model}/batch`, viewport);
  await page.getByRole("heading", { name: "Score a CSV file" }).waitFor();
  return { page, problems };
}

/** The downloaded output, read through the page's own link. */
async function download(page) {
  const href = await page.locator("#batch-download").getAttribute("href");
  return page.evaluate(async (url) => (await fetch(url)).text(), href);
}

describe("the batch page", () => {
  test("scores good and bad rows in order across workers, with onnxruntime's labels", async () => {
    const { card, rows } = await irisGolden();
    const names = card.features.map((f) => f.name);
    // An id column first and the features reversed: matched by name, not position.
    const header = ["id", ...[...names].reverse()];
    const lines = [header.join(",")];
    const expected = [];
    // Several megabytes, so that the file is split between workers.
    const copies = 1800;
    for (let copy = 0; copy < copies; copy++) {
      for (const [r, row] of rows.entries()) {
        const id = `${copy}-${r}`;
        const line = lines.length + 1;
        if (copy % 600 === 7 && r === 3) {
          lines.push([id, "x", "1", "2", "3"].join(","));
          expected.push({ id, error: `line ${line}, column 2 (${header[1]}): “x” is not a number` });
        } else if (copy % 600 === 11 && r === 5) {
          lines.push([id, "1", "2"].join(","));
          expected.push({ id, error: `line ${line}: 3 fields, the header has 5` });
        } else if (copy === 1500 && r === 0) {
          lines.push([id, "1", "", "3", "4"].join(","));
          expected.push({ id, error: `line ${line}, column 3 (${header[2]}): empty where a value is required` });
        } else {
          lines.push([id, ...[...row.values].reverse()].join(","));
          expected.push({ id, row });
        }
      }
    }
    const file = join(site.scratch, "flowers.csv");
    await writeFile(file, lines.join("\n") + "\n");

    const { page, problems } = await openBatch();
    await page.locator("#batch-file").setInputFiles(file);
    await page.locator("#batch-mapping").waitFor();
    // Every feature found by name, the id column kept.
    assert.equal(await page.locator("#batch-mapping td.hint", { hasText: "by name" }).count(), 4);
    await page.getByText("Not used by the model, kept in the output: “id”.").waitFor();
    await page.locator("#batch-start:not([disabled])").click();
    const summary = page.locator("#batch-summary[data-done='true']");
    await summary.waitFor({ timeout: 120_000 });
    assert.equal(await page.locator("#batch-progress").getAttribute("value"), "1");
    const errors = expected.filter((e) => e.error);
    assert.equal(await summary.getAttribute("data-rows"), String(expected.length));
    assert.equal(await summary.getAttribute("data-errors"), String(errors.length));
    // The first errors, with their line numbers, in file order.
    const listed = await page.locator(".batch-errors li").allTextContents();
    assert.deepEqual(listed, errors.slice(0, listed.length).map((e) => e.error));
    await screenshot(page, "batch-summary");

    const output = parseCsv(await download(page));
    assert.deepEqual(output[0], [...header, "output_label", "output_probability_0", "output_probability_1", "output_probability_2", "error"]);
    const body = output.slice(1);
    assert.equal(body.length, expected.length, "one output row per input row");
    for (const [i, want] of expected.entries()) {
      const got = body[i];
      assert.equal(got[0], want.id, `row ${i} is in input order`);
      if (want.error) {
        assert.equal(got[got.length - 1], want.error);
        assert.equal(got[5], "", "a row with an error has no prediction");
      } else {
        assert.equal(got[5], want.row.labelIndex, `row ${want.id}: onnxruntime's label`);
        got.slice(6, 9).forEach((p, k) => assert.ok(Math.abs(Number(p) - want.row.probabilities[k]) < 1e-5, `row ${want.id}`));
        assert.equal(got[9], "");
      }
    }
    // The chart counts the predicted classes of the scored rows.
    const counts = new Map();
    for (const want of expected.filter((e) => !e.error)) counts.set(want.row.label, (counts.get(want.row.label) ?? 0) + 1);
    for (const [label, n] of counts) {
      await page.locator("#batch-chart li", { hasText: label }).getByText(new RegExp(`^${n.toLocaleString("en-US")} \\(`)).waitFor();
    }
    // The profile of the file, beside the training statistics.
    const profile = page.locator("#batch-profile tbody tr", { hasText: "petal length" });
    await profile.waitFor();
    assert.deepEqual(problems, []);
  });

  test("maps columns by hand when the header does not name the features", async () => {
    const { rows } = await irisGolden();
    const file = join(site.scratch, "unnamed.csv");
    const lines = ["a,b,c,d,e", ...rows.map((r, i) => [...r.values, i].join(","))];
    await writeFile(file, lines.join("\n") + "\n");
    const { page, problems } = await openBatch("iris-forest@1.0.0", { width: 390, height: 844 });
    await page.locator("#batch-file").setInputFiles(file);
    await page.getByText("4 features without a column: choose one for each before scoring.").waitFor();
    assert.equal(await page.locator("#batch-start").isDisabled(), true);
    for (let f = 0; f < 4; f++) await page.locator(`#batch-map-${f}`).selectOption({ label: "abcd"[f] });
    await page.getByText("Not used by the model, kept in the output: “e”.").waitFor();
    await page.locator("#batch-start:not([disabled])").click();
    const summary = page.locator("#batch-summary[data-done='true']");
    await summary.waitFor({ timeout: 60_000 });
    assert.equal(await summary.getAttribute("data-errors"), "0");
    const body = parseCsv(await download(page)).slice(1);
    assert.deepEqual(body.map((r) => r[5]), rows.map((r) => r.labelIndex));
    await screenshot(page, "batch-phone");
    assert.deepEqual(problems, []);
  });

  test("cancels a large file within a second", async () => {
    const { card } = await irisGolden();
    const file = join(site.scratch, "large.csv");
    const names = card.features.map((f) => f.name);
    const row = "5.1,3.5,1.4,0.2\n";
    // About 50 MB: long enough to still be running when Cancel is pressed.
    await writeFile(file, names.join(",") + "\n" + row.repeat(3_000_000));
    const { page, problems } = await openBatch();
    await page.locator("#batch-file").setInputFiles(file);
    await page.locator("#batch-start:not([disabled])").click();
    await page.locator("#batch-progress").waitFor();
    await page.waitForFunction(() => Number(document.querySelector("#batch-progress")?.value) > 0.05, null, { timeout: 60_000 });
    const pressed = Date.now();
    await page.locator("#batch-cancel").click();
    await page.locator("#batch-cancelled").waitFor({ timeout: 1000 });
    assert.ok(Date.now() - pressed < 1000);
    assert.equal(await page.locator("#batch-summary").count(), 0);
    // A new run starts cleanly afterwards.
    await page.locator("#batch-start:not([disabled])").waitFor();
    assert.deepEqual(problems, []);
  });
});
