// The decode fast path of the `ics-reseller` package (an ES module; `fastChecks` is
// generated from the core's schemas into js/check.generated.js, which `cargo xtask
// build-wasm` turns into a module by appending its export). A 2xx answer in the documented
// form, or in the common PHP forms the generated check turns into it in place (numbers as
// plain decimal strings, 1/0 booleans, comma lists, null strings and lists), is returned as
// `JSON.parse` built it once the check has passed; anything else (the rarer lenient forms,
// `error` bodies, other statuses, text JSON.parse refuses) returns `undefined` and goes to
// the core in wasm, which decides every status and error.

import { fastChecks } from "./check.js";

/** Whether a string holds no lone surrogate (serde_json would never produce one). */
const fastWellFormed =
  typeof String.prototype.isWellFormed === "function"
    ? (s) => s.isWellFormed()
    : (s) => !/[\uD800-\uDFFF]/.test(s); // older engines: any surrogate goes to the core

/**
 * Whether JSON text holds a `\u` escape of a surrogate that is not half of a pair:
 * JSON.parse accepts it, serde_json (the core) refuses the body.
 */
function fastLoneSurrogateEscape(text) {
  let i = text.indexOf("\\u");
  while (i !== -1) {
    let slashes = 0;
    for (let j = i - 1; j >= 0 && text.charCodeAt(j) === 92; j--) slashes++;
    if (slashes % 2 === 1) {
      i = text.indexOf("\\u", i + 1); // an escaped backslash followed by a letter u
      continue;
    }
    const c = parseInt(text.slice(i + 2, i + 6), 16);
    if (c >= 0xdc00 && c <= 0xdfff) return true;
    if (c >= 0xd800 && c <= 0xdbff) {
      const low = text.slice(i + 6, i + 8) === "\\u" ? parseInt(text.slice(i + 8, i + 12), 16) : -1;
      if (!(low >= 0xdc00 && low <= 0xdfff)) return true;
      i = text.indexOf("\\u", i + 12);
      continue;
    }
    i = text.indexOf("\\u", i + 6);
  }
  return false;
}

/**
 * Whether `v`, what `JSON.parse` made of the body `text` of an answer of `action` (a wire
 * name) with HTTP `status`, is a success the check takes (normalised in place): exactly what the core
 * would return (`true`), or must go to the core (`false`). A text whose `\u` escapes leave
 * a lone surrogate is not JSON to the core (serde_json refused it): the reason, a string.
 */
export function fastParsed(action, status, v, text) {
  if (fastLoneSurrogateEscape(text)) return "a string holds a lone surrogate escape";
  if (!(status >= 200 && status <= 299)) return false;
  if (!Object.prototype.hasOwnProperty.call(fastChecks.actions, action)) return false;
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  // API.md rule 1: a string, number or `true` error is a failure, whatever the status.
  const e = v.error;
  if (e === true || typeof e === "number" || (typeof e === "string" && e !== "")) return false;
  if (!fastChecks.actions[action](v)) return false;
  return fastWellFormed(text);
}

/**
 * The answer of `action` (a wire name) with HTTP `status` and body `text`, when it is a
 * success the check takes: exactly what the core would return. `undefined` when the
 * core must decide.
 */
export function fastDecode(action, status, text) {
  if (!(status >= 200 && status <= 299) || typeof text !== "string") return undefined;
  if (!Object.prototype.hasOwnProperty.call(fastChecks.actions, action)) return undefined;
  let v;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  return fastParsed(action, status, v, text) === true ? v : undefined;
}

const fastUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** `fastDecode` of the bytes `fetch` delivered (invalid UTF-8 goes to the core). */
export function fastDecodeBytes(action, status, bytes) {
  let text;
  try {
    text = fastUtf8.decode(bytes);
  } catch {
    return undefined;
  }
  return fastDecode(action, status, text);
}
