// How the browser/bundler entry of `ics-reseller` loads its WebAssembly module: lazily
// (on the first call or `ready()`), with wasm-bindgen's `web` bindings, which compile it
// streaming (`WebAssembly.instantiateStreaming`) when it is served as `application/wasm`.
// The `new URL("./wasm/…", import.meta.url)` form is the one Vite, webpack 5 and Parcel
// recognise and copy; elsewhere (esbuild, Rollup without a plugin, an `iife` bundle) the
// file is looked up beside the bundle, or given to `ready(url)`.

import init, * as bindings from "./wasm/web.js";

/** The script this module ran in, when it is a classic script (an `iife` bundle). */
const script = typeof document !== "undefined" && document.currentScript ? document.currentScript.src : undefined;

function defaultUrl() {
  try {
    return new URL("./wasm/ics_reseller_bg.wasm", import.meta.url);
  } catch {
    // `import.meta` is empty in an `iife` bundle: the file beside the script.
    return new URL("./wasm/ics_reseller_bg.wasm", script || location.href);
  }
}

/** Instantiates the module from `source` (default: beside this file) and returns the bindings. */
export function load(source) {
  return init({ module_or_path: source === undefined ? defaultUrl() : source }).then(() => bindings);
}

/** Nothing is loaded at import. */
export const loaded = undefined;
