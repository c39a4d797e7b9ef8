// Comparing two versions of iris-logreg (1.1.0 shown on the development site, 1.0.0 the
// challenger): shadow mode on the form, and a labelled CSV file scored by both. The
// expected numbers come from onnxruntime's outputs for both versions on the same
// held-out rows (the shipped golden files): the truth column is 1.0.0's labels, so
// 1.0.0 is right on every row and 1.1.0 wrong exactly where onnxruntime says they differ.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openPage, readJson, screenshot, useSite } from "./support.mjs";

const site = useSite({ scratch: "compare" });

/** Both versions' onnxruntime labels on the shared held-out rows. */
async function bothVersions() {
  const card = await readJson("models/iris-logreg/1.0.0/card.json");
  const older = await readJson("models/iris-logreg/1.0.0/golden.json");
  const newer = await readJson("models/iris-logreg/1.1.0/golden.json");
  assert.deepEqual(older.inputs, newer.inputs, "the two golden files share their inputs");
  const width = older.inputs.input.shape[1];
  const values = older.inputs.input.data.float32;
  const label = (golden, r) => card.target.classes[golden.outputs.output_label.data.int64[r]];
  const rows = [];
  for (let r = 0; r < values.length / width; r++) {
    rows.push({ values: values.slice(r * width, (r + 1) * width), older: label(older, r), newer: label(newer, r) });
  }
  return { card, rows };
}

describe("comparing versions", () => {
  test("shadow mode runs the challenger beside the form and tallies where they disagree", async () => {
    const { card, rows } = await bothVersions();
    const differing = rows.find((r) => r.older !== r.newer);
    assert.ok(differing, "the versions disagree somewhere");
    const { page, problems } = await openPage(site.browser, `${site.url}#/iris-logreg/compare`);
    await page.locator("#compare-challenger").waitFor();
    assert.equal(await page.locator("#compare-challenger").inputValue(), "1.0.0");
    await page.getByLabel("Shadow mode", { exact: false }).check();

    await page.goto(`${site.url}#/iris-logreg`);
    await page.getByRole("heading", { name: "Shadow: version 1.0.0" }).waitFor();
    for (const [i, feature] of card.features.entries()) {
      await page.getByLabel(feature.name, { exact: false }).first().fill(String(differing.values[i]));
    }
    // The form shows 1.1.0's label, the shadow 1.0.0's, as onnxruntime gives them.
    await page.locator(".prediction .predicted").filter({ hasText: new RegExp(`^${differing.newer}$`) }).waitFor();
    await page.locator("#shadow-says").filter({ hasText: differing.older }).waitFor();
    const table = page.locator(".shadow-disagreements tbody tr");
    await table.first().waitFor();
    const listed = await table.allTextContents();
    assert.ok(listed.some((row) => row.includes(differing.newer) && row.includes(differing.older)), listed.join("\n"));
    assert.match(await page.locator("#shadow-agreement").textContent(), /^Agreed on \d+ of \d+ inputs/);
    await screenshot(page, "shadow-form");

    // On a stream, every record is scored by both: the tally counts them all, and the
    // two disagree on exactly the rows onnxruntime says they do.
    await page.goto(`${site.url}#/iris-logreg/stream`);
    await page.locator("#stream-connect:not([disabled])").waitFor();
    await page.locator("#stream-kind").selectOption("pasted");
    const records = rows.map((r) => JSON.stringify(Object.fromEntries(card.features.map((f, i) => [f.name, r.values[i]]))));
    await page.locator("#stream-pasted").fill(records.join("\n"));
    await page.locator("#stream-connect").click();
    const differ = rows.filter((r) => r.older !== r.newer).length;
    const expected = `Agreed on ${rows.length - differ} of ${rows.length} inputs`;
    await page.locator("#shadow-agreement").filter({ hasText: expected }).waitFor();

    // A scored file is compared on its sample: all 38 rows here.
    const file = join(site.scratch, "rows.csv");
    await writeFile(file, [card.features.map((f) => f.name).join(","), ...rows.map((r) => r.values.join(","))].join("\n") + "\n");
    await page.goto(`${site.url}#/iris-logreg/batch`);
    await page.locator("#batch-file").setInputFiles(file);
    await page.locator("#batch-start:not([disabled])").click();
    await page.locator("#batch-summary[data-done='true']").waitFor({ timeout: 120_000 });
    await page.locator("#shadow-agreement").filter({ hasText: expected }).waitFor();
    await screenshot(page, "shadow-batch");
    assert.deepEqual(problems, []);
  });

  test("a labelled CSV file gets both versions' metrics, confusion matrices and McNemar's test", async () => {
    const { card, rows } = await bothVersions();
    const names = card.features.map((f) => f.name);
    const lines = [[...names, card.target.name].join(",")];
    for (const row of rows) lines.push([...row.values, row.older].join(","));
    lines.push("5.0,x,1.4,0.2,setosa");
    const file = join(site.scratch, "labelled.csv");
    await writeFile(file, lines.join("\n") + "\n");
    const n = rows.length;
    const differ = rows.filter((r) => r.older !== r.newer).length;

    const { page, problems } = await openPage(site.browser, `${site.url}#/iris-logreg/compare`);
    await page.locator("#compare-file").setInputFiles(file);
    const metrics = page.locator("#compare-metrics");
    await metrics.waitFor();
    const accuracy = await metrics.getByRole("row", { name: /Accuracy/ }).locator("td").allTextContents();
    assert.deepEqual(accuracy.map(Number).map((x) => x.toFixed(4)), [((n - differ) / n).toFixed(4), "1.0000"]);
    assert.match(await page.locator("#compare-test").textContent(), new RegExp(`right on 0 rows, the challenger alone on ${differ};`));
    assert.equal(await page.locator("table.confusion").count(), 2);
    assert.equal(await page.locator("#compare-disagreements tbody tr").count(), differ);
    // The bad row is named, by line and column, and not compared.
    assert.match(await page.locator("#compare-problems").textContent(), new RegExp(`line ${n + 2}, column 2 \\(${names[1]}\\)`));
    await screenshot(page, "compare-labelled");
    assert.deepEqual(problems, []);
  });
  test("a recalibration made on the Recalibrate tab is compared like a registered version", async () => {
    const { card, rows } = await bothVersions();
    const names = card.features.map((f) => f.name);
    const lines = [[...names, card.target.name].join(","), ...rows.map((r) => [...r.values, r.older].join(","))];
    const file = join(site.scratch, "recalibrate.csv");
    await writeFile(file, lines.join("\n") + "\n");
    const n = rows.length;
    const differ = rows.filter((r) => r.older !== r.newer).length;

    const { page, problems } = await openPage(site.browser, `${site.url}#/iris-logreg/recalibrate`);
    await page.locator("#recal-file").setInputFiles(file);
    await page.locator("#recal-csv-status", { hasText: `${n} rows learned` }).waitFor();
    await page.getByRole("button", { name: "Compare with the registered versions" }).click();
    await page.waitForURL(/#\/iris-logreg\/compare$/);
    assert.equal(await page.locator("#compare-challenger").inputValue(), "recalibrated");
    assert.equal(await page.locator("#compare-shadow").isDisabled(), true, "shadow mode runs registered versions only");

    await page.locator("#compare-file").setInputFiles(file);
    const metrics = page.locator("#compare-metrics");
    await metrics.waitFor();
    assert.deepEqual(await metrics.locator("thead th").allTextContents(), ["Metric", "1.1.0", "recalibrated"]);
    // The shown version's accuracy is onnxruntime's; every row is in the
    // recalibration's confusion matrix.
    const accuracy = await metrics.getByRole("row", { name: /Accuracy/ }).locator("td").allTextContents();
    assert.equal(Number(accuracy[0]).toFixed(4), ((n - differ) / n).toFixed(4));
    const cells = await page.locator("table.confusion").nth(1).locator("tbody td").allTextContents();
    assert.equal(cells.map(Number).reduce((a, b) => a + b, 0), n);
    assert.deepEqual(problems, []);
  });
});
