// The smallest page a team could write on onnxruntime-web: load the session, run the
// example, show the answer. tests/e2e/bench/edge.mjs times navigation to that answer.
// `?model=<url>&input=<comma-separated floats>` (one row).
import * as ort from "/ort/ort.wasm.min.mjs";

ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = "/ort/";

const query = new URLSearchParams(location.search);
const row = Float32Array.from(query.get("input").split(","), Number);
const session = await ort.InferenceSession.create(query.get("model"), { executionProviders: ["wasm"] });
const outputs = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", row, [1, row.length]) });
const label = outputs[session.outputNames[0]].data[0];
document.getElementById("result").textContent = String(label);
window.firstPrediction = performance.now();
