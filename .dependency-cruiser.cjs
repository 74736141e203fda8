/**
 * The layer check (docs/architecture.md): no cycles, and each folder of src/ imports only the
 * folders below it. `npm run check:layers` runs it; `npm run check` includes it.
 */
// Lowest first. A folder may import its own files and any folder listed before it, never after.
const layers = [
  ['base'],
  ['snapshot'],
  ['model'],
  ['requirements', 'placement'],
  ['reachability'],
  ['analyze'],
  ['remediate'],
  ['questions'],
  ['live'],
  ['report'],
  ['monitor'],
  ['cli'],
];
// The library face re-exports the layers below the CLI.
const face = ['index.ts'];

const above = (i) => layers.slice(i + 1).flat();
const peers = (i, name) => layers[i].filter((other) => other !== name);

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle ties two modules into one: break it by moving the shared part down a layer.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...layers.flatMap((group, i) =>
      group.map((name) => ({
        name: `layer-${name}`,
        severity: 'error',
        comment: `src/${name}/ may import only the layers below it (docs/architecture.md).`,
        from: { path: `^src/${name}/` },
        to: {
          path: `^src/(${[...above(i), ...peers(i, name)].join('|')}|${face.join('|').replace('.', '\\.')})(/|$)`,
        },
      })),
    ),
    {
      name: 'no-io-in-the-core',
      severity: 'error',
      comment:
        'The pure core never does I/O: sockets, files, processes, SDKs and clients live in live/ and cli/.',
      from: {
        path: '^src/(base|model|requirements|placement|reachability|analyze|remediate|questions|report|monitor)/',
      },
      to: {
        dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
        path: '^(node:)?(fs|fs/promises|net|dns|child_process|http|https|http2|tls|dgram|readline|worker_threads)$|^@aws-sdk/|^@kubernetes/|^@nats-io/|^nats$',
      },
    },
    {
      name: 'snapshot-reads-files-only-in-load',
      severity: 'error',
      comment: 'snapshot/ parses pure data; reading the directory is load.ts alone.',
      from: { path: '^src/snapshot/', pathNot: '^src/snapshot/load\\.ts$' },
      to: {
        dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
        path: '^(node:)?(fs|fs/promises|net|dns|child_process|http|https)$|^@aws-sdk/|^@kubernetes/|^@nats-io/',
      },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
    enhancedResolveOptions: {
      conditionNames: ['import', 'require', 'node', 'default'],
      exportsFields: ['exports'],
    },
  },
};
