// `ics-reseller/widgets`: drop-in custom elements for a shop on the ICS-Store Reseller API.
//
//   <script type="module" src="/node_modules/ics-reseller/widgets/index.js"></script>
//   <ics-catalog base-url="/gateway"></ics-catalog>
//   <ics-checkout base-url="/gateway"></ics-checkout>
//   <ics-account base-url="/gateway/backoffice"></ics-account>
//   <ics-history base-url="/gateway/backoffice"></ics-history>
//   <ics-stats base-url="/gateway/backoffice"></ics-stats>
//
// Every widget talks to a gateway that adds the API key on the server (none is ever given
// to the browser). Texts are Indonesian, or English under `lang="en"`. No framework.

import { IcsCatalog } from "./catalog.js";
import { IcsCheckout } from "./checkout.js";
import { IcsAccount } from "./account.js";
import { IcsHistory } from "./history.js";
import { IcsStats } from "./stats.js";
import { ready } from "../index.js";

// The checkout calls the package's synchronous helpers (normalizePhone, …) as the customer
// types: start loading the WebAssembly module now (a failure shows on the first call).
ready().catch(() => {});

export { IcsCatalog, IcsCheckout, IcsAccount, IcsHistory, IcsStats };
export { productFitsOperator } from "./checkout.js";
export { TEXTS, errorMessage, formatPhone, formatRupiah, text } from "./shared.js";

const ELEMENTS = {
  "ics-catalog": IcsCatalog,
  "ics-checkout": IcsCheckout,
  "ics-account": IcsAccount,
  "ics-history": IcsHistory,
  "ics-stats": IcsStats,
};

for (const [name, cls] of Object.entries(ELEMENTS)) {
  if (!customElements.get(name)) customElements.define(name, cls);
}
