// Checks that every `*.schema.json` in a folder is itself a valid JSON Schema 2020-12:
// it declares the 2020-12 dialect, validates against the 2020-12 meta-schema, and compiles
// with Ajv in strict mode (unknown keywords and unknown formats are errors).
// Used by `cargo xtask test`; run by hand with: node tools/node/validate-json-schemas.mjs schema/json
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const DIALECT = "https://json-schema.org/draft/2020-12/schema";
const dir = process.argv[2] ?? "schema/json";

// Numeric formats emitted by schemars; registered so strict mode knows them and checks ranges.
const INT_FORMATS = {
  int8: [-(2 ** 7), 2 ** 7 - 1],
  int16: [-(2 ** 15), 2 ** 15 - 1],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint8: [0, 2 ** 8 - 1],
  uint16: [0, 2 ** 16 - 1],
  uint32: [0, 2 ** 32 - 1],
  uint64: [0, Number.MAX_SAFE_INTEGER],
  uint: [0, Number.MAX_SAFE_INTEGER],
  int: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};
const FLOAT_FORMATS = ["float", "double"];

/** Every object key starting with `x-` (vendor extensions), so strict mode accepts them. */
function extensionKeys(value, out = new Set()) {
  if (Array.isArray(value)) value.forEach((v) => extensionKeys(v, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith("x-")) out.add(k);
      extensionKeys(v, out);
    }
  }
  return out;
}

function newAjv(schema) {
  const ajv = new Ajv2020({
    strict: true,
    strictTypes: false, // schemars writes `type: ["string", "null"]` unions
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
    allErrors: true,
  });
  addFormats(ajv);
  for (const [name, [min, max]] of Object.entries(INT_FORMATS)) {
    ajv.addFormat(name, { type: "number", validate: (n) => Number.isInteger(n) && n >= min && n <= max });
  }
  for (const name of FLOAT_FORMATS) ajv.addFormat(name, { type: "number", validate: (n) => Number.isFinite(n) });
  for (const key of extensionKeys(schema)) ajv.addKeyword(key);
  return ajv;
}

let files;
try {
  files = readdirSync(dir).filter((f) => f.endsWith(".schema.json")).sort();
} catch (err) {
  console.error(`json-schemas: cannot read ${dir}: ${err.message}`);
  process.exit(1);
}
if (files.length === 0) {
  console.error(`json-schemas: no *.schema.json files in ${dir}`);
  process.exit(1);
}

let failed = 0;
for (const file of files) {
  const path = join(dir, file);
  const problems = [];
  try {
    const schema = JSON.parse(readFileSync(path, "utf8"));
    if (schema.$schema !== DIALECT) problems.push(`$schema is ${JSON.stringify(schema.$schema)}, expected "${DIALECT}"`);
    const ajv = newAjv(schema);
    if (!ajv.validateSchema(schema)) {
      for (const e of ajv.errors) problems.push(`meta-schema: ${e.instancePath || "/"} ${e.message}`);
    } else {
      ajv.compile(schema);
    }
  } catch (err) {
    problems.push(err.message);
  }
  if (problems.length > 0) {
    failed += 1;
    console.error(`FAIL ${path}`);
    for (const p of problems) console.error(`     ${p}`);
  }
}

console.log(`json-schemas: ${files.length - failed} of ${files.length} schemas in ${dir} are valid JSON Schema 2020-12`);
process.exit(failed === 0 ? 0 : 1);
