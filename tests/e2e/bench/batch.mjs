// The batch-scoring benchmark: rows per second and peak memory for scoring generated
// CSV files, natively (`modelport score`) and in headless Chromium (the batch page's
// own code path), in the same run. Writes docs/BENCHMARKS-batch.md and prints the
// table. Run by `cargo xtask bench batch`, which builds the release CLI and the
// development site first (run directly, it uses whatever builds are there); not a
// test (node --test picks up *.test.mjs only).
//
//   node tests/e2e/bench/batch.mjs
//
// BENCH_ROWS (default 1000000) sets the large files' rows, the small file gets a
// quarter of that; BENCH_REPEAT (default 3) how often each file is scored each way
// (the table shows the median time and the highest peak); SITE_DIR the site to serve
// (default dist/development); BENCH_KEEP=1 keeps the generated files.
//
// Chromium runs with a profile on disk (a persistent context), not in playwright's
// default off-the-record context as the tests do: off the record, the origin private
// file system the page writes its output to is kept in memory, so the browser
// process grows by the size of the output (measured: +80 MB at 1,000,000 iris rows,
// +240 MB for breast cancer), which a visitor's browser does not do.

import { spawn } from "node:child_process";
import { createWriteStream, existsSync, readFileSync, readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { once } from "node:events";
import { chromium } from "playwright-core";
import { CHROMIUM_OPTIONS, ROOT, SITE_DIR, readJson, serveSite } from "../support.mjs";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const CASES = [
  { model: "iris-forest", version: "1.0.0", label: "iris random forest", rows: Math.round(ROWS / 4) },
  { model: "iris-forest", version: "1.0.0", label: "iris random forest", rows: ROWS },
  { model: "breast-cancer", version: "1.0.0", label: "breast cancer", rows: ROWS },
];
const TARGET_ROWS_PER_SECOND = 250_000;
const TARGET_TIME_RATIO = 2;
const TARGET_MEMORY_GROWTH = 1.5;
const SCORING_TIMEOUT = 10 * 60_000;
const CLI = resolve(ROOT, "target/release/modelport");
const OUT = resolve(ROOT, "docs/BENCHMARKS-batch.md");

function fail(message) {
  throw new Error(`batch benchmark: ${message}`);
}

// ---- Input files ----------------------------------------------------------------

/** mulberry32: small, seeded, good enough for benchmark data. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const csvField = (s) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/** Writes `rows` random rows for the card's features (uniform over each feature's
 * training range, about five significant digits) to `path`, a chunk at a time. */
async function generateCsv(card, rows, path, seed) {
  const features = card.features.map((f) => {
    const { min, max } = f.training;
    const magnitude = Math.max(Math.abs(min), Math.abs(max), 1e-12);
    const decimals = Math.min(8, Math.max(0, 5 - Math.ceil(Math.log10(magnitude))));
    return { min, span: max - min, decimals };
  });
  const random = prng(seed);
  const out = createWriteStream(path);
  const header = card.features.map((f) => csvField(f.name)).join(",") + "\n";
  out.write(header);
  const CHUNK = 10_000;
  for (let done = 0; done < rows; done += CHUNK) {
    const lines = [];
    for (let r = 0; r < Math.min(CHUNK, rows - done); r++) {
      lines.push(features.map((f) => (f.min + random() * f.span).toFixed(f.decimals)).join(","));
    }
    if (!out.write(lines.join("\n") + "\n")) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

// ---- /proc ----------------------------------------------------------------------

/** A field of /proc/<pid>/status in bytes (VmRSS, VmHWM), or undefined once gone. */
function statusBytes(pid, field) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** `root` and every process below it (parent links from /proc/<pid>/stat). */
function processTree(root) {
  const parents = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name is in parentheses and may hold spaces: fields follow the last ")".
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // Exited while we looked.
    }
  }
  const tree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!tree.has(pid) && tree.has(parent)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

/** The summed RSS of every process this one started (Chromium's, while it runs: the
 * CLI is not running then). playwright-core starts Chromium as our child and its
 * Browser object does not name the process. */
const childrenRss = () =>
  processTree(process.pid)
    .filter((pid) => pid !== process.pid)
    .reduce((sum, pid) => sum + (statusBytes(pid, "VmRSS") ?? 0), 0);

// ---- Native ---------------------------------------------------------------------

/** `modelport score` on `input`: wall time, and peak RSS from VmHWM polled every 10 ms. */
async function scoreNative({ model, version, rows }, input, output) {
  const started = performance.now();
  const child = spawn(
    CLI,
    ["score", "--model", `${model}@${version}`, "--registry", "models/registry.json", "--input", input, "--output", output],
    { cwd: ROOT, stdio: ["ignore", "inherit", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  let peak = 0;
  const poll = setInterval(() => (peak = Math.max(peak, statusBytes(child.pid, "VmHWM") ?? 0)), 10);
  const [code] = await once(child, "exit");
  const millis = performance.now() - started;
  clearInterval(poll);
  if (code !== 0) fail(`modelport score ${model}@${version} exited with ${code}:\n${stderr}`);
  const summary = stderr.match(/scored (\d+) rows: (\d+) with errors/);
  if (!summary) fail(`modelport score printed no summary:\n${stderr}`);
  if (Number(summary[1]) !== rows || summary[2] !== "0") {
    fail(`modelport score ${model}@${version}: ${summary[0]}, expected ${rows} rows and no errors`);
  }
  if (peak === 0) fail("could not read the CLI's peak memory from /proc");
  return { millis, peak };
}

// ---- Browser --------------------------------------------------------------------

/** Chromium with the tests' binary and flags, but with a fresh profile folder under
 * `dir`: see the note at the top. */
async function launchBrowser(dir) {
  const profile = await mkdtemp(join(dir, "profile-"));
  return chromium.launchPersistentContext(profile, { ...CHROMIUM_OPTIONS, viewport: { width: 1280, height: 900 } });
}

/** The batch page on `input`: the page's own scoring time, and the peak of the summed
 * RSS of Chromium's processes while scoring, over what they held just before. */
async function scoreInBrowser(context, site, { model, version, rows }, input) {
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  try {
    await page.goto(`${site.url}#/${model}@${version}/batch`);
    const file = page.locator("#batch-file");
    await file.waitFor({ state: "attached", timeout: 60_000 }).catch(() => {
      fail(`no #batch-file on ${page.url()} after a minute: is the batch page in the built site?`);
    });
    await file.setInputFiles(input, { timeout: 60_000 });
    const start = page.locator("#batch-start");
    await start.waitFor({ state: "visible", timeout: 60_000 });
    await page.waitForFunction(() => !document.querySelector("#batch-start")?.disabled, null, { timeout: 60_000 });
    const before = childrenRss();
    let peak = before;
    const poll = setInterval(() => (peak = Math.max(peak, childrenRss())), 50);
    const clicked = performance.now();
    try {
      await start.click();
      await page.locator('#batch-summary[data-done="true"]').waitFor({ state: "attached", timeout: SCORING_TIMEOUT });
    } finally {
      clearInterval(poll);
    }
    const outside = performance.now() - clicked;
    const summary = page.locator("#batch-summary");
    const [done, errors, millis] = await Promise.all(
      ["data-rows", "data-errors", "data-millis"].map((name) => summary.getAttribute(name)),
    );
    if (Number(done) !== rows || errors !== "0") {
      fail(`the batch page scored ${done} rows with ${errors} errors for ${model}@${version}, expected ${rows} and 0`);
    }
    if (!(Number(millis) > 0)) fail(`the batch page's data-millis is “${millis}”`);
    if (problems.length > 0) fail(`page errors: ${problems.join("; ")}`);
    return { millis: Number(millis), outside, peak: peak - before };
  } catch (error) {
    if (problems.length > 0) error.message += `\npage errors: ${problems.join("; ")}`;
    throw error;
  } finally {
    await page.close();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** `measure` run REPEAT times: the median time and the highest peak. */
async function repeated(measure) {
  const runs = [];
  for (let i = 0; i < REPEAT; i++) runs.push(await measure());
  return { millis: median(runs.map((r) => r.millis)), peak: Math.max(...runs.map((r) => r.peak)), runs };
}

// ---- Report ---------------------------------------------------------------------

const integer = (n) => Math.round(n).toLocaleString("en-US");
/** Three significant digits: 653,168 rows/s reads as 653,000. */
const rate = (n) => integer(Number(n.toPrecision(3)));
const megabytes = (bytes) => {
  const mb = bytes / 1024 / 1024;
  return mb >= 100 ? integer(mb) : mb.toFixed(1);
};
const ratio = (r) => `${r.toFixed(2)}×`;
const verdict = (met) => (met ? "**met**" : "**not met**");

function report(results, chromiumVersion) {
  const lines = [
    "| model | rows | native rows/s | browser rows/s | browser / native (time ratio) | native peak MB | browser peak MB |",
    "|---|--:|--:|--:|--:|--:|--:|",
  ];
  for (const r of results) {
    lines.push(
      `| ${r.label} (${r.model} ${r.version}) | ${integer(r.rows)} | ${rate(r.native.rate)} | ` +
        `${rate(r.browser.rate)} | ${ratio(r.browser.millis / r.native.millis)} | ` +
        `${megabytes(r.native.peak)} | ${megabytes(r.browser.peak)} |`,
    );
  }
  const table = lines.join("\n");
  const [irisSmall, irisLarge] = results;
  // The large files have ROWS rows; the smaller one is there to show that memory does
  // not grow with the file, and its time carries the fixed start (workers, model
  // compiled in each) over fewer rows.
  const large = results.filter((r) => r.rows === ROWS);
  const ratios = large.map((r) => r.browser.millis / r.native.millis);
  const growth = irisLarge.browser.peak / irisSmall.browser.peak;
  const nativeGrowth = irisLarge.native.peak / irisSmall.native.peak;
  const targets = [
    `- At least ${integer(TARGET_ROWS_PER_SECOND)} rows/s in the browser for the iris random forest at ` +
      `${integer(irisLarge.rows)} rows: ${rate(irisLarge.browser.rate)} rows/s, ` +
      `${verdict(irisLarge.browser.rate >= TARGET_ROWS_PER_SECOND)}.`,
    `- Browser time within ${TARGET_TIME_RATIO}× of native at ${integer(ROWS)} rows: ` +
      large.map((r, i) => `${ratio(ratios[i])} for ${r.label}`).join(", ") +
      `; ${verdict(ratios.every((x) => x <= TARGET_TIME_RATIO))}. At ${integer(irisSmall.rows)} rows the fixed ` +
      `start (batch workers starting, the model compiled in each) weighs more: ` +
      `${ratio(irisSmall.browser.millis / irisSmall.native.millis)} for ${irisSmall.label}.`,
    `- Peak memory independent of the file size (browser peak at ${integer(irisLarge.rows)} iris rows within ` +
      `${TARGET_MEMORY_GROWTH}× of the peak at ${integer(irisSmall.rows)}): ${ratio(growth)}, ` +
      `${verdict(growth <= TARGET_MEMORY_GROWTH)} (native: ${ratio(nativeGrowth)}).`,
  ];
  const markdown = [
    "# Batch scoring benchmark",
    "",
    `Scoring generated CSV files (random rows uniform over each feature's training range, seeded) ` +
      `natively with \`modelport score\` (release build) and in headless Chromium ${chromiumVersion} ` +
      `through the batch page, in the same run, on a machine with ${cpus().length} cores; ` +
      `each file ${REPEAT === 1 ? "once" : `${REPEAT} times each way (median time, highest peak)`}. ` +
      "Native: the process's wall time and its peak resident memory (VmHWM). Browser: the page's own time " +
      "from the start button to the last row, and the highest summed resident memory of Chromium's " +
      "processes while scoring minus what they held just before the start (Chromium with a profile on " +
      "disk, where the page's private file system keeps the output). " +
      "Regenerate with `cargo xtask bench batch` (`tests/e2e/bench/batch.mjs`).",
    "",
    table,
    "",
    "Targets:",
    "",
    ...targets,
    "",
  ].join("\n");
  return { table, targets, markdown };
}

// ---- Run ------------------------------------------------------------------------

async function main() {
  for (const [path, build] of [
    [CLI, "cargo build --release -p modelport-cli"],
    [join(SITE_DIR, "index.html"), "cargo xtask build development"],
  ]) {
    if (!existsSync(path)) fail(`no ${path}: run \`${build}\` first (\`cargo xtask bench batch\` does both)`);
  }

  const dir = await mkdtemp(join(tmpdir(), "modelport-batch-bench-"));
  const results = [];
  let context;
  let site;
  try {
    for (const [i, c] of CASES.entries()) {
      const card = await readJson(`models/${c.model}/${c.version}/card.json`);
      c.input = join(dir, `${c.model}-${c.rows}.csv`);
      process.stdout.write(`generating ${c.input} (${integer(c.rows)} rows)... `);
      await generateCsv(card, c.rows, c.input, 0x5eed + i);
      console.log("done");
    }

    const show = (m) => m.runs.map((r) => `${integer(r.millis)} ms`).join(", ");
    for (const c of CASES) {
      const output = join(dir, `${c.model}-${c.rows}.scored.csv`);
      const native = await repeated(async () => {
        const run = await scoreNative(c, c.input, output);
        await rm(output, { force: true });
        return run;
      });
      native.rate = (c.rows / native.millis) * 1000;
      console.log(
        `native  ${c.model}@${c.version} ${integer(c.rows)} rows: ${show(native)}; ` +
          `${integer(native.rate)} rows/s, peak ${megabytes(native.peak)} MB`,
      );
      results.push({ ...c, native });
    }

    site = await serveSite();
    context = await launchBrowser(dir);
    for (const r of results) {
      const browser = await repeated(() => scoreInBrowser(context, site, r, r.input));
      browser.rate = (r.rows / browser.millis) * 1000;
      const outside = browser.runs.map((run) => `${integer(run.outside)} ms`).join(", ");
      console.log(
        `browser ${r.model}@${r.version} ${integer(r.rows)} rows: ${show(browser)} in the page ` +
          `(${outside} from outside); ${integer(browser.rate)} rows/s, peak +${megabytes(browser.peak)} MB`,
      );
      r.browser = browser;
    }

    const { table, targets, markdown } = report(results, context.browser().version());
    await writeFile(OUT, markdown);
    console.log(`\n${table}\n\n${targets.join("\n")}\n\nwrote ${OUT}`);
  } finally {
    await context?.close();
    site?.close();
    if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
