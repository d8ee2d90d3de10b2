// @hey-api/openapi-ts (with its zod plugin) on schema/openapi.json, as schema/README.md
// gives it. Run by `cargo xtask test` (step `generated-clients`, xtask/src/clients.rs).
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export default {
  input: here("../../../../schema/openapi.json"),
  output: { path: here("generated/client"), importFileExtension: ".js" },
  plugins: ["@hey-api/client-fetch", "@hey-api/typescript", "@hey-api/sdk", "zod"],
  logs: { file: false },
};
