// `node --import <this file>`: writes the URL of every module the process resolves through the
// ES module loader to the file named by RECORD_IMPORTS_TO, one per line, so a test can tell what
// a child process loaded (test/integration/tracing-process.test.ts).
import { register } from 'node:module';

register(new URL('./record-imports-hooks.mjs', import.meta.url));
