// The monitoring page: predictions made on the site are recorded in the browser, and a
// CSV whose petal lengths are shifted by 3 cm alerts on that feature and not on the
// others; the report downloads as JSON and as HTML; a form prediction is counted.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openPage, readJson, screenshot, useSite } from "./support.mjs";

const site = useSite({ scratch: "monitor" });

/** Rows drawn from the training decile bins the card keeps, each bin as often as the
 * training data filled it (`quantile_counts`: iris measurements are rounded to
 * millimetres, so some deciles tie and their bins are empty), so that an unshifted
 * feature matches its training distribution; `shift` is added to the feature named
 * `shifted`. */
async function csvFromTraining(rows, shifted, shift) {
  const card = await readJson("models/iris-forest/1.0.0/card.json");
  const lines = [card.features.map((f) => f.name).join(",")];
  for (let i = 0; i < rows; i++) {
    const values = card.features.map((feature, j) => {
      const { quantiles: q, quantile_counts: counts } = feature.training;
      const total = counts.reduce((a, b) => a + b, 0);
      // Low-discrepancy positions: where in the training distribution, and where in its bin.
      let rank = (((i + 7 * j) * 0.6180339887) % 1) * total;
      let bin = 0;
      while (rank >= counts[bin]) rank -= counts[bin++];
      const within = rank / counts[bin];
      const value = q[bin] + within * (q[bin + 1] - q[bin]);
      return (value + (feature.name === shifted ? shift : 0)).toFixed(4);
    });
    lines.push(values.join(","));
  }
  const file = join(site.scratch, `iris-${shifted.replace(" ", "-")}-${shift}.csv`);
  await writeFile(file, lines.join("\n") + "\n");
  return file;
}

async function scoreOnBatchPage(page, file) {
  await page.goto(`${site.url}#/iris-forest/batch`);
  await page.getByRole("heading", { name: "Score a CSV file" }).waitFor();
  await page.locator("#batch-file").setInputFiles(file);
  await page.locator("#batch-mapping").waitFor();
  await page.locator("#batch-start:not([disabled])").click();
  await page.locator("#batch-summary[data-done='true']").waitFor({ timeout: 60_000 });
}

async function openMonitor(page) {
  await page.goto(`${site.url}#/iris-forest/monitor`);
  await page.getByRole("heading", { name: "Monitor drift" }).waitFor();
}

/** The downloaded file's text, through playwright's download event. */
async function downloaded(page, button) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button }).click()]);
  return { name: download.suggestedFilename(), text: await readFile(await download.path(), "utf8") };
}

describe("the monitoring page", () => {
  test("says how to record when nothing was recorded", async () => {
    const { page, problems } = await openPage(site.browser, `${site.url}#/iris-forest/monitor`);
    await page.locator("#monitor-empty").waitFor();
    assert.match(await page.locator("#monitor-empty").textContent(), /Nothing was recorded yet/);
    assert.deepEqual(problems, []);
  });

  test("alerts after scoring a shifted CSV, on the shifted feature only, and exports the report", async () => {
    const rows = 600;
    const file = await csvFromTraining(rows, "petal length", 3);
    const { page, problems } = await openPage(site.browser, `${site.url}#/iris-forest/batch`);
    await scoreOnBatchPage(page, file);

    // Arrange done; act: look at the monitor.
    await openMonitor(page);
    const level = page.locator("#monitor-level");
    await level.waitFor({ timeout: 15_000 });
    assert.equal(await level.getAttribute("data-level"), "alert");
    assert.equal(await level.getAttribute("role"), "alert");
    assert.match(await level.textContent(), /Alert/);
    assert.match(await page.locator("#monitor-counts").textContent(), new RegExp(`^${rows} recorded predictions.*${rows} from CSV files`));

    const row = (name) => page.locator(`#monitor-table tr[data-feature='${name}']`);
    assert.equal(await row("petal length").getAttribute("data-level"), "alert");
    assert.notEqual(await row("sepal width").getAttribute("data-level"), "alert");
    assert.match(await row("petal length").locator("td").first().textContent(), /alert/);
    // Baseline and recorded histograms, one per feature, each with an accessible name.
    assert.equal(await page.getByRole("img", { name: /petal length/ }).count(), 1);
    await screenshot(page, "monitor");

    const json = await downloaded(page, "Download JSON");
    assert.match(json.name, /\.json$/);
    const report = JSON.parse(json.text);
    assert.equal(report.level, "alert");
    assert.equal(report.rows, rows);
    assert.equal(report.features.find((f) => f.name === "petal length").level, "alert");
    assert.notEqual(report.features.find((f) => f.name === "sepal width").level, "alert");

    const html = await downloaded(page, "Download HTML");
    assert.match(html.name, /\.html$/);
    assert.match(html.text, /^<!DOCTYPE html>/);
    assert.match(html.text, /petal length/);
    assert.doesNotMatch(html.text, /<script/);

    // On a phone, the same page.
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, "monitor-phone");

    // Clearing asks first, then empties the log.
    await page.getByRole("button", { name: "Clear recorded predictions" }).click();
    await page.getByRole("button", { name: "Delete them" }).click();
    await page.locator("#monitor-empty").waitFor();
    assert.deepEqual(problems, []);
  });

  test("counts a prediction made with the form", async () => {
    const { page, problems } = await openPage(site.browser, `${site.url}#/iris-forest`);
    const field = page.getByLabel("petal length", { exact: false }).first();
    await field.waitFor();
    await field.fill("4.2");
    await page.locator(".prediction .predicted").waitFor();
    await openMonitor(page);
    const counts = page.locator("#monitor-counts");
    await counts.waitFor({ timeout: 15_000 });
    assert.match(await counts.textContent(), /[1-9]\d* from the form/);
    assert.deepEqual(problems, []);
  });
});
