// Inline SVG charts of GET /accessTokens/{id}/usage: a sparkline for the table, stacked
// bars by outcome for a token's page. Colours come from style.css classes.

import { outcomes, totalOf } from "./model.js";

const svgNs = "http://www.w3.org/2000/svg";

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attributes
 * @returns {SVGElement}
 */
function svg(tag, attributes) {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

/**
 * @param {SVGElement} chart
 * @param {string} label
 */
function describe(chart, label) {
  chart.setAttribute("role", "img");
  chart.setAttribute("aria-label", label);
  const title = svg("title", {});
  title.textContent = label;
  chart.prepend(title);
}

/**
 * Daily verifications, oldest to newest, as bars 2 px apart.
 * @param {import("./model.js").UsageDay[]} days newest first, as the API answers
 */
export function sparkline(days) {
  const totals = [...days].reverse().map(totalOf);
  const width = 90;
  const height = 24;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "sparkline" });
  const peak = Math.max(1, ...totals);
  const step = width / Math.max(1, totals.length);
  totals.forEach((total, i) => {
    const barHeight = total === 0 ? 1 : Math.max(2, (total / peak) * height);
    chart.append(
      svg("rect", {
        x: (i * step).toFixed(2),
        y: (height - barHeight).toFixed(2),
        width: Math.max(1, step - 1).toFixed(2),
        height: barHeight.toFixed(2),
        class: total === 0 ? "bar-empty" : "bar",
      }),
    );
  });
  const sum = totals.reduce((a, b) => a + b, 0);
  describe(chart, `${sum.toLocaleString()} verifications in the last ${totals.length} days`);
  return chart;
}

/**
 * Stacked bars per day, one colour per outcome, with a legend.
 * @param {import("./model.js").UsageDay[]} days newest first
 */
export function outcomeChart(days) {
  const ordered = [...days].reverse();
  const width = 600;
  const height = 160;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height + 20}`, class: "outcomes" });
  const peak = Math.max(1, ...ordered.map(totalOf));
  const step = width / Math.max(1, ordered.length);
  ordered.forEach((day, i) => {
    let top = height;
    for (const [key] of outcomes) {
      if (day[key] === 0) continue;
      const barHeight = (day[key] / peak) * height;
      top -= barHeight;
      const bar = svg("rect", {
        x: (i * step + 1).toFixed(2),
        y: top.toFixed(2),
        width: Math.max(1, step - 2).toFixed(2),
        height: barHeight.toFixed(2),
        class: `o-${key}`,
      });
      const tip = svg("title", {});
      tip.textContent = `${day.date}: ${day[key]} ${key}`;
      bar.append(tip);
      chart.append(bar);
    }
  });
  chart.append(svg("line", { x1: 0, y1: height, x2: width, y2: height, class: "axis" }));
  const first = svg("text", { x: 0, y: height + 15, class: "tick" });
  first.textContent = ordered[0]?.date ?? "";
  const last = svg("text", { x: width, y: height + 15, class: "tick end" });
  last.textContent = ordered[ordered.length - 1]?.date ?? "";
  chart.append(first, last);
  const totals = outcomes.map(([key, label]) => `${ordered.reduce((s, d) => s + d[key], 0)} ${label.toLowerCase()}`);
  describe(chart, `Verifications over ${ordered.length} days: ${totals.join(", ")}`);
  return chart;
}

/** The legend for `outcomeChart`, as a list. */
export function outcomeLegend() {
  const list = document.createElement("ul");
  list.className = "legend";
  for (const [key, label] of outcomes) {
    const item = document.createElement("li");
    const swatch = svg("svg", { width: 12, height: 12, "aria-hidden": "true" });
    swatch.append(svg("rect", { width: 12, height: 12, class: `o-${key}` }));
    item.append(swatch, ` ${label}`);
    list.append(item);
  }
  return list;
}
