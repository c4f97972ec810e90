// What the API's token listing means for the console: status, sort order, display text.

/**
 * An access token as GET /accessTokens lists it.
 * @typedef {{
 *   id: string, name: string, description: string, userId: string,
 *   createdAt: string, expiresAt: string | null, scopes: string[],
 *   lastUsedAt: string | null, rerolledTo?: string, enabled?: boolean,
 *   ratelimit?: { limit: number, durationSeconds: number } | null,
 *   credits?: { remaining: number, refill: { interval: string, amount: number } | null } | null,
 *   meta?: Record<string, unknown> | null, externalId?: string | null,
 * }} Token
 */

/**
 * One day of GET /accessTokens/{id}/usage.
 * @typedef {{ date: string, valid: number, rateLimited: number, usageExceeded: number,
 *   disabled: number, expired: number, insufficientPermissions: number }} UsageDay
 */

/** @typedef {"active" | "in grace" | "disabled" | "expired"} Status */

/**
 * @param {Token} token
 * @param {number} now milliseconds
 * @returns {Status}
 */
export function statusOf(token, now) {
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return "expired";
  if (token.enabled === false) return "disabled";
  if (token.rerolledTo) return "in grace";
  return "active";
}

/** @type {Record<Status, number>} */
const statusRank = { active: 0, "in grace": 1, disabled: 2, expired: 3 };

/**
 * Live tokens first, then newest first: the order an admin scans for what is in use.
 * @param {Token[]} tokens
 * @param {number} now
 */
export function sortTokens(tokens, now) {
  return [...tokens].sort(
    (a, b) =>
      statusRank[statusOf(a, now)] - statusRank[statusOf(b, now)] ||
      Date.parse(b.createdAt) - Date.parse(a.createdAt),
  );
}

/**
 * @param {Token[]} tokens
 * @param {string} query
 */
export function filterTokens(tokens, query) {
  const needle = query.trim().toLowerCase();
  if (!needle) return tokens;
  return tokens.filter(
    (t) => t.name.toLowerCase().includes(needle) || (t.externalId ?? "").toLowerCase().includes(needle),
  );
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/**
 * @param {string | null | undefined} iso
 * @param {string} none what an absent date means
 */
export function when(iso, none) {
  return iso ? dateFormat.format(new Date(iso)) : none;
}

/** @param {number} seconds */
export function windowName(seconds) {
  /** @type {Record<number, string>} */
  const names = { 1: "second", 60: "minute", 3600: "hour", 86400: "day" };
  return names[seconds] ?? `${seconds} s`;
}

/** @param {Token} token */
export function rateLimitText(token) {
  const limit = token.ratelimit;
  return limit ? `${limit.limit.toLocaleString()} / ${windowName(limit.durationSeconds)}` : "None";
}

/** @param {Token} token */
export function creditsText(token) {
  const credits = token.credits;
  if (!credits) return "Unlimited";
  const refill = credits.refill ? `, refills ${credits.refill.interval}` : "";
  return `${credits.remaining.toLocaleString()}${refill}`;
}

/** The outcomes a verification can have, as the usage API names them, with their labels. */
export const outcomes = /** @type {const} */ ([
  ["valid", "Valid"],
  ["rateLimited", "Rate limited"],
  ["usageExceeded", "Out of credits"],
  ["disabled", "Disabled"],
  ["expired", "Expired"],
  ["insufficientPermissions", "Missing permission"],
]);

/** @param {UsageDay} day */
export function totalOf(day) {
  return outcomes.reduce((sum, [key]) => sum + day[key], 0);
}

/**
 * Splits what a person typed into scopes.
 * @param {string} text
 */
export function parseScopes(text) {
  return text.split(/[\s,]+/).filter(Boolean);
}

/**
 * The `expiresAt` an Expires choice means: null for never, undefined for "keep".
 * @param {string} choice "never", a number of days, "date" or "keep"
 * @param {string} date yyyy-mm-dd when choice is "date"
 * @param {number} now
 * @returns {string | null | undefined}
 */
export function expiryFrom(choice, date, now) {
  if (choice === "keep") return undefined;
  if (choice === "never") return null;
  if (choice === "date") {
    if (!date) throw new Error("Choose the expiry date, or another Expires option.");
    // The end of the chosen day, in the viewer's time zone.
    const end = new Date(`${date}T23:59:59`);
    if (Number.isNaN(end.getTime()) || end.getTime() <= now) throw new Error("The expiry date must be in the future.");
    return end.toISOString();
  }
  return new Date(now + Number(choice) * 86400_000).toISOString();
}
