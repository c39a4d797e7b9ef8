// The built site, used the way a person uses it: find things by role and label, type,
// read what the page says. Expected predictions come from onnxruntime (golden.json).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  goldenRow,
  launchChromium,
  openPage as openPageAt,
  readJson,
  registryVouchingFor,
  screenshot,
  serveSite,
} from "./support.mjs";

// Random bytes in place of one model file: the page must say so and keep working. The
// registry vouches for them, so that they reach the loader rather than the integrity
// check (environments.test.mjs covers that one).
const BROKEN = { model: "iris-forest", version: "1.1.0" };
const NOISE = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919 + 13) % 251));

let site;
let browser;

/** The version development serves of a shipped model. */
async function developmentVersion(model) {
  const registry = await readJson("models/registry.json");
  return registry.models.find((m) => m.name === model).channels.development;
}

before(async () => {
  assert.equal(await developmentVersion(BROKEN.model), BROKEN.version, "the broken file is the one development serves");
  site = await serveSite(
    new Map([
      [`/models/${BROKEN.model}/${BROKEN.version}/model.onnx`, NOISE],
      ["/models/registry.json", await registryVouchingFor(BROKEN.model, BROKEN.version, NOISE)],
    ]),
  );
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  site?.close();
});

const openPage = (viewport) => openPageAt(browser, site.url, viewport);

/** Types a golden row into the form, field by field, found by label. */
async function fillRow(page, card, values) {
  for (const [i, feature] of card.features.entries()) {
    const field = page.getByLabel(feature.name, { exact: false }).first();
    if (feature.categories) {
      await field.selectOption(String(values[i]));
    } else {
      await field.fill(String(values[i]));
    }
  }
}

describe("the model list", () => {
  test("shows every shipped model with its description", async () => {
    const { page, problems } = await openPage();
    const registry = await readJson("models/registry.json");
    const nav = page.getByRole("navigation", { name: "Models" });
    for (const model of registry.models) {
      const link = nav.getByRole("link", { name: model.title });
      await link.waitFor();
      assert.match(await link.textContent(), new RegExp(model.description.slice(0, 30).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    }
    await screenshot(page, "home");
    assert.deepEqual(problems, []);
  });
});

describe("predictions", () => {
  test("a classifier predicts onnxruntime's label and probabilities from typed inputs", async () => {
    const { page, problems } = await openPage();
    const { card, values, outputs } = await goldenRow("iris-logreg", await developmentVersion("iris-logreg"), 1);
    await page.getByRole("link", { name: card.title }).click();
    await page.getByRole("heading", { name: "Model card" }).waitFor();
    await fillRow(page, card, values);

    // Predictions follow typing, so earlier rows' results show first: wait for this
    // row's. Bars are in class order; each carries the exact probability it shows.
    await page.waitForFunction((expected) => {
      const bars = [...document.querySelectorAll(".prediction .probabilities li")];
      return bars.length === expected.length &&
        bars.every((bar, i) => Math.abs(Number(bar.dataset.probability) - expected[i]) <= 1e-5);
    }, outputs.probabilities);
    const prediction = page.getByRole("region", { name: "Prediction" });
    assert.equal(await prediction.locator(".predicted").textContent(), card.target.classes[outputs.label[0]]);
    const bars = prediction.getByRole("listitem");
    for (const [i, expected] of outputs.probabilities.entries()) {
      assert.match(await bars.nth(i).textContent(), new RegExp(`${(100 * expected).toFixed(1)}%`));
    }
    assert.match(await prediction.textContent(), /Computed on this device in [\d.]+ ms/);
    await screenshot(page, "iris-logreg");
    assert.deepEqual(problems, []);
  });

  test("a regressor shows onnxruntime's value with its unit, categorical features in a select", async () => {
    const { page, problems } = await openPage();
    const { card, values, outputs } = await goldenRow("diabetes-linear", "1.0.0", 2);
    await page.goto(`${site.url}#/${card.name}`);
    await page.getByRole("heading", { name: "Model card" }).waitFor();
    assert.equal(await page.getByLabel("sex").evaluate((e) => e.tagName), "SELECT");
    await fillRow(page, card, values);

    const expected = outputs.value[0];
    const value = page.getByRole("region", { name: "Prediction" }).locator(".predicted");
    await page.waitForFunction(
      ([expected]) => {
        const shown = Number(document.querySelector(".prediction .predicted")?.dataset.value);
        return Math.abs(shown - expected) <= 1e-5 * Math.max(1, Math.abs(expected));
      },
      [expected],
    );
    assert.match(await value.textContent(), new RegExp(card.target.unit));
    await screenshot(page, "diabetes-linear");
    assert.deepEqual(problems, []);
  });

  test("a value that is not a number is pointed out, and nothing is predicted from it", async () => {
    const { page } = await openPage();
    await page.goto(`${site.url}#/iris-logreg`);
    const field = page.getByLabel("petal width", { exact: false });
    await field.waitFor();
    await field.fill("");
    await page.getByText("a value is required").waitFor();
    assert.equal(await field.getAttribute("aria-invalid"), "true");
  });

  test("the digits model reads the example image drawn on its pad", async () => {
    const { page, problems } = await openPage({ width: 390, height: 844 });
    const { card, outputs } = await goldenRow("digits-mlp", "1.0.0", 0);
    await page.goto(`${site.url}#/${card.name}`);
    await page.getByRole("group", { name: "8 by 8 drawing pad" }).waitFor();
    const expected = card.target.classes[outputs.label[0]];
    await page.locator(".prediction .predicted").filter({ hasText: new RegExp(`^${expected}$`) }).waitFor();
    await screenshot(page, "digits-mlp-phone");
    assert.deepEqual(problems, []);
  });
});

describe("failures", () => {
  test("a model file that fails to load is reported, and the page keeps working", async () => {
    const { page } = await openPage();
    await page.goto(`${site.url}#/iris-forest`);
    const alert = page.getByRole("alert").filter({ hasText: "could not be loaded" });
    await alert.waitFor();
    assert.match(await alert.textContent(), /not an ONNX model/);
    await screenshot(page, "broken-model");

    await page.getByRole("link", { name: "Iris species: logistic regression" }).click();
    await page.locator(".prediction .predicted").waitFor();
  });

  test("a link to an unknown model says so", async () => {
    const { page } = await openPage();
    await page.goto(`${site.url}#/no-such-model`);
    await page.getByRole("alert").filter({ hasText: "no model named" }).waitFor();
  });
});

describe("a worker that cannot start", () => {
  test("is reported in words, and the page stays usable", async () => {
    // A separate site whose worker wasm is garbage: the worker dies at every start.
    const broken = await serveSite(new Map([["/worker_bg.wasm", NOISE]]));
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${broken.url}#/iris-logreg`);
      const banner = page.getByRole("alert").filter({ hasText: "Predictions were interrupted" });
      await banner.filter({ hasText: "could not be restarted" }).waitFor();
      await page.getByRole("alert").filter({ hasText: "This model could not be loaded" }).waitFor();
      // Everything that does not need the worker still works.
      await page.getByRole("link", { name: "Wine cultivar: gradient boosting" }).click();
      await page.getByRole("heading", { name: "Model card" }).waitFor();
      await screenshot(page, "worker-failed");
    } finally {
      broken.close();
    }
  });
});
