// Bench peer: openapi-fetch typed by openapi-typescript (`openapi.d.ts` is generated from
// schema/openapi.json at bench time). No runtime validation: the body is `Response.json()`.

import createClient from "openapi-fetch";
import type { paths } from "./openapi.js";

type ProductType = paths["/listProducts/.."]["get"]["parameters"]["query"]["type"];

/** A body with a string `error` is a failure on any status (API.md rule 1). */
function ok<T extends object>(data: T | undefined, error: unknown): Exclude<T, { error: string }> {
  if (data === undefined) throw new Error(`HTTP error: ${JSON.stringify(error)}`);
  if ("error" in data && typeof data.error === "string") throw new Error(data.error);
  return data as Exclude<T, { error: string }>;
}

/** A client of `baseUrl` (`fetch`: the caller's, else the global one): two actions. */
export function client(baseUrl: string, fetch?: typeof globalThis.fetch) {
  const c = createClient<paths>(fetch ? { baseUrl, fetch } : { baseUrl });
  return {
    async listProducts(type: ProductType) {
      const { data, error } = await c.GET("/listProducts/..", {
        params: { query: { action: "listProducts", type } },
      });
      return ok(data, error);
    },
    async ping() {
      const { data, error } = await c.GET("/ping/..", { params: { query: { action: "ping" } } });
      return ok(data, error);
    },
  };
}

/** openapi-fetch validates nothing: no decoder of its own (its decode is `JSON.parse`). */
export async function decoders(): Promise<{ strict?: (text: string) => unknown; php?: (text: string) => unknown }> {
  return {};
}
