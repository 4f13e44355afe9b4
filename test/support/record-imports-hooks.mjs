// Module resolve hook of record-imports.mjs (runs on the loader's thread).
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (process.env.RECORD_IMPORTS_TO)
    appendFileSync(process.env.RECORD_IMPORTS_TO, `${result.url}\n`);
  return result;
}
