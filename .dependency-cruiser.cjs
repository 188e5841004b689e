// The dependency rules of server/ (issue 11; docs/ARCHITECTURE.md draws them). Run: npm run lint:deps.
// A module imports only from its own layer's module or lower layers, and from another module only
// through its index.ts; nothing is circular; type-only imports count (tsPreCompilationDeps). Test
// files may import anything in server/ and test/; production code never imports test/.

/** Lowest first. A route file (*.routes.ts) is http (layer 11) wherever it sits. */
const LAYERS = [
  ['shared'],
  ['db'],
  ['jobs', 'scim', 'insights', 'notifications'],
  ['auth'],
  ['directory'],
  ['accounts'],
  ['applications'],
  ['integrations'],
  ['imports', 'provisioning', 'inbound'],
  ['commands'],
  ['http'],
  // The app: server/*.ts at the top of server/ (app, server, main, deps, workers, maintenance, config) and the CLI.
  ['cli'],
];

const TEST = '(\\.test\\.ts$|^server/provisioning/testing\\.ts$|^server/scim/testing\\.ts$|^server/jobs/test-fixtures/)';
const ROUTES = '\\.routes\\.ts$';
const APP_FILES = '^server/[^/]+\\.ts$';
const folder = (names) => `^server/(${names.join('|')})/`;
const layerOf = (i) => LAYERS[i];
const above = (i) => LAYERS.slice(i + 1).flat();

// Upward imports: from a module of layer i to any module of a higher layer, to a route file, or to the app.
const upward = LAYERS.slice(0, 10).map((names, i) => ({
  name: `no-upward-from-${names.join('-')}`,
  comment: `Layer ${i + 1} (${names.join(', ')}) imports only from its own layer or below.`,
  severity: 'error',
  from: { path: folder(layerOf(i)), pathNot: [TEST, ROUTES] },
  to: { path: [folder(above(i)), ROUTES, APP_FILES] },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Nothing is circular, type-only imports included.',
      severity: 'error',
      from: { path: '^server/' },
      to: { circular: true },
    },
    {
      name: 'only-through-index',
      comment:
        'Another module is imported only through its index.ts. shared/ and db/ are toolkits of small files with no index; ' +
        "http/'s adapters have none yet.",
      severity: 'error',
      from: { path: '^server/([^/]+)/', pathNot: TEST },
      to: { path: '^server/[^/]+/', pathNot: ['^server/$1/', '^server/[^/]+/index\\.ts$', '^server/(shared|db|http)/'] },
    },
    ...upward,
    {
      name: 'no-upward-from-http',
      comment: 'Routes and http adapters (layer 11) do not import the app (layer 12).',
      severity: 'error',
      from: { path: [ROUTES, '^server/http/'], pathNot: TEST },
      to: { path: [APP_FILES, folder(['cli'])], pathNot: '^server/deps\\.ts$', dependencyTypesNot: [] },
    },
    {
      name: 'no-test-code-in-production',
      comment: 'Production code never imports test/ or test files.',
      severity: 'error',
      from: { path: '^server/', pathNot: TEST },
      to: { path: ['^test/', TEST] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^server/db/migrations/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6'],
  },
};
