// The dialogs that change tokens: New token / Edit, the new value shown once, Reroll, Delete.
// A failed request leaves its dialog open with everything typed; only success closes it.

import { byId, messageOf, say, withProgress } from "./dom.js";
import { expiryFrom, parseScopes } from "./model.js";
import { session } from "./session.js";

const tokenDialog = byId("token-dialog", HTMLDialogElement);
const tokenForm = byId("token-form", HTMLFormElement);
const heading = byId("token-dialog-heading", HTMLHeadingElement);
const submit = byId("token-submit", HTMLButtonElement);
const formError = byId("token-form-error", HTMLParagraphElement);
const field = {
  name: byId("token-name", HTMLInputElement),
  description: byId("token-description", HTMLTextAreaElement),
  expires: byId("token-expires", HTMLSelectElement),
  expiryDate: byId("token-expiry-date", HTMLInputElement),
  scopes: byId("token-scopes", HTMLInputElement),
  ratelimit: byId("token-ratelimit", HTMLInputElement),
  ratelimitWindow: byId("token-ratelimit-window", HTMLSelectElement),
  credits: byId("token-credits", HTMLInputElement),
  refill: byId("token-refill", HTMLSelectElement),
  externalId: byId("token-external-id", HTMLInputElement),
  meta: byId("token-meta", HTMLTextAreaElement),
};

const secretDialog = byId("secret-dialog", HTMLDialogElement);
const secretValue = byId("secret-value", HTMLInputElement);
const secretCopied = byId("secret-copied", HTMLParagraphElement);

/** @type {{ token: import("./model.js").Token | null, initial: Record<string, unknown>, done: () => void }} */
let editing = { token: null, initial: {}, done: () => {} };

field.expires.addEventListener("change", () => {
  field.expiryDate.disabled = field.expires.value !== "date";
  if (!field.expiryDate.disabled) field.expiryDate.focus();
});
byId("token-cancel", HTMLButtonElement).addEventListener("click", () => tokenDialog.close());

/**
 * Opens the empty New token form.
 * @param {() => void} done runs after a token is created
 */
export function openCreate(done) {
  tokenForm.reset();
  field.expiryDate.disabled = true;
  tokenDialog.classList.remove("editing");
  say(heading, "New token");
  say(submit, "Create");
  say(formError, "");
  editing = { token: null, initial: {}, done };
  tokenDialog.showModal();
  field.name.focus();
}

/**
 * Opens the form filled with a token's fields.
 * @param {import("./model.js").Token} token
 * @param {() => void} done
 */
export function openEdit(token, done) {
  tokenForm.reset();
  tokenDialog.classList.add("editing");
  say(heading, `Edit ${token.name}`);
  say(submit, "Save");
  say(formError, "");
  field.name.value = token.name;
  field.description.value = token.description;
  field.expires.value = "keep";
  field.expiryDate.disabled = true;
  field.scopes.value = token.scopes.join(" ");
  field.ratelimit.value = token.ratelimit ? String(token.ratelimit.limit) : "";
  field.ratelimitWindow.value = token.ratelimit ? String(token.ratelimit.durationSeconds) : "60";
  field.credits.value = token.credits ? String(token.credits.remaining) : "";
  field.refill.value = token.credits?.refill?.interval ?? "";
  field.externalId.value = token.externalId ?? "";
  field.meta.value = token.meta ? JSON.stringify(token.meta) : "";
  editing = { token, initial: requestFields(Date.now()), done };
  tokenDialog.showModal();
  field.name.focus();
}

/**
 * What the form asks for, as the API's fields (absent optional fields as null).
 * @param {number} now
 * @returns {Record<string, unknown>}
 */
function requestFields(now) {
  const ratelimit = field.ratelimit.value.trim();
  const credits = field.credits.value.trim();
  const meta = field.meta.value.trim();
  /** @type {Record<string, unknown>} */
  const fields = {
    name: field.name.value.trim(),
    description: field.description.value,
    scopes: parseScopes(field.scopes.value),
    ratelimit: ratelimit ? { limit: wholeNumber(ratelimit, "Rate limit", 1), durationSeconds: Number(field.ratelimitWindow.value) } : null,
    credits: credits ? creditsField(wholeNumber(credits, "Credits", 0)) : null,
    externalId: field.externalId.value.trim() || null,
    meta: meta ? metaObject(meta) : null,
  };
  const expiresAt = expiryFrom(field.expires.value, field.expiryDate.value, now);
  if (expiresAt !== undefined) fields.expiresAt = expiresAt;
  return fields;
}

/** @param {number} remaining */
function creditsField(remaining) {
  const interval = field.refill.value;
  return interval ? { remaining, refill: { interval, amount: Math.max(1, remaining) } } : { remaining };
}

/**
 * @param {string} text
 * @param {string} label
 * @param {number} minimum
 */
function wholeNumber(text, label, minimum) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) throw new Error(`${label} must be a whole number of at least ${minimum}.`);
  return value;
}

/** @param {string} text */
function metaObject(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error("Meta must be a JSON object, such as {\"plan\": \"pro\"}.");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("Meta must be a JSON object.");
  return value;
}

tokenForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  say(formError, "");
  if (!field.name.value.trim()) {
    say(formError, "Give the token a name.");
    field.name.focus();
    return;
  }
  /** @type {Record<string, unknown>} */
  let fields;
  try {
    fields = requestFields(Date.now());
  } catch (error) {
    say(formError, messageOf(error));
    return;
  }
  const token = editing.token;
  try {
    if (token) {
      // Only what changed: a stale value (credits spent meanwhile) is never written back.
      /** @type {Record<string, unknown>} */
      const changed = {};
      for (const [key, value] of Object.entries(fields)) {
        if (JSON.stringify(value) !== JSON.stringify(editing.initial[key])) changed[key] = value;
      }
      if (changed.description === "") changed.description = null;
      if (Object.keys(changed).length > 0) {
        await withProgress(submit, "Saving…", () =>
          session().api.send("PATCH", `accessTokens/${encodeURIComponent(token.id)}`, changed),
        );
      }
      tokenDialog.close();
    } else {
      /** @type {Record<string, unknown>} */
      const created = {};
      for (const [key, value] of Object.entries(fields)) {
        if (value !== null && value !== "" && !(Array.isArray(value) && value.length === 0)) created[key] = value;
      }
      const answer = await withProgress(submit, "Creating…", () => session().api.send("POST", "accessTokens", created));
      tokenDialog.close();
      tokenForm.reset();
      showSecret(answer.data.token, "Your new token");
    }
  } catch (error) {
    say(formError, messageOf(error));
    return;
  }
  editing.done();
});

const TOKEN_LABEL = "New token value";
const TOKEN_WARNING = byId("secret-warning", HTMLParagraphElement).textContent ?? "";

/**
 * Shows a secret, this once: a token's value, or (with `label` and `warning`) another secret.
 * @param {string} value
 * @param {string} title
 * @param {{ label: string, warning: string }} [what]
 */
export function showSecret(value, title, what = { label: TOKEN_LABEL, warning: TOKEN_WARNING }) {
  say(byId("secret-heading", HTMLHeadingElement), title);
  say(byId("secret-label", HTMLLabelElement), what.label);
  say(byId("secret-warning", HTMLParagraphElement), what.warning);
  secretValue.value = value;
  say(secretCopied, "");
  secretDialog.showModal();
  secretValue.focus();
  secretValue.select();
}

byId("secret-copy", HTMLButtonElement).addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(secretValue.value);
    say(secretCopied, "Copied to the clipboard.");
  } catch {
    secretValue.focus();
    secretValue.select();
    say(secretCopied, "The browser did not allow copying: the value is selected, press Ctrl+C (or ⌘C).");
  }
});
byId("secret-done", HTMLButtonElement).addEventListener("click", () => secretDialog.close());
// However it closes (Done, Escape), the value leaves the page.
secretDialog.addEventListener("close", () => {
  secretValue.value = "";
  say(secretCopied, "");
});

const rerollDialog = byId("reroll-dialog", HTMLDialogElement);
const rerollSubmit = byId("reroll-submit", HTMLButtonElement);
const rerollError = byId("reroll-error", HTMLParagraphElement);
/** @type {{ token: import("./model.js").Token | null, done: () => void }} */
let rerolling = { token: null, done: () => {} };
byId("reroll-cancel", HTMLButtonElement).addEventListener("click", () => rerollDialog.close());

/**
 * @param {import("./model.js").Token} token
 * @param {() => void} done
 */
export function openReroll(token, done) {
  rerolling = { token, done };
  say(byId("reroll-heading", HTMLHeadingElement), `Reroll ${token.name}`);
  say(rerollError, "");
  rerollDialog.showModal();
}

byId("reroll-form", HTMLFormElement).addEventListener("submit", async (event) => {
  event.preventDefault();
  const token = rerolling.token;
  if (!token) return;
  const grace = Number(byId("reroll-grace", HTMLSelectElement).value);
  say(rerollError, "");
  try {
    const answer = await withProgress(rerollSubmit, "Rerolling…", () =>
      session().api.send("POST", `accessTokens/${encodeURIComponent(token.id)}/reroll`, { gracePeriodSeconds: grace }),
    );
    rerollDialog.close();
    showSecret(answer.data.token, `The new value of ${token.name}`);
  } catch (error) {
    say(rerollError, messageOf(error));
    return;
  }
  rerolling.done();
});

const deleteDialog = byId("delete-dialog", HTMLDialogElement);
const deleteSubmit = byId("delete-submit", HTMLButtonElement);
const deleteError = byId("delete-error", HTMLParagraphElement);
/** @type {{ token: import("./model.js").Token | null, done: () => void }} */
let deleting = { token: null, done: () => {} };
byId("delete-cancel", HTMLButtonElement).addEventListener("click", () => deleteDialog.close());

/**
 * @param {import("./model.js").Token} token
 * @param {() => void} done
 */
export function openDelete(token, done) {
  deleting = { token, done };
  say(byId("delete-heading", HTMLHeadingElement), `Delete ${token.name}?`);
  say(deleteError, "");
  deleteDialog.showModal();
  byId("delete-cancel", HTMLButtonElement).focus();
}

byId("delete-form", HTMLFormElement).addEventListener("submit", async (event) => {
  event.preventDefault();
  const token = deleting.token;
  if (!token) return;
  say(deleteError, "");
  try {
    await withProgress(deleteSubmit, "Deleting…", () =>
      session().api.send("DELETE", `accessTokens/${encodeURIComponent(token.id)}`),
    );
    deleteDialog.close();
  } catch (error) {
    say(deleteError, messageOf(error));
    return;
  }
  deleting.done();
});

/** Closes every dialog (on sign-out), forgetting the token value and names they showed. */
export function closeDialogs() {
  for (const dialog of [tokenDialog, secretDialog, rerollDialog, deleteDialog]) {
    if (dialog.open) dialog.close();
  }
  tokenForm.reset();
  say(heading, "New token");
  say(submit, "Create");
  say(byId("secret-heading", HTMLHeadingElement), "Your new token");
  say(byId("secret-label", HTMLLabelElement), TOKEN_LABEL);
  say(byId("secret-warning", HTMLParagraphElement), TOKEN_WARNING);
  say(byId("reroll-heading", HTMLHeadingElement), "Reroll token");
  say(byId("delete-heading", HTMLHeadingElement), "Delete token?");
  editing = { token: null, initial: {}, done: () => {} };
  rerolling = { token: null, done: () => {} };
  deleting = { token: null, done: () => {} };
}
