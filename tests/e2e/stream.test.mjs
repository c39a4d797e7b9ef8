// Scoring a live stream: a Server-Sent Events server that this test starts on
// 127.0.0.1 (and stops) sends the shipped golden rows, malformed records among them;
// predictions must be onnxruntime's, malformed records counted and listed, and a full
// buffer must drop the oldest, visibly, when told to.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { launchChromium, openPage, readJson, screenshot, serveSite } from "./support.mjs";

let site;
let browser;

before(async () => {
  site = await serveSite();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  site?.close();
});

/** An SSE server that sends `events` (strings), one per event, then holds the
 * connection open. */
async function sseServer(events, { gapMillis = 2 } = {}) {
  const server = createServer(async (request, response) => {
    response.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      "access-control-allow-origin": "*",
    });
    for (const [i, data] of events.entries()) {
      response.write(`id: ${i + 1}\ndata: ${data}\n\n`);
      if (gapMillis) await new Promise((r) => setTimeout(r, gapMillis));
    }
  });
  await new Promise((ready) => server.listen(0, "127.0.0.1", ready));
  return {
    url: `http://127.0.0.1:${server.address().port}/events`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A WebSocket server (RFC 6455, just enough: the handshake and unmasked text frames
 * from server to client) that sends `messages`, then holds the connection open. */
async function webSocketServer(messages) {
  const server = createServer();
  server.on("upgrade", (request, socket) => {
    const accept = createHash("sha1")
      .update(request.headers["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
      .digest("base64");
    socket.write(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    for (const message of messages) {
      const payload = Buffer.from(message);
      // FIN + text opcode; every message here is under 126 bytes.
      socket.write(Buffer.concat([Buffer.from([0x81, payload.length]), payload]));
    }
    socket.on("error", () => {});
  });
  await new Promise((ready) => server.listen(0, "127.0.0.1", ready));
  return {
    url: `ws://127.0.0.1:${server.address().port}/`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

async function irisRecords() {
  const golden = await readJson("models/iris-forest/1.0.0/golden.json");
  const card = await readJson("models/iris-forest/1.0.0/card.json");
  const values = golden.inputs.input.data.float32;
  return golden.outputs.output_label.data.int64.map((label, r) => ({
    record: Object.fromEntries(card.features.map((f, k) => [f.name, values[r * 4 + k]])),
    label: card.target.classes[label],
  }));
}

async function openStream() {
  const { page, problems } = await openPage(browser, `${site.url}#/iris-forest@1.0.0/stream`);
  await page.getByRole("heading", { name: "Score a stream" }).waitFor();
  await page.locator("#stream-connect:not([disabled])").waitFor();
  return { page, problems };
}

const count = (page, name) => page.locator("#stream-counts").getAttribute(`data-${name}`).then(Number);

describe("the stream page", () => {
  test("scores SSE records in micro-batches and counts malformed ones", async () => {
    const records = await irisRecords();
    const events = records.map((r) => JSON.stringify(r.record));
    // Malformed records among the good ones: the stream keeps going.
    events.splice(5, 0, '{"sepal length": "long"}');
    events.splice(20, 0, "{not json");
    const server = await sseServer(events);
    try {
      const { page, problems } = await openStream();
      await page.locator("#stream-url").fill(server.url);
      await page.locator("#stream-connect").click();
      await page.waitForFunction(
        (n) => Number(document.querySelector("#stream-counts")?.dataset.scored) === n,
        records.length,
        { timeout: 30_000 },
      );
      assert.equal(await count(page, "received"), events.length);
      assert.equal(await count(page, "malformed"), 2);
      assert.equal(await count(page, "dropped"), 0);
      const malformed = await page.locator("#stream-malformed li").allTextContents();
      assert.equal(malformed.length, 2);
      assert.match(malformed[1], /^record 6: “sepal length”: “long” is not a number/);
      assert.match(malformed[0], /^record 21: not valid JSON/);
      // The table's newest rows: onnxruntime's labels for the last records sent.
      const cells = await page.locator("#stream-table tbody tr td:nth-child(3)").allTextContents();
      const newest = records.slice(-cells.length).reverse().map((r) => r.label);
      assert.deepEqual(cells, newest);
      assert.ok((await page.locator("#stream-chart rect").count()) > 0, "the chart shows the batches");
      await screenshot(page, "stream-sse");
      await page.locator("#stream-stop").click();
      await page.getByText("Closed: stopped.").waitFor();
      assert.deepEqual(problems, []);
    } finally {
      server.close();
    }
  });

  test("drops the oldest records when the buffer is full, and says how many", async () => {
    const records = await irisRecords();
    const events = [...records, ...records].map((r) => JSON.stringify(r.record));
    const server = await sseServer(events, { gapMillis: 0 });
    try {
      const { page, problems } = await openStream();
      await page.locator("#stream-url").fill(server.url);
      // A long window and a small buffer: the burst overflows it before any batch runs.
      await page.locator("#stream-window-ms").fill("3000");
      await page.locator("#stream-window-ms").dispatchEvent("change");
      await page.locator("#stream-window-records").fill("1000");
      await page.locator("#stream-window-records").dispatchEvent("change");
      await page.locator("#stream-capacity").fill("10");
      await page.locator("#stream-capacity").dispatchEvent("change");
      await page.locator("#stream-policy").selectOption("drop");
      await page.locator("#stream-connect").click();
      await page.waitForFunction(
        (n) => Number(document.querySelector("#stream-counts")?.dataset.received) === n,
        events.length,
        { timeout: 30_000 },
      );
      await page.waitForFunction(() => Number(document.querySelector("#stream-counts")?.dataset.scored) === 10, null, {
        timeout: 30_000,
      });
      assert.equal(await count(page, "dropped"), events.length - 10);
      // The ten kept are the newest: the last records sent.
      const cells = await page.locator("#stream-table tbody tr td:nth-child(3)").allTextContents();
      assert.deepEqual(cells, records.slice(-10).reverse().map((r) => r.label));
      assert.deepEqual(problems, []);
    } finally {
      server.close();
    }
  });

  test("scores CSV lines from a WebSocket", async () => {
    const records = await irisRecords();
    const lines = records.map((r) => Object.values(r.record).join(","));
    const server = await webSocketServer(lines);
    try {
      const { page, problems } = await openStream();
      await page.locator("#stream-kind").selectOption("websocket");
      await page.locator("#stream-url").fill(server.url);
      await page.locator("#stream-connect").click();
      await page.waitForFunction((n) => Number(document.querySelector("#stream-counts")?.dataset.scored) === n, records.length, {
        timeout: 30_000,
      });
      assert.equal(await count(page, "malformed"), 0);
      const cells = await page.locator("#stream-table tbody tr td:nth-child(3)").allTextContents();
      assert.deepEqual(cells, records.slice(-cells.length).reverse().map((r) => r.label));
      assert.deepEqual(problems, []);
    } finally {
      server.close();
    }
  });

  test("pasted records are scored, none dropped, under the pause policy", async () => {
    const records = await irisRecords();
    const { page, problems } = await openStream();
    await page.locator("#stream-kind").selectOption("pasted");
    await page.locator("#stream-pasted").fill(records.map((r) => JSON.stringify(r.record)).join("\n"));
    await page.locator("#stream-capacity").fill("4");
    await page.locator("#stream-capacity").dispatchEvent("change");
    await page.locator("#stream-connect").click();
    await page.waitForFunction((n) => Number(document.querySelector("#stream-counts")?.dataset.scored) === n, records.length, {
      timeout: 30_000,
    });
    assert.equal(await count(page, "dropped"), 0);
    await page.getByText("Closed: all pasted records were read.").waitFor();
    assert.deepEqual(problems, []);
  });
});
