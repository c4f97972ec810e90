// The audit log (GET /auditLog, newest first, a page at a time) and one token's entries.

import { byId, h, messageOf, say, withProgress } from "./dom.js";
import { when } from "./model.js";
import { session } from "./session.js";

/**
 * @typedef {{ id: string, at: string, actor: string, action: string, object: string,
 *   detail: string | null, sourceIp: string | null, userAgent: string | null }} AuditEntry
 */

const body = byId("audit-body", HTMLTableSectionElement);
const status = byId("audit-status", HTMLParagraphElement);
const more = byId("audit-more", HTMLButtonElement);
const actionFilter = byId("audit-action", HTMLSelectElement);

/** @type {AuditEntry[]} */
let entries = [];
/** @type {string | null} */
let nextCursor = null;

actionFilter.addEventListener("change", render);
more.addEventListener("click", () => withProgress(more, "Loading…", loadPage));

/** Shows the newest page of the log. */
export async function loadAudit() {
  entries = [];
  nextCursor = null;
  body.replaceChildren();
  await loadPage();
}

async function loadPage() {
  say(status, "Loading the audit log…");
  status.classList.remove("error");
  try {
    const query = nextCursor ? `auditLog?limit=50&cursor=${encodeURIComponent(nextCursor)}` : "auditLog?limit=50";
    const page = await session().api.get(query);
    entries.push(...page.entries);
    nextCursor = page.nextCursor ?? null;
  } catch (error) {
    status.classList.add("error");
    say(status, messageOf(error));
    return;
  }
  offerActions();
  render();
}

/** The filter offers every action seen so far. */
function offerActions() {
  const known = new Set([...actionFilter.options].map((o) => o.value));
  for (const action of [...new Set(entries.map((e) => e.action))].sort()) {
    if (!known.has(action)) actionFilter.append(h("option", { value: action }, [action]));
  }
}

function render() {
  const action = actionFilter.value;
  const shown = action ? entries.filter((e) => e.action === action) : entries;
  body.replaceChildren(
    ...shown.map((entry) =>
      h("tr", {}, [
        h("td", { "data-label": "When" }, [when(entry.at, "")]),
        h("td", { "data-label": "Action" }, [h("code", {}, [entry.action])]),
        h("td", { "data-label": "Object" }, [entry.object]),
        h("td", { "data-label": "Actor" }, [entry.actor]),
        h("td", { "data-label": "Detail" }, [entry.detail ?? ""]),
        h("td", { "data-label": "Source" }, [[entry.sourceIp, entry.userAgent].filter(Boolean).join(" · ")]),
      ]),
    ),
  );
  more.hidden = nextCursor === null;
  const older = nextCursor ? " Older entries follow." : "";
  say(status, `${shown.length} entr${shown.length === 1 ? "y" : "ies"} shown.${older}`);
}

/** Forgets the log (on sign-out). */
export function clearAudit() {
  entries = [];
  nextCursor = null;
  body.replaceChildren();
  actionFilter.value = "";
  say(status, "");
}

/**
 * One token's entries, newest first, from up to `pages` pages of the log.
 * @param {string} tokenId
 * @param {number} pages
 * @returns {Promise<AuditEntry[]>}
 */
export async function entriesFor(tokenId, pages) {
  const object = `access_token:${tokenId}`;
  /** @type {AuditEntry[]} */
  const found = [];
  /** @type {string | null} */
  let cursor = null;
  for (let i = 0; i < pages; i++) {
    const query = cursor ? `auditLog?limit=100&cursor=${encodeURIComponent(cursor)}` : "auditLog?limit=100";
    const page = await session().api.get(query);
    found.push(...page.entries.filter((/** @type {AuditEntry} */ e) => e.object === object));
    cursor = page.nextCursor ?? null;
    if (!cursor) break;
  }
  return found;
}
