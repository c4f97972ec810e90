// The Webhooks page: the workspace's endpoints (GET /webhooks); adding one, its signing
// secret shown once; a test delivery; an endpoint's deliveries; rotating its secret; deleting it.

import { byId, h, messageOf, say, withProgress } from "./dom.js";
import { showSecret } from "./forms.js";
import { when } from "./model.js";
import { session } from "./session.js";

/** The types an endpoint may take (docs/events.md). */
const EVENT_TYPES = [
  "Access Token Created",
  "Access Token Updated",
  "Access Token Disabled",
  "Access Token Enabled",
  "Access Token Rerolled",
  "Access Token Deleted",
  "Access Token Leaked",
  "Access Token Expiring",
  "Access Token Expired",
  "Credits Low",
  "Credits Exhausted",
  "API Token Created",
  "API Token Deleted",
  "Share Link Created",
  "Share Link Deleted",
  "External Link Created",
  "External Link Deleted",
  "Workspace Token Revoked",
  "Webhook Endpoint Failing",
];

const SECRET = {
  label: "Signing secret",
  warning:
    "Put this secret in your receiver's configuration to verify each delivery's signature. Tessera keeps no copy: you won't see it again (rotate the secret to get a new one).",
};

/**
 * @typedef {{ id: string, url: string, eventTypes: string[], description: string,
 *   createdAt: string, failing: boolean, failingSince: string | null }} Webhook
 * @typedef {{ eventId: string, eventType: string, at: string, attempt: number,
 *   status: number | null, succeeded: boolean, error: string | null, latencyMs: number,
 *   nextRetryAt: string | null }} Attempt
 */

const body = byId("webhooks-body", HTMLTableSectionElement);
const status = byId("webhooks-status", HTMLParagraphElement);
const deliveries = byId("deliveries", HTMLElement);
const deliveriesHeading = byId("deliveries-heading", HTMLHeadingElement);
const deliveriesBody = byId("deliveries-body", HTMLTableSectionElement);
const deliveriesStatus = byId("deliveries-status", HTMLParagraphElement);
const dialog = byId("webhook-dialog", HTMLDialogElement);
const form = byId("webhook-form", HTMLFormElement);
const formError = byId("webhook-form-error", HTMLParagraphElement);
const types = byId("webhook-types", HTMLFieldSetElement);
const deleteDialog = byId("webhook-delete-dialog", HTMLDialogElement);
const deleteError = byId("webhook-delete-error", HTMLParagraphElement);

/** @type {Webhook | null} the endpoint whose deliveries are shown */
let watched = null;
/** @type {Webhook | null} */
let deleting = null;

for (const type of EVENT_TYPES) {
  const id = `webhook-type-${type.toLowerCase().replaceAll(" ", "-")}`;
  types.append(
    h("div", { class: "check" }, [
      h("input", { type: "checkbox", id, value: type }),
      h("label", { for: id }, [type]),
    ]),
  );
}

/** Loads the endpoints and shows them. */
export async function loadWebhooks() {
  say(status, "Loading endpoints…");
  status.classList.remove("error");
  /** @type {Webhook[]} */
  let hooks;
  try {
    hooks = (await session().api.get("webhooks")).data;
  } catch (error) {
    status.classList.add("error");
    say(status, messageOf(error));
    return;
  }
  body.replaceChildren(...hooks.map(row));
  say(status, hooks.length === 0 ? "No endpoints yet." : `${hooks.length} endpoint${hooks.length === 1 ? "" : "s"}.`);
}

/** @param {Webhook} hook */
function row(hook) {
  const admin = !session().readOnly;
  return h("tr", {}, [
    h("td", { "data-label": "URL" }, [h("code", {}, [hook.url]), hook.description ? h("div", { class: "hint" }, [hook.description]) : null]),
    h("td", { "data-label": "Events" }, [hook.eventTypes.length === 0 ? "All" : hook.eventTypes.join(", ")]),
    h("td", { "data-label": "Status" }, [hook.failing ? `failing since ${when(hook.failingSince ?? "", "")}` : "active"]),
    h("td", { "data-label": "Actions" }, [h("div", { class: "actions-cell" }, [
      admin && h("button", { type: "button", onclick: (/** @type {Event} */ e) => sendTest(hook, /** @type {HTMLButtonElement} */ (e.currentTarget)) }, ["Send test"]),
      h("button", { type: "button", onclick: () => showDeliveries(hook) }, ["Deliveries"]),
      admin && h("button", { type: "button", onclick: (/** @type {Event} */ e) => rotate(hook, /** @type {HTMLButtonElement} */ (e.currentTarget)) }, ["Rotate secret"]),
      admin && h("button", { type: "button", class: "danger", onclick: () => openDelete(hook) }, ["Delete"]),
    ])]),
  ]);
}

/**
 * @param {Webhook} hook
 * @param {HTMLButtonElement} button
 */
async function sendTest(hook, button) {
  try {
    await withProgress(button, "Sending…", () => session().api.send("POST", `webhooks/${encodeURIComponent(hook.id)}/test`));
    say(status, `A test event is on its way to ${hook.url}: its delivery shows below within seconds.`);
    await showDeliveries(hook);
  } catch (error) {
    status.classList.add("error");
    say(status, messageOf(error));
  }
}

/**
 * @param {Webhook} hook
 * @param {HTMLButtonElement} button
 */
async function rotate(hook, button) {
  try {
    const answer = await withProgress(button, "Rotating…", () =>
      session().api.send("POST", `webhooks/${encodeURIComponent(hook.id)}/rotate-secret`),
    );
    showSecret(answer.data.secret, `The new signing secret of ${hook.url}`, {
      label: SECRET.label,
      warning: `${SECRET.warning} The previous secret also signs until ${when(answer.data.previousSecretValidUntil, "")}.`,
    });
  } catch (error) {
    status.classList.add("error");
    say(status, messageOf(error));
  }
}

/** @param {Webhook} hook */
async function showDeliveries(hook) {
  watched = hook;
  deliveries.hidden = false;
  say(deliveriesHeading, `Deliveries to ${hook.url}`);
  await loadDeliveries();
}

async function loadDeliveries() {
  const hook = watched;
  if (!hook) return;
  say(deliveriesStatus, "Loading deliveries…");
  deliveriesStatus.classList.remove("error");
  /** @type {Attempt[]} */
  let attempts;
  try {
    attempts = (await session().api.get(`webhooks/${encodeURIComponent(hook.id)}/deliveries?limit=20`)).data;
  } catch (error) {
    deliveriesStatus.classList.add("error");
    say(deliveriesStatus, messageOf(error));
    return;
  }
  deliveriesBody.replaceChildren(
    ...attempts.map((attempt) =>
      h("tr", {}, [
        h("td", { "data-label": "When" }, [when(attempt.at, "")]),
        h("td", { "data-label": "Event" }, [attempt.eventType]),
        h("td", { "data-label": "Attempt" }, [String(attempt.attempt)]),
        h("td", { "data-label": "Result" }, [
          attempt.succeeded ? `delivered (${attempt.status})` : attempt.error ?? "failed",
        ]),
        h("td", { "data-label": "Latency" }, [`${attempt.latencyMs} ms`]),
        h("td", { "data-label": "Next retry" }, [attempt.nextRetryAt ? when(attempt.nextRetryAt, "") : "—"]),
      ]),
    ),
  );
  say(deliveriesStatus, attempts.length === 0 ? "No deliveries yet (a test shows up within seconds; Refresh deliveries)." : attempts.length === 1 ? "The last attempt." : `The last ${attempts.length} attempts, newest first.`);
}

byId("refresh-deliveries", HTMLButtonElement).addEventListener("click", (event) =>
  withProgress(/** @type {HTMLButtonElement} */ (event.currentTarget), "Refreshing…", loadDeliveries),
);

/** @param {() => void} [done] runs after an endpoint is added */
export function openAdd(done = loadWebhooks) {
  form.reset();
  say(formError, "");
  adding = done;
  dialog.showModal();
  byId("webhook-url", HTMLInputElement).focus();
}
/** @type {() => void} */
let adding = loadWebhooks;

byId("webhook-cancel", HTMLButtonElement).addEventListener("click", () => dialog.close());
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const url = byId("webhook-url", HTMLInputElement).value.trim();
  if (!url) {
    say(formError, "Type the endpoint's URL.");
    return;
  }
  const eventTypes = [...types.querySelectorAll("input:checked")].map((box) => /** @type {HTMLInputElement} */ (box).value);
  const description = byId("webhook-description", HTMLInputElement).value;
  say(formError, "");
  try {
    const answer = await withProgress(byId("webhook-submit", HTMLButtonElement), "Adding…", () =>
      session().api.send("POST", "webhooks", { url, eventTypes, description }),
    );
    dialog.close();
    showSecret(answer.data.secret, `The signing secret of ${answer.data.url}`, SECRET);
  } catch (error) {
    say(formError, messageOf(error));
    return;
  }
  adding();
});

/** @param {Webhook} hook */
function openDelete(hook) {
  deleting = hook;
  say(byId("webhook-delete-heading", HTMLHeadingElement), `Delete ${hook.url}?`);
  say(deleteError, "");
  deleteDialog.showModal();
  byId("webhook-delete-cancel", HTMLButtonElement).focus();
}

byId("webhook-delete-cancel", HTMLButtonElement).addEventListener("click", () => deleteDialog.close());
byId("webhook-delete-form", HTMLFormElement).addEventListener("submit", async (event) => {
  event.preventDefault();
  const hook = deleting;
  if (!hook) return;
  try {
    await withProgress(byId("webhook-delete-submit", HTMLButtonElement), "Deleting…", () =>
      session().api.send("DELETE", `webhooks/${encodeURIComponent(hook.id)}`),
    );
    deleteDialog.close();
  } catch (error) {
    say(deleteError, messageOf(error));
    return;
  }
  if (watched?.id === hook.id) clearDeliveries();
  await loadWebhooks();
});

function clearDeliveries() {
  watched = null;
  deliveries.hidden = true;
  deliveriesBody.replaceChildren();
  say(deliveriesStatus, "");
}

/** Forgets every endpoint shown and closes the page's dialogs (on sign-out). */
export function clearWebhooks() {
  for (const open of [dialog, deleteDialog]) if (open.open) open.close();
  form.reset();
  deleting = null;
  body.replaceChildren();
  say(status, "");
  clearDeliveries();
}
