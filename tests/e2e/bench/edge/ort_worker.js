// onnxruntime-web 1.30's wasm backend on one thread, in a module worker, served from
// its npm package: sessions by key, runs timed inside the worker. Inputs arrive in
// Modelport's tensor form ({shape, data: {float32: [...]}}) so both runtimes get the
// same values.
import * as ort from "/ort/ort.wasm.min.mjs";

ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = "/ort/";

const sessions = new Map();
const ARRAYS = { float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array };

function feeds(tensors) {
  const out = {};
  for (const [name, { shape, data }] of Object.entries(tensors)) {
    const [[kind, values]] = Object.entries(data);
    const typed = kind === "int64" ? BigInt64Array.from(values, BigInt) : ARRAYS[kind].from(values);
    out[name] = new ort.Tensor(kind, typed, shape);
  }
  return out;
}

function plain(outputs) {
  const out = {};
  for (const [name, tensor] of Object.entries(outputs)) {
    out[name] = { shape: tensor.dims, data: { [tensor.type]: Array.from(tensor.data, Number) } };
  }
  return out;
}

async function answer({ load, run, time }) {
  if (load) {
    const start = performance.now();
    const session = await ort.InferenceSession.create(load.url, {
      executionProviders: ["wasm"],
      graphOptimizationLevel: "all",
    });
    sessions.set(load.key, session);
    return { millis: performance.now() - start };
  }
  if (run) return { outputs: plain(await sessions.get(run.key).run(feeds(run.inputs))) };
  const session = sessions.get(time.key);
  const input = feeds(time.inputs);
  const start = performance.now();
  for (let i = 0; i < time.runs; i++) await session.run(input);
  return { millis: performance.now() - start };
}

onmessage = async ({ data }) => {
  try {
    postMessage(await answer(data));
  } catch (error) {
    postMessage({ error: String(error?.message ?? error) });
  }
};
