// Recalibrating a model on the page: corrected predictions move the learner's
// prediction (and not the shipped version's); a labelled CSV file and a labelled
// stream are learned with a live learning curve, and their bad rows and records are
// listed by line or record number.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openPage, readJson, screenshot, useSite } from "./support.mjs";

const MODEL = "iris-logreg";

const site = useSite({ scratch: "recalibrate" });

async function openRecalibrate(viewport) {
  const { page, problems } = await openPage(site.browser, `${site.url}#/${MODEL}/recalibrate`, viewport);
  await page.getByRole("heading", { name: "Correct a prediction" }).waitFor();
  return { page, problems };
}

/** The class named at the start of a prediction ("versicolor (72%)"). */
const classOf = (text) => text.trim().split(" ")[0];

/** The shipped golden rows: each flower's values in card order and onnxruntime's class
 * as the truth. */
async function irisRows() {
  const golden = await readJson(`models/iris-forest/1.0.0/golden.json`);
  const card = await readJson(`models/iris-forest/1.0.0/card.json`);
  const width = golden.inputs.input.shape[1];
  const values = golden.inputs.input.data.float32;
  return golden.outputs.output_label.data.int64.map((label, r) => ({
    x: values.slice(r * width, (r + 1) * width),
    label: card.target.classes[label],
    names: card.features.map((f) => f.name),
  }));
}

async function setFlower(page, values) {
  const names = ["sepal length", "sepal width", "petal length", "petal width"];
  for (const [i, name] of names.entries()) await page.getByLabel(name).fill(String(values[i]));
}

describe("the recalibrate page", () => {
  test("corrections move the learner's prediction to the corrected class, not the shipped model's", async () => {
    const { page, problems } = await openRecalibrate();
    const card = await readJson(`models/iris-forest/1.0.0/card.json`);
    const classes = card.target.classes;
    // A clear setosa: the shipped model knows it.
    await setFlower(page, [5.0, 3.6, 1.4, 0.2]);
    const shipped = page.locator("#recal-shipped .recal-answer");
    const learner = page.locator("#recal-learner .recal-answer");
    await page.waitForFunction(() => /%/.test(document.querySelector("#recal-shipped .recal-answer")?.textContent));
    const shippedBefore = classOf(await shipped.textContent());
    assert.equal(shippedBefore, "setosa");
    const learnerBefore = classOf(await learner.textContent());
    // The person says it is another class than the learner now predicts (and than the
    // shipped model's), and teaches it so a few times.
    const corrected = classes.find((c) => c !== learnerBefore && c !== shippedBefore);
    await page.getByLabel("The right answer").selectOption({ label: corrected });
    const learn = page.getByRole("button", { name: "Learn from this" });
    for (let i = 0; i < 5; i++) await learn.click();

    await assert.doesNotReject(page.locator("#recal-count", { hasText: "5 corrections learned" }).waitFor());
    assert.equal(classOf(await learner.textContent()), corrected);
    assert.equal(classOf(await shipped.textContent()), shippedBefore);
    // The keyboard works too: Enter in a field learns once more.
    await page.getByLabel("petal width").press("Enter");
    await page.locator("#recal-count", { hasText: "6 corrections learned" }).waitFor();
    assert.deepEqual(problems, []);
  });

  test("learns a labelled CSV with a live curve, the shipped model's metrics beside, and lists a bad row by line", async () => {
    const { page, problems } = await openRecalibrate();
    const rows = await irisRows();
    // onnxruntime's labels as the truth, the columns in another order than the card's,
    // the rows three times over; line 10 names a class the card does not have.
    const lines = ["class,petal width,petal length,sepal width,sepal length"];
    for (let pass = 0; pass < 3; pass++) {
      for (const { x, label } of rows) lines.push([label, x[3], x[2], x[1], x[0]].join(","));
    }
    lines.splice(9, 0, "rose,0.2,1.4,3.5,5.1");
    const file = join(site.scratch, "labelled.csv");
    await writeFile(file, lines.join("\n") + "\n");
    const good = lines.length - 2;

    await page.locator("#recal-file").setInputFiles(file);
    await page.locator("#recal-csv-status", { hasText: `${good} rows learned, 1 could not be` }).waitFor();
    await page.locator("#recal-curve").waitFor();
    const curve = await page.locator("#recal-curve figcaption").textContent();
    assert.match(curve, new RegExp(`after ${Math.floor(good / 10) * 10} examples`));
    const errors = await page.locator("#recal-csv-errors").textContent();
    assert.match(errors, /line 10, column 1 \(class\)/);
    assert.match(errors, /rose/);
    const metrics = await page.locator("#recal-csv-metrics tbody tr").first().locator("td").allTextContents();
    assert.equal(metrics.length, 2);
    assert.ok(metrics.every((m) => Number(m) > 0.5 && Number(m) <= 1), `accuracies ${metrics}`);
    await page.getByRole("button", { name: "Download model.onnx" }).waitFor();
    assert.equal(await page.getByRole("button", { name: "Download model.onnx" }).isEnabled(), true);
    await screenshot(page, "recalibrate");
    assert.deepEqual(problems, []);
  });

  test("learns pasted labelled records as a stream, with the curve, and lists a malformed one with its reason", async () => {
    const { page, problems } = await openRecalibrate();
    const rows = await irisRows();
    // The golden rows three times over, as JSON objects keyed by feature name and
    // "class"; record 10 names a class the card does not have.
    const records = [];
    for (let pass = 0; pass < 3; pass++) {
      for (const { x, label, names } of rows) {
        records.push(JSON.stringify({ ...Object.fromEntries(names.map((n, k) => [n, x[k]])), class: label }));
      }
    }
    records.splice(9, 0, JSON.stringify({ "sepal length": 5.1, "sepal width": 3.5, "petal length": 1.4, "petal width": 0.2, class: "rose" }));
    const good = records.length - 1;

    await page.getByLabel("Source").selectOption("pasted");
    await page.getByLabel("Labelled records, one per line").fill(records.join("\n"));
    await page.getByRole("button", { name: "Start learning" }).click();

    await page.getByText("Closed: all pasted records were read.").waitFor();
    const counts = page.locator("#recal-stream-counts");
    assert.equal(Number(await counts.getAttribute("data-received")), records.length);
    assert.equal(Number(await counts.getAttribute("data-learned")), good);
    assert.equal(Number(await counts.getAttribute("data-malformed")), 1);
    const malformed = await page.locator("#recal-stream-malformed li").allTextContents();
    assert.deepEqual(malformed, ["record 10: “class”: “rose” is not one of the classes setosa, versicolor, virginica"]);
    // The page's one learner learned them: its curve, and the export, count them.
    await page.locator("#recal-curve").waitFor();
    const curve = await page.locator("#recal-curve figcaption").textContent();
    assert.match(curve, new RegExp(`after ${Math.floor(good / 10) * 10} examples`));
    assert.match(await page.locator("#recal-stream-score").textContent(), /: accuracy (0\.\d+|1)\.$/);
    assert.equal(await page.getByRole("button", { name: "Download model.onnx" }).isEnabled(), true);
    assert.equal(await page.getByRole("button", { name: "Stop" }).isDisabled(), true);
    await screenshot(page, "recalibrate-stream");
    assert.deepEqual(problems, []);
  });

  test("exports an ONNX file and a card for registering", async () => {
    const { page, problems } = await openRecalibrate();
    await setFlower(page, [6.3, 3.3, 6.0, 2.5]);
    await page.getByLabel("The right answer").selectOption({ label: "virginica" });
    await page.getByRole("button", { name: "Learn from this" }).click();
    const [onnx] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download model.onnx" }).click(),
    ]);
    assert.equal(onnx.suggestedFilename(), "model.onnx");
    const bytes = await readDownload(onnx);
    assert.ok(bytes.length > 100, `model.onnx has ${bytes.length} bytes`);
    const [cardFile] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download card.json" }).click(),
    ]);
    const written = JSON.parse((await readDownload(cardFile)).toString("utf8"));
    assert.equal(written.algorithm, "SGD");
    assert.equal(written.training.train_rows, 1);
    assert.match(written.training.dataset, /1 corrected prediction in the browser/);
    assert.deepEqual(written.features.map((f) => f.name), ["sepal length", "sepal width", "petal length", "petal width"]);
    assert.match(await page.locator("section.recal code").textContent(), /modelport register model\.onnx --card card\.json/);
    assert.deepEqual(problems, []);
  });

  test("is usable on a phone", async () => {
    const { page, problems } = await openRecalibrate({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the page is ${overflow}px wider than the phone`);
    await screenshot(page, "recalibrate-phone");
    assert.deepEqual(problems, []);
  });
});

async function readDownload(download) {
  const chunks = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk);
  return Buffer.concat(chunks);
}
