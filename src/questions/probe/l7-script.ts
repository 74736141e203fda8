/**
 * `probe --l7` with the stock busybox image: a shell script that speaks each service's protocol
 * with busybox `nc`, `wget` and `timeout`, and the parser that turns what it printed into the
 * checks `dial` makes (tcp, nats, jetstream, prometheus-ready, prometheus-query, etcd-health).
 * Pure: the script is text, the log is text.
 *
 * NATS (https://docs.nats.io/reference/protocols/client): the server opens with `INFO {json}`;
 * the client sends `CONNECT {json}`, subscribes an inbox, publishes an empty request to
 * `$JS.API.INFO` with that inbox as reply subject, and sends `PING`. A JetStream server answers
 * with a `MSG` whose payload is `{"type":"io.nats.jetstream.api.v1.account_info_response",…}`;
 * without JetStream nobody listens on `$JS.API.INFO`, and a 2.2+ server told
 * `"headers":true,"no_responders":true` in CONNECT says so with an `HMSG` whose header block
 * starts `NATS/1.0 503` (newer servers add a `Nats-Subject` header, nats-io/nats-server#5250),
 * or answers nothing. `PONG` proves the server read
 * everything before it; the JetStream API answers from its own goroutine, possibly after the PONG,
 * so the script keeps the connection open for one timeout. Prometheus: `GET /-/ready` (200 when
 * ready), then the instant query `vector(1)` (`/api/v1/query`, one series from any working query
 * engine). etcd: `GET /health` (`{"health":"true"}`).
 *
 * Works with both busybox `nc` builds: Debian's small one (`nc [-w N] HOST PORT`, -w the connect
 * timeout) and the full one of the busybox image (networking/nc_bloaty.c: -w also bounds the final
 * reads; it reports a refusal only with -vv, so the script passes -vv when `nc --help` lists -z).
 * Both half-close the connection at the end of their input and exit once the server closes it
 * (the full one since busybox 1.22), so a NATS conversation ends one timeout after it starts.
 * `timeout` bounds every command, whichever nc it is.
 */
import { shellQuote } from '../../base/shell.ts';
import { classifyNc, type LiveOutcome, type LiveResult } from './outcome.ts';

/** What the script needs of a probe target (plan.ts's L7Target has these). */
export interface L7Target {
  /** `t<index>`: the key results are reported under. */
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly via?: 'pod' | 'service' | 'listener';
}

/** What the script asks a target, by port as `dial` decides; a stand-in listener speaks no protocol. */
export type L7Kind = 'nats' | 'prometheus' | 'etcd' | 'tcp';

export function l7Kind(target: Pick<L7Target, 'port' | 'via'>): L7Kind {
  if (target.via === 'listener') return 'tcp';
  if (target.port === 4222) return 'nats';
  if (target.port === 9090) return 'prometheus';
  if (target.port === 2379) return 'etcd';
  return 'tcp';
}

/** Marks the lines the parser reads: `DNC-L7 <step> rc|err|out <text>`. */
export const L7_PREFIX = 'DNC-L7';
/** The inbox the JetStream answer comes back on. */
const INBOX = '_INBOX.dnc';
/** The query Prometheus answers with exactly one series whatever it scrapes. */
export const PROMETHEUS_QUERY = 'vector(1)';
/** What is kept of each command's output (a hostile server could send without end). */
const MAX_BYTES = 65536;

/** The client's half of the NATS conversation, with `\r\n` as printf %b escapes. */
export function natsRequest(): string {
  const connect = JSON.stringify({
    verbose: false,
    pedantic: false,
    headers: true,
    no_responders: true,
    name: 'dynamo-netcheck',
  });
  return [`CONNECT ${connect}`, `SUB ${INBOX} 1`, `PUB $JS.API.INFO ${INBOX} 0`, '', 'PING', ''].join(
    '\\r\\n',
  );
}

function hostPort(target: Pick<L7Target, 'host' | 'port'>): string {
  return `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
}

export function l7Urls(target: Pick<L7Target, 'host' | 'port'>): {
  ready: string;
  query: string;
  health: string;
} {
  const base = `http://${hostPort(target)}`;
  return {
    ready: `${base}/-/ready`,
    query: `${base}/api/v1/query?query=${encodeURIComponent(PROMETHEUS_QUERY)}`,
    health: `${base}/health`,
  };
}

/**
 * One background job per target, each writing its own files, printed in order once all are done
 * (no two jobs' lines interleave); every output line carries its step's id, so what a server sends
 * can only ever be read as that server's answer.
 */
export function l7Script(targets: readonly L7Target[], timeoutSeconds: number): string {
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1)
    throw new Error(`timeout ${timeoutSeconds}: whole seconds, at least 1`);
  const t = timeoutSeconds;
  // nc's own -w bounds the connect; the outer bound covers a full nc waiting out its final reads.
  const bound = 2 * t + 1;
  const q = shellQuote;
  const lines = [
    `d=$(mktemp -d) || { echo "${L7_PREFIX} - err cannot create a temporary directory"; exit 1; }`,
    // The image's full nc names refusals only with -vv; Debian's small nc takes no -v at all.
    `v=; if nc --help 2>&1 | grep -q -- -z; then v=-vv; fi`,
    `n() { { printf '%b' "$4"; sleep ${t}; } | timeout ${bound} nc $v -w ${t} "$2" "$3" >"$d/$1.o" 2>"$d/$1.e"; echo $? >"$d/$1.r"; }`,
    `p() { timeout ${bound} nc $v -w ${t} "$2" "$3" </dev/null >"$d/$1.o" 2>"$d/$1.e"; echo $? >"$d/$1.r"; }`,
    `h() { timeout ${t} wget -q -S -O - "$2" >"$d/$1.o" 2>"$d/$1.e"; r=$?; echo $r >"$d/$1.r"; return $r; }`,
    ...targets.map((target) => {
      const host = q(hostWord(target.host));
      const urls = l7Urls(target);
      switch (l7Kind(target)) {
        case 'nats':
          return `n ${target.id} ${host} ${target.port} ${q(natsRequest())} &`;
        case 'prometheus':
          return `{ h ${target.id}-ready ${q(urls.ready)} && h ${target.id}-query ${q(urls.query)}; } &`;
        case 'etcd':
          return `h ${target.id} ${q(urls.health)} &`;
        case 'tcp':
          return `p ${target.id} ${host} ${target.port} &`;
      }
    }),
    'wait',
    `for f in "$d"/*.r; do`,
    `  [ -f "$f" ] || continue; i=\${f##*/}; i=\${i%.r}`,
    `  echo "${L7_PREFIX} $i rc $(cat "$f")"`,
    `  head -c ${MAX_BYTES} "$d/$i.e" | tr -d '\\r' | sed "s/^/${L7_PREFIX} $i err /"; echo`,
    `  head -c ${MAX_BYTES} "$d/$i.o" | tr -d '\\r' | sed "s/^/${L7_PREFIX} $i out /"; echo`,
    'done',
    'rm -rf "$d"',
  ];
  return `${lines.join('\n')}\n`;
}

/** Hosts are pod IPs and Service names; anything else has no business in a probe's script. */
function hostWord(host: string): string {
  if (!/^[A-Za-z0-9.:_-]+$/.test(host)) throw new Error(`unsafe host name for a probe: ${host}`);
  return host;
}

// --- Reading the log ---------------------------------------------------------------------------

/** What one command of the script left: its exit status, its standard error and output lines. */
interface Capture {
  rc?: number;
  readonly err: string[];
  readonly out: string[];
}

/** A check as `dial -o json` reports it. */
export interface L7Check {
  readonly name: 'tcp' | 'nats' | 'jetstream' | 'prometheus-ready' | 'prometheus-query' | 'etcd-health';
  readonly status: 'pass' | 'fail';
  readonly outcome: string;
  readonly message: string;
}

function captures(log: string): Map<string, Capture> {
  const out = new Map<string, Capture>();
  const line = new RegExp(`^${L7_PREFIX} (t\\d+(?:-ready|-query)?) (rc|err|out)(?: (.*))?$`);
  for (const raw of log.split('\n')) {
    const match = line.exec(raw);
    if (!match) continue;
    const id = match[1]!;
    const capture = out.get(id) ?? { err: [], out: [] };
    out.set(id, capture);
    const text = match[3] ?? '';
    if (match[2] === 'rc') capture.rc = /^\d+$/.test(text) ? Number(text) : undefined;
    else capture[match[2] as 'err' | 'out'].push(text);
  }
  return out;
}

/** `timeout` ends a command with 124 (GNU) or 128+SIGTERM (busybox). */
const TIMED_OUT = new Set([124, 143]);

/** The TCP check of a command: `answered` says the server spoke, whatever the exit status. */
function tcpCheck(capture: Capture | undefined, answered: boolean, timeoutSeconds: number): L7Check {
  if (answered) return { name: 'tcp', status: 'pass', outcome: 'connected', message: 'connected' };
  const words = (capture?.err ?? [])
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  if (capture?.rc === 0 || /\bopen\b/.test(words))
    return { name: 'tcp', status: 'pass', outcome: 'connected', message: words || 'connected' };
  let outcome: LiveOutcome = classifyNc(false, words);
  if (outcome === 'failed' && capture?.rc !== undefined && TIMED_OUT.has(capture.rc)) outcome = 'timed-out';
  const message =
    outcome === 'timed-out' && !/timed out/i.test(words)
      ? `timed out after ${timeoutSeconds} s${words ? ` (${words})` : ''}`
      : words || (capture ? 'no answer' : 'the probe printed nothing for this target');
  return { name: 'tcp', status: 'fail', outcome, message };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function natsChecks(target: L7Target, capture: Capture | undefined, timeoutSeconds: number): L7Check[] {
  const url = `nats://${hostPort(target)}`;
  const out = capture?.out ?? [];
  const tcp = tcpCheck(
    capture,
    out.some((l) => l !== ''),
    timeoutSeconds,
  );
  if (tcp.status === 'fail') return [tcp];
  const handshakeFailed = (detail: string): L7Check[] => [
    tcp,
    {
      name: 'nats',
      status: 'fail',
      outcome: 'handshake-failed',
      message: `${url} accepts TCP but the NATS handshake failed (${detail}): is this the NATS client port?`,
    },
  ];
  const first = out.find((l) => l !== '');
  if (first === undefined) return handshakeFailed(`no NATS INFO within ${timeoutSeconds} s`);
  const info = /^INFO\s+(\{.*\})\s*$/.exec(first)?.[1];
  const parsed = info === undefined ? undefined : parseJson(info);
  if (!isRecord(parsed) || typeof parsed.version !== 'string')
    return handshakeFailed(`not a NATS server: it sent "${first.slice(0, 80)}"`);
  const error = out.find((l) => l.startsWith('-ERR'));
  if (error) return handshakeFailed(error.slice(0, 200));
  const server: L7Check = {
    name: 'nats',
    status: 'pass',
    outcome: 'connected',
    message: `NATS server ${parsed.version} at ${url} accepted the client`,
  };
  return [tcp, server, jetstreamCheck(out)];
}

const NOT_AVAILABLE =
  'JetStream not available: the NATS server is up but runs without JetStream (nats-server -js) or not for this account; Dynamo 1.2 needs it';

function jetstreamCheck(out: readonly string[]): L7Check {
  const notAvailable = (why: string): L7Check => ({
    name: 'jetstream',
    status: 'fail',
    outcome: 'jetstream-not-available',
    message: `${NOT_AVAILABLE} (${why})`,
  });
  const reply = out.findIndex((l) => new RegExp(`^H?MSG ${INBOX.replace('.', '\\.')} 1 `).test(l));
  if (reply >= 0) {
    if (out[reply]!.startsWith('HMSG')) {
      const status = out[reply + 1] ?? '';
      if (/^NATS\/1\.0 503\b/.test(status)) return notAvailable('no responders on $JS.API.INFO');
      return {
        name: 'jetstream',
        status: 'fail',
        outcome: 'error',
        message: `JetStream account info failed: ${status}`,
      };
    }
    const body = parseJson(out[reply + 1] ?? '');
    if (isRecord(body) && body.type === 'io.nats.jetstream.api.v1.account_info_response') {
      const error = body.error;
      if (isRecord(error)) {
        // 10039: "jetstream not enabled for account"; 503 without it: JetStream not enabled.
        if (error.err_code === 10039 || error.code === 503)
          return notAvailable(String(error.description ?? ''));
        return {
          name: 'jetstream',
          status: 'fail',
          outcome: 'error',
          message: `JetStream account info failed: ${String(error.description ?? error.code)}`,
        };
      }
      return {
        name: 'jetstream',
        status: 'pass',
        outcome: 'jetstream-available',
        message: `JetStream available (${typeof body.streams === 'number' ? body.streams : '?'} streams in this account)`,
      };
    }
    return {
      name: 'jetstream',
      status: 'fail',
      outcome: 'error',
      message: `JetStream account info failed: not an account info answer: ${(out[reply + 1] ?? '').slice(0, 80)}`,
    };
  }
  if (out.includes('PONG')) return notAvailable('nothing answered $JS.API.INFO');
  return {
    name: 'jetstream',
    status: 'fail',
    outcome: 'error',
    message: 'JetStream account info failed: no PONG',
  };
}

/** The status line busybox wget -S prints (`  HTTP/1.1 200 OK`), the last one after redirects. */
function httpStatus(capture: Capture | undefined): { code: number; line: string } | undefined {
  const lines = (capture?.err ?? []).flatMap((l) => {
    const m = /^\s*(HTTP\/\d(?:\.\d)? (\d{3})\b.*)$/.exec(l);
    return m ? [{ code: Number(m[2]), line: m[1]!.trim() }] : [];
  });
  return lines.at(-1);
}

function prometheusChecks(
  target: L7Target,
  ready: Capture | undefined,
  query: Capture | undefined,
  timeoutSeconds: number,
): L7Check[] {
  const url = `http://${hostPort(target)}`;
  const status = httpStatus(ready);
  const tcp = tcpCheck(ready, status !== undefined, timeoutSeconds);
  if (tcp.status === 'fail') return [tcp];
  if (!status || status.code !== 200)
    return [
      tcp,
      {
        name: 'prometheus-ready',
        status: 'fail',
        outcome: 'not-ready',
        message: `Prometheus at ${url} answers but is not ready (${status?.line ?? (ready?.err.join(' ').trim() || 'no HTTP status')})`,
      },
    ];
  const readyCheck: L7Check = {
    name: 'prometheus-ready',
    status: 'pass',
    outcome: 'ready',
    message: `Prometheus at ${url} is ready`,
  };
  return [tcp, readyCheck, queryCheck(query)];
}

function queryCheck(query: Capture | undefined): L7Check {
  const failed = (detail: string): L7Check => ({
    name: 'prometheus-query',
    status: 'fail',
    outcome: 'error',
    message: `query ${PROMETHEUS_QUERY} failed: ${detail}`,
  });
  const status = httpStatus(query);
  if (!status) return failed((query?.err ?? []).join(' ').trim() || 'no answer');
  const body = parseJson(query!.out.join('\n'));
  if (!isRecord(body) || (body.status !== 'success' && body.status !== 'error'))
    return failed(`${status.line}, not a Prometheus API answer`);
  const data = body.data;
  if (body.status === 'error' || !isRecord(data))
    return failed(`${String(body.errorType ?? status.line)}: ${String(body.error ?? '')}`);
  const series =
    data.resultType === 'vector' || data.resultType === 'matrix'
      ? Array.isArray(data.result)
        ? data.result.length
        : 0
      : data.result === undefined || data.result === null
        ? 0
        : 1;
  if (series === 0)
    return {
      name: 'prometheus-query',
      status: 'fail',
      outcome: 'empty',
      message: `query ${PROMETHEUS_QUERY} returned no series`,
    };
  return {
    name: 'prometheus-query',
    status: 'pass',
    outcome: 'series',
    message: `query ${PROMETHEUS_QUERY} returned ${series} series`,
  };
}

function etcdChecks(target: L7Target, capture: Capture | undefined, timeoutSeconds: number): L7Check[] {
  const url = `http://${hostPort(target)}`;
  const status = httpStatus(capture);
  const tcp = tcpCheck(capture, status !== undefined, timeoutSeconds);
  if (tcp.status === 'fail') return [tcp];
  const body = parseJson((capture?.out ?? []).join('\n'));
  if (status?.code === 200 && isRecord(body) && body.health === 'true')
    return [
      tcp,
      { name: 'etcd-health', status: 'pass', outcome: 'healthy', message: `etcd at ${url} is healthy` },
    ];
  const reason = isRecord(body)
    ? String(body.reason ?? `health=${String(body.health)}`)
    : (capture?.out.find((l) => l !== '') ?? '');
  return [
    tcp,
    {
      name: 'etcd-health',
      status: 'fail',
      outcome: 'unhealthy',
      message: `etcd at ${url} answers but is unhealthy (${status?.line ?? 'no HTTP status'}${reason ? `: ${reason}` : ''})`,
    },
  ];
}

/** The checks of every target the log has a word about, by target id. */
export function l7Checks(
  log: string,
  targets: readonly L7Target[],
  timeoutSeconds: number,
): Map<string, L7Check[]> {
  const all = captures(log);
  const out = new Map<string, L7Check[]>();
  for (const target of targets) {
    const kind = l7Kind(target);
    const main = all.get(kind === 'prometheus' ? `${target.id}-ready` : target.id);
    if (!main) continue;
    switch (kind) {
      case 'nats':
        out.set(target.id, natsChecks(target, main, timeoutSeconds));
        break;
      case 'prometheus':
        out.set(target.id, prometheusChecks(target, main, all.get(`${target.id}-query`), timeoutSeconds));
        break;
      case 'etcd':
        out.set(target.id, etcdChecks(target, main, timeoutSeconds));
        break;
      case 'tcp':
        out.set(target.id, [tcpCheck(main, false, timeoutSeconds)]);
        break;
    }
  }
  return out;
}

/** As `dial`'s results read: the TCP outcome, `failed` when a later check fails, that check's words. */
export function liveResultOf(checks: readonly L7Check[]): LiveResult {
  const tcp = checks.find((c) => c.name === 'tcp');
  const failing = checks.find((c) => c.status !== 'pass');
  const tcpOutcome = (tcp?.outcome ?? 'failed') as LiveOutcome;
  return {
    outcome: tcpOutcome === 'connected' && failing ? 'failed' : tcpOutcome,
    passed: failing === undefined,
    message: (failing ?? checks.at(-1))?.message ?? '',
  };
}

/** The busybox L7 script's log → results by target id. */
export function parseL7Log(
  log: string,
  targets: readonly L7Target[],
  timeoutSeconds: number,
): Map<string, LiveResult> {
  return new Map(
    [...l7Checks(log, targets, timeoutSeconds)].map(([id, checks]) => [id, liveResultOf(checks)]),
  );
}
