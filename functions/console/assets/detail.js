// One token's page: its facts, verifications per day by outcome, and its audit entries.

import { entriesFor } from "./audit.js";
import { outcomeChart, outcomeLegend } from "./chart.js";
import { byId, h, messageOf, say } from "./dom.js";
import { creditsText, rateLimitText, statusOf, when } from "./model.js";
import { session } from "./session.js";

const facts = byId("detail-facts", HTMLElement);
const chart = byId("detail-chart", HTMLDivElement);
const auditList = byId("detail-audit", HTMLUListElement);
const auditStatus = byId("detail-audit-status", HTMLParagraphElement);

/** @param {import("./model.js").Token} token */
export async function showToken(token) {
  say(byId("detail-heading", HTMLHeadingElement), token.name);
  /** @type {[string, string][]} */
  const rows = [
    ["ID", token.id],
    ["Description", token.description || "None"],
    ["Status", statusOf(token, Date.now())],
    ["Scopes", token.scopes.join(" ") || "None"],
    ["Created", when(token.createdAt, "")],
    ["Expires", when(token.expiresAt, "Never")],
    ["Last used", when(token.lastUsedAt, "Never")],
    ["Credits left", creditsText(token)],
    ["Rate limit", rateLimitText(token)],
    ["External ID", token.externalId ?? "None"],
    ["Meta", token.meta ? JSON.stringify(token.meta) : "None"],
  ];
  facts.replaceChildren(...rows.flatMap(([term, value]) => [h("dt", {}, [term]), h("dd", {}, [value])]));
  chart.replaceChildren("Loading usage…");
  auditList.replaceChildren();
  say(auditStatus, "Loading audit entries…");
  const id = encodeURIComponent(token.id);
  await Promise.all([
    session()
      .api.get(`accessTokens/${id}/usage?days=30`)
      .then((usage) => chart.replaceChildren(outcomeChart(usage.days), outcomeLegend()))
      .catch((error) => chart.replaceChildren(messageOf(error))),
    entriesFor(token.id, 5)
      .then((entries) => {
        auditList.replaceChildren(
          ...entries.map((e) =>
            h("li", {}, [h("code", {}, [e.action]), " ", when(e.at, ""), " by ", e.actor, e.detail ? ` (${e.detail})` : ""]),
          ),
        );
        say(auditStatus, entries.length ? "" : "No audit entries for this token in the newest 500 of the log.");
      })
      .catch((error) => say(auditStatus, messageOf(error))),
  ]);
}

/** Forgets the token shown (on sign-out). */
export function clearDetail() {
  say(byId("detail-heading", HTMLHeadingElement), "Token");
  facts.replaceChildren();
  chart.replaceChildren();
  auditList.replaceChildren();
  say(auditStatus, "");
}
