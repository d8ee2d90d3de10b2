// Bench peer: a fetch client validating with zod 4. The schemas are written by hand to
// mirror schema/json (ListProductsResponse with its $defs, PingResponse, ErrorBody): loose
// objects (`additionalProperties: true`), safe integers, `default: []` lists. `phpProducts`
// is the same answer with `z.coerce` and unions for the PHP server's forms (numeric
// strings, 1/0 booleans, comma lists): what a zod user would write to accept them.

import * as z from "zod";

const ErrorBody = z.looseObject({
  error: z.string(),
  refid: z.string().nullable().optional(),
  saldo_awal: z.int().nullable().optional(),
  saldo_akhir: z.int().nullable().optional(),
});

const PingResponse = z.looseObject({ success: z.boolean(), kodereseller: z.string() });

const Product = z.looseObject({
  kode_produk: z.string(),
  nama_produk: z.string(),
  deskripsi: z.string(),
  harga_final: z.int(),
  stok: z.int(),
  type: z.string(),
  provider: z.string(),
});

const listProducts = (product, bool, list) =>
  z.looseObject({
    success: bool,
    type: z.string(),
    title: z.string(),
    providers_used: list,
    data: z.looseObject({ ready: z.array(product).default([]), empty: z.array(product).default([]) }),
  });

const ListProductsResponse = listProducts(Product, z.boolean(), z.array(z.string()));

const phpInt = z.coerce.number().int();
const phpProducts = listProducts(
  Product.extend({ harga_final: phpInt, stok: phpInt }),
  z.union([z.boolean(), z.literal([1, 0, "1", "0"]).transform((v) => v == 1)]),
  z.union([z.array(z.string()), z.string().transform((s) => (s === "" ? [] : s.split(",")))]),
);

/** The answer of one GET `action`, checked by `schema`. */
async function call(baseUrl, fetchFn, action, query, schema) {
  const url = new URL(`${baseUrl}/`);
  url.searchParams.set("action", action);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const res = await fetchFn(url.href, { headers: { accept: "application/json" } });
  const body = await res.json();
  const failure = ErrorBody.safeParse(body);
  if (failure.success) throw new Error(failure.data.error);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return schema.parse(body);
}

/** A client of `baseUrl` (`fetch`: the caller's, else the global one): two actions. */
export function client(baseUrl, fetch = globalThis.fetch.bind(globalThis)) {
  return {
    listProducts: (type) => call(baseUrl, fetch, "listProducts", { type }, ListProductsResponse),
    ping: () => call(baseUrl, fetch, "ping", {}, PingResponse),
  };
}

/** The decoders of a listProducts body text: strict schema, and the coercing one. */
export async function decoders() {
  return {
    strict: (text) => ListProductsResponse.parse(JSON.parse(text)),
    php: (text) => phpProducts.parse(JSON.parse(text)),
  };
}
