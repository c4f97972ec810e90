// The tokens table: GET /accessTokens, filtered and sorted here, each row with its status,
// limits, a 30-day usage sparkline and (for admin tokens) its actions.

import { ApiError } from "./api.js";
import { sparkline } from "./chart.js";
import { byId, h, messageOf, say, withProgress } from "./dom.js";
import { openDelete, openEdit, openReroll } from "./forms.js";
import { creditsText, filterTokens, rateLimitText, sortTokens, statusOf, when } from "./model.js";
import { session } from "./session.js";

/** @type {import("./model.js").Token[]} */
let tokens = [];
/** Each token's usage as loaded with the list: filtering redraws without asking again. */
/** @type {Map<string, Promise<import("./model.js").UsageDay[]>>} */
let usage = new Map();
/** @type {(token: import("./model.js").Token) => void} */
let showDetail = () => {};

const body = byId("tokens-body", HTMLTableSectionElement);
const status = byId("tokens-status", HTMLParagraphElement);
const filter = byId("token-filter", HTMLInputElement);

filter.addEventListener("input", render);

/** @param {(token: import("./model.js").Token) => void} listener */
export function onShowDetail(listener) {
  showDetail = listener;
}

/** The tokens as last loaded (the detail view reads one from here). */
export function loadedTokens() {
  return tokens;
}

/** Loads the workspace's tokens and shows them. */
export async function loadTokens() {
  say(status, "Loading tokens…");
  status.classList.remove("error");
  try {
    tokens = await session().api.list("accessTokens");
    usage = new Map();
  } catch (error) {
    showError(error);
    return;
  }
  render();
}

/** Forgets every token shown (on sign-out). */
export function clearTokens() {
  tokens = [];
  usage = new Map();
  filter.value = "";
  body.replaceChildren();
  say(status, "");
}

/** @param {unknown} error */
export function showError(error) {
  status.classList.add("error");
  say(status, messageOf(error));
}

function render() {
  const now = Date.now();
  const shown = sortTokens(filterTokens(tokens, filter.value), now);
  body.replaceChildren(...shown.map((token) => row(token, now)));
  status.classList.remove("error");
  say(
    status,
    tokens.length === 0
      ? "No access tokens yet."
      : shown.length === tokens.length
        ? `${tokens.length} token${tokens.length === 1 ? "" : "s"}.`
        : `${shown.length} of ${tokens.length} tokens match the filter.`,
  );
  loadSparklines(shown);
}

/**
 * @param {import("./model.js").Token} token
 * @param {number} now
 */
function row(token, now) {
  const state = statusOf(token, now);
  const nameId = `token-name-${token.id}`;
  const readOnly = session().readOnly;
  return h("tr", { "data-token-id": token.id }, [
    cell("Name", [
      h("button", { type: "button", class: "link", id: nameId, onclick: () => showDetail(token) }, [token.name]),
      token.description ? h("div", { class: "hint" }, [token.description]) : null,
      token.externalId ? h("div", { class: "hint" }, ["External ID: ", token.externalId]) : null,
    ]),
    cell("Scopes", token.scopes.length ? token.scopes.map((s) => h("span", { class: "scope" }, [s])).reduce(spaced, []) : ["None"]),
    cell("Created", [when(token.createdAt, "")]),
    cell("Expires", [when(token.expiresAt, "Never")]),
    cell("Last used", [when(token.lastUsedAt, "Never")]),
    cell("Status", [h("span", { class: `badge ${state.replace(" ", "-")}` }, [state])]),
    cell("Credits left", [creditsText(token)]),
    cell("Rate limit", [rateLimitText(token)]),
    h("td", { "data-label": "Usage, 30 days" }, [h("div", { class: "usage", "data-usage-for": token.id }, ["…"])]),
    readOnly ? null : cell("Actions", actions(token, state, nameId), "row-actions"),
  ]);
}

/**
 * A cell whose content is one block, beside its label on phones.
 * @param {string} label
 * @param {import("./dom.js").Child[]} children
 * @param {string} [className]
 */
function cell(label, children, className) {
  return h("td", { "data-label": label }, [h("div", { class: className }, children)]);
}

/**
 * @param {Node[]} list
 * @param {Node} item
 */
function spaced(list, item) {
  if (list.length) list.push(document.createTextNode(" "));
  list.push(item);
  return list;
}

/**
 * @param {import("./model.js").Token} token
 * @param {import("./model.js").Status} state
 * @param {string} nameId
 */
function actions(token, state, nameId) {
  const about = { "aria-describedby": nameId };
  const toggle = h("button", { type: "button", ...about }, [token.enabled === false ? "Enable" : "Disable"]);
  toggle.addEventListener("click", () => setEnabled(token, toggle));
  // A token in grace has a successor: only deleting it (ending the grace) applies. The API
  // refuses to change or reroll it (409), and an expired token cannot be rerolled.
  const live = state === "active" || state === "disabled";
  return [
    state === "in grace" ? null : h("button", { type: "button", ...about, onclick: () => openEdit(token, loadTokens) }, ["Edit"]),
    live ? h("button", { type: "button", ...about, onclick: () => openReroll(token, loadTokens) }, ["Reroll"]) : null,
    live ? toggle : null,
    h("button", { type: "button", class: "danger", ...about, onclick: () => openDelete(token, loadTokens) }, ["Delete"]),
  ];
}

/**
 * @param {import("./model.js").Token} token
 * @param {HTMLButtonElement} button
 */
async function setEnabled(token, button) {
  const enable = token.enabled === false;
  try {
    await withProgress(button, enable ? "Enabling…" : "Disabling…", () =>
      session().api.send("PATCH", `accessTokens/${encodeURIComponent(token.id)}`, { enabled: enable }),
    );
  } catch (error) {
    showError(error);
    return;
  }
  await loadTokens();
}

/**
 * Draws each shown token's last 30 days, fetching those not yet loaded four at a time.
 * @param {import("./model.js").Token[]} shown
 */
async function loadSparklines(shown) {
  const queue = [...shown];
  const worker = async () => {
    for (let token = queue.shift(); token; token = queue.shift()) {
      const target = body.querySelector(`[data-usage-for="${CSS.escape(token.id)}"]`);
      if (!target) continue;
      try {
        let days = usage.get(token.id);
        if (!days) {
          const id = encodeURIComponent(token.id);
          days = session().api.get(`accessTokens/${id}/usage?days=30`).then((answer) => answer.days);
          usage.set(token.id, days);
          // A failure is not kept: the next redraw asks again.
          days.catch(() => usage.delete(token.id));
        }
        target.replaceChildren(sparkline(await days));
      } catch (error) {
        target.replaceChildren(error instanceof ApiError && error.status === 404 ? "Deleted" : "Unavailable");
        if (error instanceof ApiError && error.status === 401) return;
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}
