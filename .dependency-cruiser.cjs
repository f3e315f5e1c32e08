// Import rules of the project (ARCHITECTURE.md). Between the products: lesson/ uses the client (src/);
// the client knows neither the lesson nor the mock server; the mock server borrows only the client's
// HTML escaping; nothing in the product imports test code. Inside the mock server, from the top: the composition root
// (mock-server/main.ts, server.ts, app.ts) → instructor/ → routes/, views/ → http/ → handle/ →
// storage/ → vocabulary/ (the Handle words every layer shares: model, handle-names). data-folder/
// sits beside http/: the root and instructor/ use it, and it uses storage/, handle/, vocabulary/ and
// fixtures/ (the seed records, lowest with vocabulary/). Run: npm run lint (or npx depcruise mock-server src lesson --config .dependency-cruiser.cjs).
/** Folder under mock-server/ as a path pattern. */
const layer = (name) => `^mock-server/${name}/`;

/** `from` may not import any of `to`. */
function forbid(name, from, to, comment) {
  return { name, comment, severity: 'error', from: { path: from }, to: { path: to } };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle makes two modules one: split out what both need.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'sql-only-in-storage',
      comment: 'Only mock-server/storage talks to SQLite; everything else asks the store.',
      severity: 'error',
      from: { pathNot: '^mock-server/storage/' },
      to: { path: 'better-sqlite3' },
    },
    forbid(
      'no-import-of-the-composition-root',
      '^mock-server/.+/',
      '^mock-server/(main|server|app)\\.ts$',
      'main, server and app put the layers together; nothing below imports them.',
    ),
    forbid(
      'instructor-on-top',
      '^mock-server/(?!instructor/)[^/]+/',
      layer('instructor'),
      'The instructor features use the server; the server never calls up into them (pass a hook from the composition root instead).',
    ),
    forbid(
      'data-folder-only-for-root-and-instructor',
      '^mock-server/(routes|views|citations|http|handle|storage|vocabulary|fixtures)/',
      layer('data-folder'),
      'Paths, provisioning, certificates and credentials files are set up by the root and the instructor commands.',
    ),
    forbid('views-below-routes', layer('views'), layer('routes'), 'Routes render views; views do not know routes.'),
    forbid(
      'citations-beside-views',
      layer('citations'),
      '^mock-server/(routes|views|http|storage)/',
      'DOI content negotiation renders seed metadata for the resolver route; it knows no route, page, HTTP plumbing or store.',
    ),
    forbid(
      'http-below-routes-and-views',
      layer('http'),
      '^mock-server/(routes|views|citations)/',
      'HTTP plumbing does not know the pages or routes it serves.',
    ),
    forbid('handle-below-http', layer('handle'), '^mock-server/(http|routes|views|citations)/', 'The Handle rules know nothing of HTTP.'),
    forbid(
      'typed-below-http',
      layer('typed'),
      '^mock-server/(http|routes|views|handle|storage)/',
      'The registry and its validation know types and records, nothing of HTTP or storage.',
    ),
    forbid(
      'storage-below-handle',
      layer('storage'),
      '^mock-server/(handle|http|routes|views|citations|fixtures)/',
      'The store keeps values; it does not know the rules about them.',
    ),
    forbid(
      'vocabulary-lowest',
      '^mock-server/(vocabulary|fixtures)/',
      '^mock-server/(storage|handle|http|routes|views|citations|data-folder|instructor)/',
      'The shared Handle words and seed data import nothing of the server.',
    ),
    forbid(
      'client-knows-no-lesson-or-server',
      '^src/',
      '^(lesson|mock-server|deploy)/',
      'The client library is the bottom product: the lesson and the CLI build on it, never the other way round.',
    ),
    forbid(
      'lesson-on-the-client-only',
      '^lesson/',
      '^(mock-server|deploy)/',
      'Notebooks talk to a Handle server over HTTP only, so the lesson works against a real server too.',
    ),
    {
      name: 'server-borrows-only-escaping',
      comment:
        "The mock server and the client share one HTML escape; the class board also shows the client's hint for a failed reply (src/transport/reply.ts, pure), so instructor and trainee read one text. Nothing else of the client is the server's business.",
      severity: 'error',
      from: { path: '^mock-server/', pathNot: '^mock-server/instructor/class-progress/client-hint\\.ts$' },
      to: { path: '^src/', pathNot: '^src/record-view/escape\\.ts$' },
    },
    {
      name: 'only-the-hint-from-the-client-transport',
      comment: "The board's hint module reads the client's reply mapping and nothing else of the client.",
      severity: 'error',
      from: { path: '^mock-server/instructor/class-progress/client-hint\\.ts$' },
      to: { path: '^src/', pathNot: '^src/transport/reply\\.ts$' },
    },
    {
      name: 'product-not-on-tests',
      comment: "The product never imports test code (the lesson's build tools may use the bench's timer).",
      severity: 'error',
      from: { path: '^(mock-server|src|lesson)/', pathNot: '^lesson/tools/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.cjs', '.json'],
    },
  },
};
