/** Text and JSON forms of quarantine listings, entries and replay results (pure). */
import type { ListedEntry, Listing, ReplayResult } from './quarantine-ops.js';
import { reasonOf } from './quarantine-entry.js';

const time = (d: Date | undefined) =>
  d
    ? d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z')
    : '-';

const oneLine = (s: string, max: number) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

export function formatListing(l: Listing, options: { readonly width?: number } = {}): string {
  const lines: string[] = [];
  const n = l.entries.length;
  const more = l.depth > n ? ` (showing the first ${n} of ${l.depth})` : '';
  lines.push(`${n} ${n === 1 ? 'message' : 'messages'} on ${l.queue}${more}`);
  if (n > 0) {
    const rows = [
      ['ID', 'CODE', 'SENDER', 'TRACKING ID', 'SIZE', 'WHEN', 'SEEN', 'TEXT'],
      ...l.entries.map((e) => {
        const { code, text } = reasonOf(e);
        return [
          e.id,
          code,
          e.sender ?? e.originalUser ?? '-',
          e.trackingId ?? '-',
          String(e.size),
          time(e.when),
          String(e.deliveryCount),
          oneLine(text, options.width ?? 80),
        ];
      }),
    ];
    lines.push(...table(rows));
    lines.push(
      '',
      'SEEN: times the broker has handed the entry out (each listing adds one). ' +
        '`itk-router quarantine show <id>` prints one in full.',
    );
  }
  if (l.refreshed > 0)
    lines.push(
      `${l.refreshed} worn ${l.refreshed === 1 ? 'entry was' : 'entries were'} copied afresh to the end of the queue`,
    );
  return lines.join('\n') + '\n';
}

const printable = (v: unknown): string => {
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'string') return v;
  return JSON.stringify(v, (_, x: unknown) =>
    x && typeof x === 'object' && (x as { type?: string }).type === 'Buffer'
      ? Buffer.from((x as { data: number[] }).data).toString('utf8')
      : x,
  );
};

/** Is `body` readable as UTF-8 text (no replacement characters, no NULs)? */
const isText = (body: Buffer) => {
  const s = body.toString('utf8');
  return !s.includes('\uFFFD') && !s.includes('\0');
};

export function formatEntry(e: ListedEntry): string {
  const { code, text } = reasonOf(e);
  const lines = [
    `id            ${e.id}`,
    `position      ${e.position}`,
    `code          ${code}`,
    `text          ${text}`,
    `sender        ${e.sender ?? '-'}`,
    `tracking id   ${e.trackingId ?? '-'}`,
    ...(e.originalUser ? [`user_id       ${e.originalUser}`] : []),
    `size          ${e.size} bytes`,
    `when          ${time(e.when)}`,
    `seen          ${e.deliveryCount}`,
    ...(e.deadLettered
      ? [`dead-lettered ${e.deadLettered.reason ?? '?'} from ${e.deadLettered.queue ?? '?'}`]
      : []),
    '',
    'headers:',
    ...Object.entries(e.headers).map(([k, v]) => `  ${k}: ${printable(v)}`),
    '',
  ];
  if (isText(e.body)) lines.push('body:', e.body.toString('utf8'));
  else
    lines.push(
      'body (not UTF-8 text; --raw writes the exact bytes), base64:',
      e.body.toString('base64'),
    );
  return lines.join('\n') + '\n';
}

/** JSON-safe form of an entry: the body as UTF-8 text when it is, else base64. */
export function entryJson(e: ListedEntry, withBody: boolean): Record<string, unknown> {
  const { body, headers, ...rest } = e;
  return {
    ...rest,
    reason: reasonOf(e),
    headers: JSON.parse(printable(headers)) as unknown,
    ...(withBody
      ? isText(body)
        ? { body: body.toString('utf8') }
        : { bodyBase64: body.toString('base64') }
      : {}),
  };
}

export function formatReplay(results: readonly ReplayResult[]): string {
  const lines = results.map((r) => {
    const what = `${r.id}${r.trackingId ? ` (${r.trackingId})` : ''}`;
    if (r.status === 'replayed') {
      const via = r.user ? `broker user ${r.user}` : 'through the web-service gateway';
      const as = r.senderEndpointId ? `${r.senderEndpointId}, ${via}` : via;
      const follow = `; follow it with: itk-router track ${r.trackAs}`;
      return `replayed ${what} as ${as}: on the router's inbound queue, removed from the quarantine${follow}`;
    }
    return `${r.status === 'refused' ? 'not replayed' : 'failed'} ${what}: ${r.reason} (left on the quarantine)`;
  });
  return lines.join('\n') + '\n';
}
