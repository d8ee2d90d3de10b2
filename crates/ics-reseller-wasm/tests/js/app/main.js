// The README's Vite quick start, built with `vite build` from the packed package.
import { ResellerClient, ResellerError } from "ics-reseller";

const api = new URLSearchParams(location.search).get("api") ?? "";
const out = document.getElementById("out");

async function run() {
  // --- README: Vite ---
  const client = new ResellerClient({ baseUrl: `${api}/gateway` });
  const { data } = await client.listProducts({ type: "xla" });
  out.textContent = data.ready.map((p) => `${p.kode_produk} Rp${p.harga_final}`).join("\n");
  // --- end ---
  let refused = "";
  try {
    new ResellerClient({ baseUrl: api, apiKey: "sk_test_verified" });
  } catch (e) {
    refused = e instanceof ResellerError ? e.code : String(e);
  }
  return { products: data.ready.length, refused };
}

run().then(
  (r) => (window.__result = r),
  (e) => (window.__result = { error: `${e.code ?? ""} ${e.message}` }),
);
