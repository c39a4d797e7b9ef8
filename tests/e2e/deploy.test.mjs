// The production build served by nginx (Debian's, started and stopped here on
// 127.0.0.1) with deploy/nginx/modelport.conf as it ships, only `listen` and `root`
// changed: the headers are the ones the file promises, the app works under the
// Content-Security-Policy without a single violation, and after one visit it predicts
// with the network off.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environmentDir, launchChromium, ROOT, screenshot } from "./support.mjs";

const NGINX = process.env.NGINX ?? "/usr/sbin/nginx";

let browser;
let nginx;
let scratch;
let base;
let policy;

/** A port nothing listens on now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitForServer(url, process) {
  for (let i = 0; i < 100; i++) {
    if (process.exitCode !== null) throw new Error(`nginx exited with ${process.exitCode}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nginx did not answer at ${url}`);
}

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), "modelport-nginx-"));
  policy = (await readFile(join(ROOT, "deploy/content-security-policy"), "utf8")).trim();
  const port = await freePort();
  const site = await readFile(join(ROOT, "deploy/nginx/modelport.conf"), "utf8");
  const server = site
    .replace(/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${port};`)
    .replace(/^(\s*)root \/srv\/modelport;$/m, `$1root ${environmentDir("production")};`);
  assert.notEqual(server, site, "the shipped file has the listen and root lines the test replaces");
  await writeFile(join(scratch, "modelport.conf"), server);
  // Everything nginx writes goes to the scratch folder; `user root` lets its workers
  // read the build wherever it is (it is ignored when the test does not run as root).
  await writeFile(
    join(scratch, "nginx.conf"),
    `user root;
pid ${scratch}/nginx.pid;
error_log ${scratch}/error.log;
events {}
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path ${scratch}/body;
  proxy_temp_path ${scratch}/proxy;
  fastcgi_temp_path ${scratch}/fastcgi;
  uwsgi_temp_path ${scratch}/uwsgi;
  scgi_temp_path ${scratch}/scgi;
  include ${scratch}/modelport.conf;
}
`,
  );
  nginx = spawn(NGINX, ["-p", scratch, "-c", join(scratch, "nginx.conf"), "-g", "daemon off;"], { stdio: "inherit" });
  base = `http://127.0.0.1:${port}/`;
  await waitForServer(base, nginx);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  nginx?.kill();
  await rm(scratch, { recursive: true, force: true });
});

/** A fresh browser context whose pages report every CSP violation into `violations`. */
async function watchedContext() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const violations = [];
  await context.exposeFunction("reportViolation", (text) => violations.push(text));
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      window.reportViolation(`${e.violatedDirective} blocked ${e.blockedURI}`));
  });
  return { context, violations };
}

describe("the production build behind nginx", () => {
  test("serves the promised headers, and the app works under the policy", async () => {
    const index = await fetch(base);
    assert.equal(index.headers.get("content-security-policy"), policy);
    assert.equal(index.headers.get("cache-control"), "no-cache");
    const html = await index.text();
    const script = html.match(/<script type="module" src="\.\/(boot-[0-9a-f]{16}\.js)"><\/script>/);
    assert.ok(script, "the start-up script is a file, not inline");
    assert.doesNotMatch(html, /<script(?![^>]*src=)[^>]*>/, "no inline script");
    const boot = await fetch(base + script[1]);
    assert.equal(boot.headers.get("cache-control"), "public, max-age=31536000, immutable");
    const wasm = html.match(/href="\.\/(app-[0-9a-f]{16}_bg\.wasm)"/)[1];
    const app = await fetch(base + wasm);
    assert.equal(app.headers.get("content-type"), "application/wasm");
    assert.equal(app.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal((await fetch(base + "worker_bg.wasm")).headers.get("content-type"), "application/wasm");
    // The build's precompressed copy, served as it is, decodes to the file itself.
    const compressed = await fetch(base + wasm, { headers: { "accept-encoding": "gzip" } });
    assert.equal(compressed.headers.get("content-encoding"), "gzip");
    assert.equal(compressed.headers.get("content-type"), "application/wasm");
    const plain = await fetch(base + wasm, { headers: { "accept-encoding": "identity" } });
    assert.equal(plain.headers.get("content-encoding"), null);
    assert.deepEqual(Buffer.from(await compressed.arrayBuffer()), Buffer.from(await plain.arrayBuffer()));
    const registry = await fetch(base + "models/registry.json");
    assert.equal(registry.headers.get("cache-control"), "no-cache");
    const { models } = await registry.json();
    const iris = models.find((m) => m.name === "iris-forest");
    const model = await fetch(`${base}models/${iris.versions[0].path}/model.onnx`);
    assert.equal(model.headers.get("cache-control"), "public, max-age=31536000, immutable");

    const { context, violations } = await watchedContext();
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => message.text().includes("Content Security Policy") && problems.push(message.text()));
    await page.goto(`${base}#/iris-forest`);
    await page.locator(".prediction .predicted").waitFor();
    await screenshot(page, "nginx-production");
    assert.deepEqual(violations, []);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("after one visit, reloads and predicts with the network off", async () => {
    const { context, violations } = await watchedContext();
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(`${base}#/iris-forest`);
    await page.locator(".prediction .predicted").waitFor();
    // Ready once the service worker has cached the whole deployment and activated.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await context.setOffline(true);
    await page.reload();
    await page.locator(".prediction .predicted").waitFor();
    await page.getByRole("link", { name: /Iris species: logistic regression/ }).click();
    await page.locator(".prediction .predicted").waitFor();
    assert.deepEqual(violations, []);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
