/**
 * The stock routes (routes/*.yaml), copied for the demo with one change: each end point's broker
 * identity becomes the demo's own user for it, as broker user names are broker-wide and the demo
 * must not touch users it did not make.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMap, parseDocument } from 'yaml';

/** Copies every route file; returns the end point ids found. */
export function writeDemoRoutes(
  from: string,
  to: string,
  userFor: (endpointId: string) => string,
): string[] {
  fs.mkdirSync(to, { recursive: true });
  const ids: string[] = [];
  for (const file of fs.readdirSync(from).filter((f) => f.endsWith('.yaml'))) {
    const doc = parseDocument(fs.readFileSync(path.join(from, file), 'utf8'));
    const endpoints = doc.get('endpoints');
    if (isMap(endpoints)) {
      for (const item of endpoints.items) {
        const id = String((item.key as { value?: unknown } | null)?.value ?? item.key);
        doc.setIn(['endpoints', id, 'identities'], [userFor(id)]);
        ids.push(id);
      }
    }
    fs.writeFileSync(path.join(to, file), doc.toString());
  }
  return ids;
}
