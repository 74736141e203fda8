import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinaries, run, runOrThrow, ServerProcess } from './processes.ts';

/**
 * Addresses inside a lab (198.18.0.0/15, reserved for benchmarks, never routed off the machine).
 * They live only inside the lab's own namespaces, so every lab can use the same ones.
 */
export const LAB_ADDRESS = {
  client: '198.18.0.1',
  /** Server address that accepts everything. */
  open: '198.18.0.2',
  /** Server address whose TCP is DROPped: a security group without the rule. */
  dropped: '198.18.0.3',
  /** Server address whose TCP is REJECTed with a reset. */
  rejected: '198.18.0.4',
  /** In 198.18.0.0/15 but outside the lab's /24: the client has no route to it. */
  unrouted: '198.19.255.254',
} as const;

const PREFIX_LENGTH = 24;
/** Every lab namespace is named `dnc-<tag>-<pid>-<role>`, so leftovers of dead runs can be found. */
const NAMESPACE_PATTERN = /^dnc-[a-z0-9-]+-(\d+)-(client|server)$/;

export const DIAL_TEST_BINARIES = {
  ip: 'iproute2',
  iptables: 'iptables',
  'nats-server': 'nats-server',
  prometheus: 'prometheus',
  etcd: 'etcd-server',
} as const;

/**
 * Two network namespaces joined by a veth pair — nothing is added to the root namespace. Servers
 * run in `server`, where iptables stands in for a security group; dials run in `client`.
 * Everything the lab starts is undone by `close()`, in reverse order, even after a failure.
 */
export class Lab {
  readonly client: string;
  readonly server: string;
  private readonly cleanups: Array<{ what: string; undo: () => Promise<unknown> }> = [];

  private constructor(tag: string) {
    this.client = `dnc-${tag}-${process.pid}-client`;
    this.server = `dnc-${tag}-${process.pid}-server`;
  }

  /** Builds the lab; if any step fails, whatever was built is torn down before the error surfaces. */
  static async create(tag: string): Promise<Lab> {
    await requireBinaries(DIAL_TEST_BINARIES);
    await sweepLeftovers();
    const lab = new Lab(tag);
    try {
      await lab.build();
      return lab;
    } catch (err) {
      await lab.close().catch(() => undefined);
      throw err;
    }
  }

  private async build(): Promise<void> {
    for (const namespace of [this.client, this.server]) {
      this.defer(`delete namespace ${namespace}`, () => deleteNamespace(namespace));
      await ip(`netns add ${namespace}`).catch((err: Error) => {
        throw new Error(`${err.message}\n(network namespaces need root: CAP_SYS_ADMIN and CAP_NET_ADMIN)`);
      });
      await ip(`-n ${namespace} link set lo up`);
    }
    // Created directly inside the namespaces, so interface names cannot clash between labs.
    await ip(`link add veth-c netns ${this.client} type veth peer name veth-s netns ${this.server}`);
    await ip(`-n ${this.client} addr add ${LAB_ADDRESS.client}/${PREFIX_LENGTH} dev veth-c`);
    for (const address of [LAB_ADDRESS.open, LAB_ADDRESS.dropped, LAB_ADDRESS.rejected]) {
      await ip(`-n ${this.server} addr add ${address}/${PREFIX_LENGTH} dev veth-s`);
    }
    await ip(`-n ${this.client} link set veth-c up`);
    await ip(`-n ${this.server} link set veth-s up`);
    await this.iptables(`-A INPUT -d ${LAB_ADDRESS.dropped} -p tcp -j DROP`);
    await this.iptables(`-A INPUT -d ${LAB_ADDRESS.rejected} -p tcp -j REJECT --reject-with tcp-reset`);
  }

  /** An iptables rule, written as on the command line, inside the server namespace. */
  async iptables(rule: string): Promise<void> {
    await runOrThrow('ip', ['netns', 'exec', this.server, 'iptables', ...words(rule)]);
  }

  /** Starts a long-running process in the server namespace; stopped by `close()`. */
  startInServer(name: string, command: string, args: readonly string[]): ServerProcess {
    // `ip netns exec` execs the command, so the child is the server itself and signals reach it.
    const server = ServerProcess.start(name, 'ip', ['netns', 'exec', this.server, command, ...args]);
    this.defer(`stop ${name}`, () => server.stop());
    return server;
  }

  /** Runs a command to completion in the client namespace; a non-zero exit is returned, not thrown. */
  runInClient(command: string, args: readonly string[], cwd?: string): ReturnType<typeof run> {
    return run('ip', ['netns', 'exec', this.client, command, ...args], cwd);
  }

  /** A fresh temporary directory, removed by `close()`. */
  async tempDir(name: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `dnc-${name}-`));
    this.defer(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  /** Registers an undo step; `close()` runs them last-in, first-out. */
  defer(what: string, undo: () => Promise<unknown>): void {
    this.cleanups.push({ what, undo });
  }

  /** Undoes everything, continuing past failures, then reports all of them at once. */
  async close(): Promise<void> {
    const failures: string[] = [];
    for (const { what, undo } of this.cleanups.splice(0).reverse()) {
      try {
        await undo();
      } catch (err) {
        failures.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (failures.length > 0) throw new Error(`lab cleanup failed:\n${failures.join('\n')}`);
  }
}

/** An `ip` command line; every argument here is free of spaces. */
function ip(commandLine: string): Promise<string> {
  return runOrThrow('ip', words(commandLine));
}

function words(commandLine: string): string[] {
  return commandLine.split(/\s+/).filter(Boolean);
}

/** Kills whatever still runs in the namespace (else it outlives `ip netns del`), then deletes it. */
async function deleteNamespace(namespace: string): Promise<void> {
  const pids = await run('ip', ['netns', 'pids', namespace]);
  for (const pid of pids.stdout.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  const result = await run('ip', ['netns', 'del', namespace]);
  if (result.code !== 0 && !/No such file/.test(result.stderr)) {
    throw new Error(`ip netns del ${namespace}: ${result.stderr.trim()}`);
  }
}

/** Deletes lab namespaces whose test process died without cleaning up (e.g. SIGKILL). */
async function sweepLeftovers(): Promise<void> {
  const listing = await runOrThrow('ip', ['netns', 'list']);
  for (const name of listing.split('\n').map((line) => line.split(' ')[0] ?? '')) {
    const owner = NAMESPACE_PATTERN.exec(name)?.[1];
    if (owner !== undefined && !isAlive(Number(owner))) await deleteNamespace(name);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
