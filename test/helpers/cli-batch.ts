/**
 * Runs several command lines through the CLI's entry point in one process
 * (test/report/cli-batch.ts: one tsx start instead of one per run).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

export interface BatchRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCliBatch(argvs: readonly (readonly string[])[]): BatchRun[] {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'test/report/cli-batch.ts', JSON.stringify(argvs)],
    {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as BatchRun[];
}
