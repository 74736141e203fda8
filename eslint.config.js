import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'coverage/**',
      'tmp/**',
      'dist/**',
      'reports/**',
      '.stryker-tmp/**',
      '.stryker-tests/**',
      '.dependency-cruiser.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The core stays pure: no SDKs, Kubernetes client, sockets or file system.
    files: ['src/**/*.ts'],
    // The edges: reading the snapshot directory, the network (live/) and the command line (cli/).
    ignores: ['src/snapshot/load.ts', 'src/live/**', 'src/cli/**', 'src/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['fs', 'fs/promises', 'net', 'dns', 'child_process', 'http', 'https'].flatMap((m) => [
            { name: m, message: 'I/O belongs at the edges.' },
            { name: `node:${m}`, message: 'I/O belongs at the edges.' },
          ]),
          patterns: [
            {
              group: ['@aws-sdk/*', '@kubernetes/*', 'nats', '@nats-io/*'],
              message: 'I/O belongs at the edges.',
            },
          ],
        },
      ],
    },
  },
);
