// Wires the console: sign-in, the four views, sign-out (by hand, on idle or on a 401).

import { clearAudit, loadAudit } from "./audit.js";
import { clearDetail, showToken } from "./detail.js";
import { byId, messageOf, say, withProgress } from "./dom.js";
import { closeDialogs, openCreate } from "./forms.js";
import { signIn, signOut, whenSignedOut } from "./session.js";
import { clearTokens, loadTokens, onShowDetail } from "./tokens.js";
import { clearWebhooks, loadWebhooks, openAdd } from "./webhooks.js";

const signInView = byId("sign-in-view", HTMLElement);
const signInForm = byId("sign-in-form", HTMLFormElement);
const tokenInput = byId("workspace-token", HTMLInputElement);
const signInError = byId("sign-in-error", HTMLParagraphElement);
const notice = byId("notice", HTMLParagraphElement);
const nav = byId("nav", HTMLElement);
const who = byId("who", HTMLSpanElement);
const signOutButton = byId("sign-out", HTMLButtonElement);
const views = {
  tokens: byId("tokens-view", HTMLElement),
  detail: byId("detail-view", HTMLElement),
  audit: byId("audit-view", HTMLElement),
  webhooks: byId("webhooks-view", HTMLElement),
};
const tabs = {
  tokens: byId("show-tokens", HTMLButtonElement),
  webhooks: byId("show-webhooks", HTMLButtonElement),
  audit: byId("show-audit", HTMLButtonElement),
};

/** @param {keyof typeof views} name */
function show(name) {
  for (const [key, view] of Object.entries(views)) view.hidden = key !== name;
  // A token's page belongs to the Tokens tab.
  const current = name === "detail" ? tabs.tokens : tabs[name];
  for (const tab of Object.values(tabs)) tab.removeAttribute("aria-current");
  current.setAttribute("aria-current", "page");
  views[name].querySelector("h1")?.focus();
}

signInForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  say(signInError, "");
  notice.hidden = true;
  const token = tokenInput.value.trim();
  if (!token) {
    say(signInError, "Paste a workspace token to sign in.");
    tokenInput.focus();
    return;
  }
  const button = /** @type {HTMLButtonElement} */ (signInForm.querySelector("button[type=submit]"));
  try {
    const session = await withProgress(button, "Signing in…", () => signIn(token));
    tokenInput.value = "";
    signInView.hidden = true;
    nav.hidden = false;
    who.hidden = false;
    signOutButton.hidden = false;
    say(who, `Workspace ${session.workspaceId}${session.readOnly ? " (read-only)" : ""}`);
    document.body.classList.toggle("read-only", session.readOnly);
    byId("read-only-note", HTMLParagraphElement).hidden = !session.readOnly;
    show("tokens");
    await loadTokens();
  } catch (error) {
    say(signInError, messageOf(error));
    tokenInput.focus();
  }
});

// Only now may the form be submitted: its handler keeps the token in this tab's memory.
byId("sign-in-button", HTMLButtonElement).disabled = false;

whenSignedOut((message) => {
  closeDialogs();
  clearTokens();
  clearAudit();
  clearDetail();
  clearWebhooks();
  for (const view of Object.values(views)) view.hidden = true;
  nav.hidden = true;
  who.hidden = true;
  signOutButton.hidden = true;
  say(who, "");
  document.body.classList.remove("read-only");
  signInView.hidden = false;
  say(notice, message);
  notice.hidden = false;
  tokenInput.focus();
});

signOutButton.addEventListener("click", () => signOut("You signed out. The workspace token is forgotten."));
byId("new-token", HTMLButtonElement).addEventListener("click", () => openCreate(loadTokens));
byId("refresh-tokens", HTMLButtonElement).addEventListener("click", () => loadTokens());
tabs.tokens.addEventListener("click", () => {
  show("tokens");
  loadTokens();
});
tabs.webhooks.addEventListener("click", () => {
  show("webhooks");
  loadWebhooks();
});
byId("new-webhook", HTMLButtonElement).addEventListener("click", () => openAdd());
tabs.audit.addEventListener("click", () => {
  show("audit");
  loadAudit();
});
byId("back-to-tokens", HTMLButtonElement).addEventListener("click", () => show("tokens"));
onShowDetail((token) => {
  show("detail");
  showToken(token);
});
for (const view of Object.values(views)) view.querySelector("h1")?.setAttribute("tabindex", "-1");
tokenInput.focus();
