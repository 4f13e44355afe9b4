/**
 * The architecture, as a rule CI enforces (`npm run lint:deps`, part of `npm run lint`).
 * docs/design.md draws the same picture.
 *
 * - src/router/ is the runtime, its folders numbered in the order a message travels; a folder
 *   imports only folders before it (so no folder cycle is possible), main.ts imports them all.
 * - src/tools/ (cli, demo, harness, …) use the runtime; the runtime never imports a tool.
 * - The pure steps (envelope, validation, routing, care-plan rules, acks) import no adapter.
 * - amqplib only in 02-transport; better-sqlite3 and pg only in 08-store.
 * - No import cycle between files anywhere in src/.
 */
const RUNTIME = [
  '00-common',
  '01-config',
  '02-transport',
  '03-envelope',
  '04-validation',
  '05-routing',
  '06-careplans',
  '07-delivery',
  '08-store',
  '09-pipeline',
  '10-ops',
  '11-web-services',
];
// The tools, in the same spirit: each imports only tools before it (cli, the commands, is last).
const TOOLS = ['sandbox', 'provision', 'simulator', 'quarantine', 'harness', 'demo', 'cli'];

const layered = (root, folders, name, comment) =>
  folders.slice(0, -1).map((folder, i) => ({
    name,
    comment,
    severity: 'error',
    from: { path: `^${root}/${folder}/` },
    to: { path: `^${root}/(${folders.slice(i + 1).join('|')})/|^${root}/main\\.ts$` },
  }));

const PURE_STEPS = '^src/router/(03-envelope|04-validation|05-routing|06-careplans)/';
const ACKS = '^src/router/07-delivery/(?!outbound\\.ts$)';
const ADAPTERS =
  '^src/router/(02-transport|08-store|10-ops)/|^(node:)?https?$|node_modules/fastify/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'Files import each other in a loop: break it (move the shared part down a level).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...layered(
      'src/router',
      RUNTIME,
      'runtime-flow',
      'A runtime folder imports only folders before it in the flow (a step never calls back up).',
    ),
    ...layered('src/tools', TOOLS, 'tools-order', 'A tool imports only the tools before it.'),
    {
      name: 'runtime-uses-no-tool',
      comment:
        'The runtime (what `itk-router start` runs) never imports a tool, a test or a bench.',
      severity: 'error',
      from: { path: '^src/router/' },
      to: { path: '^(src/tools|test|bench)/' },
    },
    {
      name: 'pure-steps-no-adapter',
      comment:
        'Envelope, validation, routing, care-plan rules and acks are pure: no broker, store or HTTP.',
      severity: 'error',
      from: { path: [PURE_STEPS, ACKS] },
      to: { path: ADAPTERS },
    },
    {
      name: 'amqplib-only-in-transport',
      comment:
        'Only src/router/02-transport talks to amqplib; everything else uses its interfaces.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/router/02-transport/' },
      to: { path: '(^|/)node_modules/(@types/)?amqplib/' },
    },
    {
      name: 'databases-only-in-store',
      comment: 'Only src/router/08-store talks to better-sqlite3 and pg.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/router/08-store/' },
      to: { path: '(^|/)node_modules/(@types/)?(better-sqlite3|pg|pg-pool)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
