import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion and returns its output, whatever its exit code. */
export async function run(command: string, args: readonly string[], cwd?: string): Promise<RunResult> {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** Like `run`, but a non-zero exit is an error naming the command and its stderr. */
export async function runOrThrow(command: string, args: readonly string[]): Promise<string> {
  const result = await run(command, args);
  if (result.code !== 0) {
    throw new Error(`${[command, ...args].join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}

/** Fails loudly, naming the Debian packages, when a binary the tests need is missing. */
export async function requireBinaries(binaries: Readonly<Record<string, string>>): Promise<void> {
  const missing: string[] = [];
  for (const [binary, debianPackage] of Object.entries(binaries)) {
    const { code } = await run('sh', ['-c', `command -v ${binary}`]);
    if (code !== 0) missing.push(`${binary} (apt-get install -y ${debianPackage})`);
  }
  if (missing.length > 0) throw new Error(`missing binaries the dial tests need: ${missing.join(', ')}`);
}

/** A long-running process with its output kept for waiting on and for failure messages. */
export class ServerProcess {
  private output = '';
  private readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => {
      // Enough of the log to diagnose a failure, without growing forever.
      this.output = (this.output + chunk.toString()).slice(-64_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', (err) => (this.output += `\n${err.message}\n`));
    this.exited = once(child, 'exit').then(
      ([code]) => code as number | null,
      () => null,
    );
  }

  static start(
    name: string,
    command: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv = process.env,
  ): ServerProcess {
    return new ServerProcess(name, spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env }));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  logTail(): string {
    return this.output.slice(-2000);
  }

  /** Everything it wrote (the last 64,000 characters). */
  text(): string {
    return this.output;
  }

  /** Its exit code (null when killed by a signal), or an error after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.name} still running after ${timeoutMs} ms:\n${this.logTail()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends `signal` (SIGTERM by default) and nothing else. */
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.child.kill(signal);
  }

  /** Waits until the log matches `pattern`; fails on exit or after `timeoutMs` with the log tail. */
  async waitForLog(pattern: RegExp, timeoutMs: number): Promise<void> {
    const startedAt = Date.now();
    while (!pattern.test(this.output)) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(
          `${this.name} exited (${this.child.exitCode ?? this.child.signalCode}) before ${pattern}:\n${this.logTail()}`,
        );
      }
      if (Date.now() - startedAt > timeoutMs) {
        throw new Error(`${this.name} did not log ${pattern} within ${timeoutMs} ms:\n${this.logTail()}`);
      }
      await delay(50);
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.child.pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null)
      return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns true; fails after `timeoutMs` saying what was awaited. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const startedAt = Date.now();
  while (!(await probe())) {
    if (Date.now() - startedAt > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await delay(200);
  }
}
