// One build, three sites: each environment's folder (`cargo xtask build`) serves the
// registry as that environment sees it. Production is what the public gets; staging
// shows what production would change to; development has every version and the tools.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { environmentDir, launchChromium, openPage, SITE_DIR, screenshot, serveSite } from "./support.mjs";

const PHONE = { width: 390, height: 844 };

let browser;
const sites = [];

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const site of sites) site.close();
});

async function serve(dir, overrides = new Map()) {
  const site = await serveSite(overrides, dir);
  sites.push(site);
  return site;
}

/** Fails if the page is wider than its window: everything but the tables that scroll
 * on their own must wrap. */
async function assertFitsWidth(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the window`);
}

/** The "iris-forest · version 1.0.0 · …" line under a model page's title. */
const versionLine = (page) => page.locator(".model-page > header .model-meta");

describe("production", () => {
  test("serves production's version with no development tools", async () => {
    const site = await serve(environmentDir("production"));
    const { page, problems } = await openPage(browser, `${site.url}#/iris-forest`);
    await page.getByRole("heading", { name: "Model card" }).waitFor();
    assert.match(await versionLine(page).textContent(), /version 1\.0\.0/);
    await page.locator(".prediction .predicted").waitFor();
    assert.equal(await page.getByLabel("Version").count(), 0, "no version switcher");
    assert.equal(await page.getByRole("link", { name: "Registry" }).count(), 0, "no registry link");
    assert.equal(await page.locator(".badge.environment").count(), 0, "no environment badge");
    for (const tool of ["Compare versions", "Monitor", "Recalibrate"]) {
      assert.equal(await page.getByRole("link", { name: tool }).count(), 0, `no ${tool} tab`);
    }
    await screenshot(page, "production-iris-forest");

    await page.goto(`${site.url}#/registry`);
    await page.getByRole("alert").filter({ hasText: "registry is not available on the production site" }).waitFor();
    assert.deepEqual(problems, []);
  });

  test("refuses a link to a version it does not serve", async () => {
    const site = await serve(environmentDir("production"));
    const { page } = await openPage(browser, `${site.url}#/iris-forest@1.1.0`, PHONE);
    await page.getByRole("alert").filter({ hasText: "iris-forest 1.1.0 is not served here" }).waitFor();
    await screenshot(page, "production-unserved-phone");
  });
});

describe("staging", () => {
  test("says it is staging and what production would change, linked to the cards compared", async () => {
    const site = await serve(environmentDir("staging"));
    const { page, problems } = await openPage(browser, site.url);
    const banner = page.getByRole("complementary", { name: "Staging" });
    await banner.waitFor();
    assert.match(await banner.getByRole("status").textContent(), /Staging/);
    assert.match(await banner.textContent(), /iris-forest: production 1\.0\.0 → staging 1\.1\.0/);
    assert.doesNotMatch(await banner.textContent(), /wine-boosting/, "unchanged models are not listed");
    await screenshot(page, "staging-home");

    await banner.getByRole("link", { name: "compare iris-forest cards" }).click();
    assert.equal(new URL(page.url()).hash, "#/registry/iris-forest/1.0.0..1.1.0");
    const diff = page.getByRole("region", { name: "Compare iris-forest cards" });
    await diff.getByRole("row", { name: /Accuracy/ }).waitFor();
    // The link lands on iris-forest's section, not at the top of the registry.
    await page.waitForFunction(() => {
      const top = document.getElementById("registry-iris-forest")?.getBoundingClientRect().top;
      return top !== undefined && top >= -5 && top < window.innerHeight / 2;
    });
    await screenshot(page, "staging-registry");
    assert.deepEqual(problems, []);
  });
});

describe("development", () => {
  test("a deep link selects a version, and the switcher changes version and link", async () => {
    const site = await serve(SITE_DIR);
    const { page, problems } = await openPage(browser, `${site.url}#/iris-forest@1.0.0`);
    const switcher = page.getByLabel("Version");
    await switcher.waitFor();
    assert.match(await versionLine(page).textContent(), /version 1\.0\.0 · production/);
    assert.equal(await switcher.inputValue(), "1.0.0");
    const options = await switcher.locator("option").allTextContents();
    assert.deepEqual(options, ["1.1.0 — development, staging", "1.0.0 — production"]);

    await switcher.selectOption("1.1.0");
    await page.waitForURL(/#\/iris-forest@1\.1\.0$/);
    await versionLine(page).filter({ hasText: "version 1.1.0" }).waitFor();
    await page.locator(".prediction .predicted").waitFor();
    // Back returns to the version before.
    await page.goBack();
    await versionLine(page).filter({ hasText: "version 1.0.0" }).waitFor();
    assert.equal(await switcher.inputValue(), "1.0.0");
    await screenshot(page, "development-switcher");
    assert.deepEqual(problems, []);
  });

  test("a draft is marked on its page and in the model list", async () => {
    const site = await serve(SITE_DIR);
    const { page, problems } = await openPage(browser, `${site.url}#/iris-logreg`, PHONE);
    await versionLine(page).filter({ hasText: "version 1.1.0" }).waitFor();
    assert.equal(await page.locator(".model-page > header .badge.draft").textContent(), "draft");
    const item = page.getByRole("navigation", { name: "Models" }).getByRole("link", { name: /Iris species: logistic regression/ });
    assert.match(await item.textContent(), /v1\.1\.0.*draft/);
    const option = page.getByLabel("Version").locator("option").first();
    assert.equal(await option.textContent(), "1.1.0 — development, draft");
    await screenshot(page, "development-draft-phone");
    assert.deepEqual(problems, []);
  });

  test("the registry page compares two versions' cards, production against the newest by default", async () => {
    const site = await serve(SITE_DIR);
    const { page, problems } = await openPage(browser, site.url);
    await page.getByRole("navigation", { name: "Site" }).getByRole("link", { name: "Registry" }).click();
    const section = page.getByRole("region", { name: /Iris species: random forest/ });
    await section.getByRole("heading", { name: "Versions", exact: true }).waitFor();
    assert.match(await section.getByRole("row", { name: /^1\.1\.0/ }).textContent(), /development, staging/);
    assert.match(await section.locator("table.history").textContent(), /promoted 1\.1\.0 to staging \(was 1\.0\.0\)/);

    const diff = section.getByRole("region", { name: "Compare iris-forest cards" });
    assert.equal(await diff.getByLabel("Before").inputValue(), "1.0.0");
    assert.equal(await diff.getByLabel("After").inputValue(), "1.1.0");
    const accuracy = diff.getByRole("row", { name: /Accuracy/ });
    await accuracy.waitFor();
    const text = await accuracy.textContent();
    assert.match(text, /0\.9737/);
    assert.match(text, /0\.9474/);
    assert.match(text, /-0\.0263 worse/);
    await screenshot(page, "development-registry");

    // Choosing another pair puts it in the link.
    await diff.getByLabel("After").selectOption("1.0.0");
    await page.waitForURL(/#\/registry\/iris-forest\/1\.0\.0\.\.1\.0\.0$/);
    assert.deepEqual(problems, []);
  });

  test("the registry page reads well on a phone", async () => {
    const site = await serve(SITE_DIR);
    const { page } = await openPage(browser, `${site.url}#/registry/iris-logreg/1.0.0..1.1.0`, PHONE);
    const diff = page.getByRole("region", { name: "Compare iris-logreg cards" });
    await diff.getByRole("row", { name: /Accuracy/ }).waitFor();
    await screenshot(page, "development-registry-phone");
    await assertFitsWidth(page);
  });

  test("a tampered model file is refused, and another model still predicts", async () => {
    const path = "models/iris-forest/1.1.0/model.onnx";
    const tampered = Buffer.from(await readFile(join(SITE_DIR, path)));
    tampered[tampered.length - 1] ^= 0xff;
    const site = await serve(SITE_DIR, new Map([[`/${path}`, tampered]]));
    const { page } = await openPage(browser, `${site.url}#/iris-forest`);
    const alert = page.getByRole("alert").filter({ hasText: "is not the file the registry lists" });
    await alert.waitFor();
    await screenshot(page, "development-tampered");
    await assertFitsWidth(page);

    await page.getByRole("link", { name: "Iris species: logistic regression" }).click();
    await page.locator(".prediction .predicted").waitFor();
  });
});
