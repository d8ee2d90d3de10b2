// Validates an OpenAPI document with @apidevtools/swagger-parser (schema + semantic checks).
// Used by `cargo xtask test`; run by hand with: node tools/node/validate-spec.mjs schema/openapi.json
import SwaggerParser from "@apidevtools/swagger-parser";

const file = process.argv[2] ?? "schema/openapi.json";

try {
  const api = await SwaggerParser.validate(file);
  const paths = Object.keys(api.paths ?? {}).length;
  console.log(`swagger-parser: ${file} is valid (OpenAPI ${api.openapi}, ${paths} paths)`);
} catch (err) {
  console.error(`swagger-parser: ${file} is NOT valid:\n${err.message}`);
  process.exit(1);
}
