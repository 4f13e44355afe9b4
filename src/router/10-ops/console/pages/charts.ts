/**
 * Bar charts as inline SVG, drawn on the server: no script, no library. Each chart has a text
 * alternative (role="img" with a label) and its figures in a table beside it, for screen readers.
 */
import { html, type Html } from './html.js';

export interface Bar {
  readonly label: string;
  readonly value: number;
}

/** Vertical bars over time (throughput). */
export function columnChart(title: string, bars: readonly Bar[], width = 600, height = 140): Html {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const w = width / Math.max(1, bars.length);
  const total = bars.reduce((a, b) => a + b.value, 0);
  return html`<svg
    class="chart"
    viewBox="0 0 ${width} ${height + 16}"
    role="img"
    aria-label="${title}: ${total} in all, at most ${max} in one interval"
  >
    ${bars.map((b, i) => {
      const h = Math.round((b.value / max) * height);
      return html`<rect
        x="${(i * w + 1).toFixed(1)}"
        y="${height - h}"
        width="${Math.max(1, w - 2).toFixed(1)}"
        height="${h}"
        ><title>${b.label}: ${b.value}</title></rect
      >`;
    })}
    <line x1="0" y1="${height}" x2="${width}" y2="${height}" class="axis" />
    <text x="0" y="${height + 14}">${bars[0]?.label ?? ''}</text>
    <text x="${width}" y="${height + 14}" text-anchor="end">${bars.at(-1)?.label ?? ''}</text>
  </svg>`;
}

/** Horizontal bars by category (outcomes, nacks by code). */
export function barChart(title: string, bars: readonly Bar[], width = 600): Html {
  if (bars.length === 0) return html`<p class="empty">${title}: none in this window.</p>`;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const row = 22;
  const labelWidth = 140;
  return html`<svg
    class="chart"
    viewBox="0 0 ${width} ${bars.length * row}"
    role="img"
    aria-label="${title}: ${bars.map((b) => `${b.label} ${b.value}`).join(', ')}"
  >
    ${bars.map((b, i) => {
      const w = Math.max(1, Math.round((b.value / max) * (width - labelWidth - 60)));
      return html`<text x="0" y="${i * row + 15}">${b.label}</text
        ><rect x="${labelWidth}" y="${i * row + 3}" width="${w}" height="${row - 6}"
          ><title>${b.label}: ${b.value}</title></rect
        ><text x="${labelWidth + w + 6}" y="${i * row + 15}">${b.value}</text>`;
    })}
  </svg>`;
}
