// Who is signed in. The workspace token lives in this module's memory only: never in a URL,
// a cookie or any storage, so a reload, a closed tab or "Sign out" forgets it.

import { apiFor, ApiError } from "./api.js";

/** Minutes without a key press, click or touch after which the console signs itself out. */
export const IDLE_MINUTES = 15;

/**
 * @typedef {{ api: import("./api.js").Api, workspaceId: string, readOnly: boolean }} Session
 */

/** @type {Session | null} */
let current = null;
let lastActivity = Date.now();
/** @type {number | undefined} */
let idleTimer;
/** @type {(message: string) => void} */
let onSignedOut = () => {};

/** The signed-in session; the views only run while there is one. */
export function session() {
  if (!current) throw new ApiError(401, "You are signed out. Sign in again.");
  return current;
}

/** @param {(message: string) => void} listener told why the session ended */
export function whenSignedOut(listener) {
  onSignedOut = listener;
}

/**
 * Asks Tessera who the token is (GET /workspace); on success the console is signed in.
 * @param {string} workspaceToken
 * @returns {Promise<Session>}
 */
export async function signIn(workspaceToken) {
  // A 401 here is a wrong token, not an ended session: the sign-in form says so itself.
  const api = apiFor(workspaceToken, () => {
    if (current) signOut("Tessera no longer accepts this workspace token, so you were signed out. Sign in again.");
  });
  let who;
  try {
    who = await api.get("workspace");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      throw new ApiError(401, "That workspace token was not accepted. Check that you pasted all of it; it starts with tsw_.");
    }
    throw error;
  }
  current = { api, workspaceId: String(who.id), readOnly: who.role !== "admin" };
  lastActivity = Date.now();
  window.clearInterval(idleTimer);
  idleTimer = window.setInterval(() => {
    if (Date.now() - lastActivity > IDLE_MINUTES * 60_000) {
      signOut(`You were signed out after ${IDLE_MINUTES} minutes without activity.`);
    }
  }, 15_000);
  return current;
}

/** @param {string} message why, shown on the sign-in page */
export function signOut(message) {
  current = null;
  window.clearInterval(idleTimer);
  onSignedOut(message);
}

for (const event of ["keydown", "pointerdown", "touchstart"]) {
  window.addEventListener(event, () => (lastActivity = Date.now()), { passive: true });
}
