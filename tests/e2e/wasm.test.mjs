// The production build's wasm as it ships: wasm-opt has been over both files (the
// page at -Oz, the worker stripped), so neither carries a name section, and both
// still compile with the features the browser is given.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { environmentDir } from "./support.mjs";

const site = environmentDir("production");

test("the production site's wasm files carry no names and compile", async () => {
  const files = (await readdir(site)).filter((name) => name.endsWith(".wasm"));
  assert.ok(files.includes("worker_bg.wasm"), `the worker's wasm is in the build: ${files}`);
  assert.ok(files.some((name) => /^app-[0-9a-f]+_bg\.wasm$/.test(name)), `the page's wasm is in the build: ${files}`);
  for (const name of files) {
    const module = new WebAssembly.Module(await readFile(join(site, name)));
    assert.deepEqual(WebAssembly.Module.customSections(module, "name"), [], `${name} has a name section`);
    assert.ok(WebAssembly.Module.exports(module).length > 0, `${name} exports what wasm-bindgen's glue calls`);
  }
});
