// How the Node entries of `ics-reseller` load its WebAssembly module: wasm-bindgen's
// `nodejs` bindings read and instantiate it synchronously at `import`/`require`, so every
// function works at once and `ready()` resolves immediately.

import * as bindings from "./wasm/node.cjs";

/** Already loaded: the bindings. */
export function load() {
  return Promise.resolve(bindings);
}

/** The bindings, loaded at import. */
export const loaded = bindings;
