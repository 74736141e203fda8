import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', 'tmp/**'] },
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
    files: [
      'src/snapshot/model/**/*.ts',
      'src/model/**/*.ts',
      'src/requirements/**/*.ts',
      'src/reachability/**/*.ts',
      'src/remediate/**/*.ts',
      'src/placement/**/*.ts',
      'src/report/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', '@kubernetes/*', 'nats', '@nats-io/*'],
              message: 'I/O belongs at the edges.',
            },
            {
              group: ['node:fs', 'node:fs/*', 'node:net', 'node:dns', 'node:child_process', 'fs', 'net'],
              message: 'I/O belongs at the edges.',
            },
          ],
        },
      ],
    },
  },
);
