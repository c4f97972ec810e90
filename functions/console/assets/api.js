// The console's one way to call Tessera: the same origin, HTTP Basic with the workspace token
// (as the RudderStack seed sends it), and errors turned into sentences.

/** Why a request failed, in words a person can act on. */
export class ApiError extends Error {
  /**
   * @param {number} status 0 when Tessera was not reached at all.
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The API's root: the console is served at `<root>/console/`, so a stage prefix is kept. */
const root = new URL("../", window.location.href);

/**
 * @typedef {{
 *   get: (path: string) => Promise<any>,
 *   list: (path: string) => Promise<any[]>,
 *   send: (method: string, path: string, body?: unknown) => Promise<any>,
 * }} Api
 */

/**
 * A client for one workspace token. `onUnauthorized` runs when Tessera answers 401 (the token
 * was deleted or mistyped): the caller signs out.
 * @param {string} workspaceToken
 * @param {(error: ApiError) => void} onUnauthorized
 * @returns {Api}
 */
export function apiFor(workspaceToken, onUnauthorized) {
  const authorization = "Basic " + btoa(`${workspaceToken}:`);
  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   */
  async function send(method, path, body) {
    return (await exchange(method, new URL(path, root), body)).json;
  }

  /**
   * @param {string} method
   * @param {URL} url
   * @param {unknown} [body]
   * @returns {Promise<{ json: any, next: URL | null }>}
   */
  async function exchange(method, url, body) {
    /** @type {Response} */
    let response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          Authorization: authorization,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
        referrerPolicy: "no-referrer",
      });
    } catch {
      throw new ApiError(0, "Tessera could not be reached. Check your connection, then try again.");
    }
    const text = await response.text();
    /** @type {any} */
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (response.ok) return { json, next: nextPage(response, url) };
    const error = new ApiError(response.status, explain(response, json));
    if (response.status === 401) onUnauthorized(error);
    throw error;
  }

  /**
   * Every page of a listing: a listing larger than one response links to the next page.
   * @param {string} path
   */
  async function list(path) {
    /** @type {any[]} */
    const all = [];
    /** @type {URL | null} */
    let url = new URL(path, root);
    while (url) {
      const page = await exchange("GET", url);
      all.push(...(Array.isArray(page.json) ? page.json : []));
      url = page.next;
    }
    return all;
  }
  return { get: (path) => send("GET", path), list, send };
}

/**
 * The next page's URL from a `Link: <...>; rel="next"` header (RFC 8288), resolved against
 * the request's URL; only a same-origin one is followed.
 * @param {Response} response
 * @param {URL} url
 * @returns {URL | null}
 */
function nextPage(response, url) {
  const match = /<([^>]*)>\s*;\s*rel="next"/.exec(response.headers.get("Link") ?? "");
  if (!match) return null;
  const next = new URL(match[1], url);
  return next.origin === url.origin ? next : null;
}

/**
 * @param {Response} response
 * @param {any} json
 * @returns {string}
 */
function explain(response, json) {
  const said = typeof json?.error === "string" ? json.error : typeof json?.message === "string" ? json.message : "";
  switch (response.status) {
    case 401:
      return "Tessera did not accept this workspace token (it may have been deleted). Sign in again.";
    case 503: {
      const wait = Number(response.headers.get("Retry-After")) || 1;
      return `Tessera is briefly unavailable. Nothing you typed is lost: try again in ${wait} second${wait === 1 ? "" : "s"}.`;
    }
    default:
      if (response.status >= 500) {
        return `Tessera failed unexpectedly (HTTP ${response.status}). Try again; if it keeps failing, its logs say why.`;
      }
      return said ? capitalize(said) : `Tessera refused the request (HTTP ${response.status}).`;
  }
}

/** @param {string} text */
function capitalize(text) {
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : sentence + ".";
}
