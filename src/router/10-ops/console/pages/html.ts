/**
 * HTML built from templates in which every interpolated value is escaped, unless it is already
 * HTML built here (`Html`). Lists of Html join without separators; null / undefined / false
 * render nothing.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

const render = (v: Value): string =>
  v instanceof Html
    ? v.text
    : Array.isArray(v)
      ? v.map(render).join('')
      : v === null || v === undefined || v === false
        ? ''
        : escape(String(v as string | number | boolean));

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Html(out);
}

/** A time as people read it in a table: `2026-12-08 09:15:02Z`. */
export const when = (iso: string | null | undefined): string =>
  iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
