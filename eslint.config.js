import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', 'tmp/**', 'dist/**'] },
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
      'src/snapshot/parse.ts',
      'src/snapshot/schemas.ts',
      'src/snapshot/types.ts',
      'src/net/**/*.ts',
      'src/analyze/**/*.ts',
      'src/policy/**/*.ts',
      'src/snapshot/collect/redact.ts',
      'src/snapshot/collect/json.ts',
      'src/model/**/*.ts',
      'src/requirements/**/*.ts',
      'src/reachability/**/*.ts',
      'src/remediate/**/*.ts',
      'src/placement/**/*.ts',
      'src/diagnose/**/*.ts',
      'src/diff/**/*.ts',
      'src/report/**/*.ts',
      'src/probe/plan.ts',
      'src/probe/results.ts',
      'src/probe/report.ts',
    ],
    // fix --apply's one EC2 edge; the rest of src/remediate/apply/ stays pure.
    ignores: ['src/remediate/apply/ec2.ts'],
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
