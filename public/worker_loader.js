// Starts the inference worker (Trunk builds worker.js and worker_bg.wasm, unhashed).
// Trunk's own loader shim drops a failed start in a rejected promise the page never
// hears of; rethrowing it outside the promise raises an error event on the page's
// Worker object, so the page can say the worker failed and restart it.
importScripts("./worker.js");
wasm_bindgen("./worker_bg.wasm").catch((error) => setTimeout(() => { throw error; }));
