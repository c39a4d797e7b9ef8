// The latency half of the edge benchmark, in the page: Modelport's own inference
// worker (the built site's worker_loader.js, spoken to in its own protocol) and
// onnxruntime-web in a worker of the same kind, each timing its runs inside the worker
// so that neither postMessage nor (for Modelport) JSON is part of a measurement.
// tests/e2e/bench/edge.mjs calls `window.bench` through playwright.

/** One worker, one request at a time, answered in order. */
class Channel {
  constructor(worker, isAnswer) {
    this.worker = worker;
    this.waiting = [];
    worker.onmessage = ({ data }) => {
      if (isAnswer(data)) this.waiting.shift()?.resolve(data);
    };
    worker.onerror = (event) => this.waiting.shift()?.reject(new Error(event.message ?? "worker error"));
  }

  ask(message) {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(message);
    });
  }
}

/** Modelport's inference worker: requests and answers are JSON text (crates/core/src/protocol.rs). */
class Modelport {
  static async start(site) {
    const worker = new Worker(`${site}worker_loader.js`);
    await new Promise((ready, fail) => {
      worker.onmessage = ({ data }) => data === '"Ready"' && ready();
      worker.onerror = (event) => fail(new Error(`Modelport's worker did not start: ${event.message}`));
    });
    return new Modelport(worker);
  }

  constructor(worker) {
    this.id = 0;
    this.channel = new Channel(worker, (text) => JSON.parse(text).Done !== undefined);
  }

  async call(kind, fields) {
    const id = ++this.id;
    const { Done } = JSON.parse(await this.channel.ask(JSON.stringify({ [kind]: { id, ...fields } })));
    if (Done.result.Err !== undefined) throw new Error(`Modelport: ${Done.result.Err}`);
    return Done.result.Ok;
  }

  async load(key, url, sha256) {
    return (await this.call("Load", { key, url, sha256 })).Loaded.millis;
  }

  async run(key, inputs) {
    return (await this.call("Run", { key, inputs })).Ran.outputs;
  }

  async time(key, inputs, runs) {
    return (await this.call("Time", { key, inputs, runs })).Timed.millis;
  }
}

/** onnxruntime-web in ort_worker.js, which speaks plain objects. */
class OnnxruntimeWeb {
  static async start() {
    return new OnnxruntimeWeb(new Worker("ort_worker.js", { type: "module" }));
  }

  constructor(worker) {
    this.channel = new Channel(worker, () => true);
  }

  async call(message) {
    const answer = await this.channel.ask(message);
    if (answer.error !== undefined) throw new Error(`onnxruntime-web: ${answer.error}`);
    return answer;
  }

  async load(key, url) {
    return (await this.call({ load: { key, url } })).millis;
  }

  async run(key, inputs) {
    return (await this.call({ run: { key, inputs } })).outputs;
  }

  async time(key, inputs, runs) {
    return (await this.call({ time: { key, inputs, runs } })).millis;
  }
}

/** Inputs are handed over once per case and batch, then referred to by name. */
const inputs = new Map();
const runtimes = {};

window.bench = {
  async start(site) {
    runtimes.modelport = await Modelport.start(site);
    runtimes.ort = await OnnxruntimeWeb.start();
    return crossOriginIsolated;
  },
  setInputs(name, tensors) {
    inputs.set(name, tensors);
  },
  load: (runtime, key, url, sha256) => runtimes[runtime].load(key, url, sha256),
  run: (runtime, key, name) => runtimes[runtime].run(key, inputs.get(name)),
  time: (runtime, key, name, runs) => runtimes[runtime].time(key, inputs.get(name), runs),

  /** The single-thread wasm SIMD128 multiply-add peak, in GFLOP/s: the best of five
   * runs of crates/simd-peak's loop, each at least 200 ms. */
  async peak(url) {
    const { instance } = await WebAssembly.instantiateStreaming(fetch(url));
    const { peak, flops_per_iteration } = instance.exports;
    let iterations = 1 << 16;
    let best = 0;
    for (let attempt = 0; attempt < 5; ) {
      const start = performance.now();
      peak(iterations);
      const millis = performance.now() - start;
      if (millis < 200) {
        iterations *= 2;
        continue;
      }
      best = Math.max(best, (iterations * flops_per_iteration()) / (millis * 1e6));
      attempt += 1;
    }
    return best;
  },
};
