// DOM helpers. Every value from the API reaches the page as text (a Text node or an
// attribute), never as HTML: nothing here parses markup.

/** @typedef {string | number | Node | null | undefined | false} Child */

/**
 * An element with attributes, `on<event>` listeners and children (strings become text).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | number | boolean | EventListener | undefined>} [props]
 * @param {Child[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, children = []) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else if (value !== false && value !== undefined) {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

/**
 * @param {Element} parent
 * @param {Child[]} children
 */
export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * The element with this id, of the type the caller expects.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
export function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`#${id} is missing or not a ${type.name}`);
  return element;
}

/**
 * Shows a message in an element (or clears it with "").
 * @param {HTMLElement} element
 * @param {string} message
 */
export function say(element, message) {
  element.textContent = message;
}

/**
 * Runs `work` with `button` disabled and showing `busyLabel`, then restores it.
 * @template T
 * @param {HTMLButtonElement} button
 * @param {string} busyLabel
 * @param {() => Promise<T>} work
 * @returns {Promise<T>}
 */
export async function withProgress(button, busyLabel, work) {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = busyLabel;
  button.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.textContent = label;
    button.removeAttribute("aria-busy");
  }
}

/**
 * What a failure says to a person: an `ApiError`'s sentence, or any error's message.
 * @param {unknown} error
 */
export function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}
