// Offline and installable: after the first visit the service worker (public/sw.js,
// its file list written by `cargo xtask build`) serves the whole site with the network
// off, and a new deployment is offered to the user as a reload.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { launchChromium, screenshot, serveSite, SITE_DIR } from "./support.mjs";

let browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** The precache list `cargo xtask build` wrote into the served sw.js, and the file. */
async function builtWorker() {
  const text = await readFile(join(SITE_DIR, "sw.js"), "utf8");
  const line = text.split("\n").find((l) => l.startsWith("const PRECACHE = "));
  const precache = JSON.parse(line.slice("const PRECACHE = ".length).replace(/;$/, ""));
  return { text, precache };
}

/** A fresh browser profile's first visit: waits until the service worker has cached the
 * site and controls the page. */
async function firstVisit(url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(url);
  await page.evaluate(() => navigator.serviceWorker.ready);
  // sw.js claims the page once it has activated; no reload needed.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  return { context, page, problems };
}

const cacheNames = (page) => page.evaluate(() => caches.keys());

describe("offline", () => {
  test("after the first visit the site works with the network off", async () => {
    // Every path the server is asked for, through the overrides lookup (nothing overridden).
    const requested = [];
    const site = await serveSite({ get: (path) => void requested.push(path) });
    const { precache } = await builtWorker();
    try {
      const { context, page, problems } = await firstVisit(site.url);

      // Installable: the page links a manifest that parses, with an icon that loads.
      const manifest = await page.evaluate(async () => {
        const href = document.querySelector('link[rel="manifest"]').href;
        const manifest = JSON.parse(await (await fetch(href)).text());
        const icon = await fetch(new URL(manifest.icons[0].src, href));
        return { ...manifest, iconOk: icon.ok };
      });
      assert.equal(manifest.name, "Modelport");
      assert.equal(manifest.start_url, "./");
      assert.equal(manifest.display, "standalone");
      assert.ok(manifest.iconOk, "the manifest's icon loads");

      // Everything the build listed is in this deployment's cache, and only that cache.
      assert.deepEqual(await cacheNames(page), [`modelport-${precache.version}`]);
      const cached = await page.evaluate(async (name) => (await (await caches.open(name)).keys()).length, `modelport-${precache.version}`);
      assert.equal(cached, precache.files.length);
      assert.ok(precache.files.includes("models/iris-forest/1.1.0/model.onnx"), "the environment's models are listed");

      // Network off: the server is gone and the browser is offline.
      site.close();
      await context.setOffline(true);
      const before = requested.length;
      await page.reload();
      await page.getByRole("navigation", { name: "Models" }).getByRole("link").first().waitFor();
      await page.goto(`${site.url}#/iris-forest`);
      await page.locator(".prediction .predicted").waitFor();
      assert.deepEqual(requested.slice(before), [], "nothing reached the server");
      assert.deepEqual(problems, []);
      await context.close();
    } finally {
      site.close();
    }
  });

  test("a new deployment is offered as a reload, and the old cache is removed", async () => {
    const overrides = new Map();
    const site = await serveSite(overrides);
    const { text, precache } = await builtWorker();
    try {
      const { context, page, problems } = await firstVisit(site.url);
      const old = `modelport-${precache.version}`;
      assert.deepEqual(await cacheNames(page), [old]);

      // The next deployment: same files, another version, so a byte-different sw.js.
      const next = `${precache.version}-next`;
      overrides.set("/sw.js", text.replace(`"version":"${precache.version}"`, `"version":"${next}"`));
      await page.reload();
      const banner = page.getByRole("complementary", { name: "Update" });
      await banner.getByText("A new version of Modelport is ready.").waitFor();
      // The page keeps running the version it started with until the user says so.
      assert.deepEqual((await cacheNames(page)).sort(), [old, `modelport-${next}`].sort());
      await screenshot(page, "update-banner");

      const reloaded = page.waitForEvent("load");
      await banner.getByRole("button", { name: "Reload" }).click();
      await reloaded;
      await page.waitForFunction(
        (name) => caches.keys().then((names) => names.length === 1 && names[0] === name),
        `modelport-${next}`,
      );
      assert.equal(await banner.count(), 0, "no banner once the new version runs");
      assert.deepEqual(problems, []);
      await context.close();
    } finally {
      site.close();
    }
  });
});
