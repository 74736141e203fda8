/**
 * Writable namespaces and pods for the fake Kubernetes API (plugged in through its `extend`
 * option): what the probe runner creates, lists, reads logs of and deletes. Pods move on at their
 * first list: to Succeeded with a log the test derives from the pod's own nc script, to Running
 * (a stand-in listener, Ready or not, with a pod IP), or they stay Pending with a scheduler reason
 * (as a PodScheduled condition or a FailedScheduling event).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type PodFate =
  | { readonly phase: 'Succeeded' | 'Failed'; readonly log: string }
  | { readonly phase: 'Running'; readonly podIP: string; readonly ready: boolean }
  | { readonly pending: string; readonly via: 'condition' | 'event' };

export interface FakeWorkloads {
  readonly namespaces: Map<string, Json>;
  readonly pods: Map<string, Map<string, Json>>;
  /** Every pod ever created, as posted. */
  readonly created: Json[];
  readonly deletedNamespaces: string[];
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
  /** Pods still present, across namespaces. */
  podCount(): number;
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  send(res, code, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    reason,
    message,
    code,
  });
}

function matches(labels: Record<string, string> | undefined, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return labels?.[k!] === v;
  });
}

function readBody(req: IncomingMessage): Promise<Json> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => resolve(JSON.parse(text || '{}') as Json));
    req.on('error', reject);
  });
}

export const isListener = (pod: Json): boolean =>
  pod.metadata.labels?.['dynamo-netcheck/role'] === 'listener';

/**
 * `fate` decides each probe pod's end from its manifest; `listenerFate` each stand-in listener's
 * (by default Running and Ready at 10.99.0.<n>, n counting from 1).
 */
export function fakeWorkloads(
  fate: (pod: Json) => PodFate = () => ({ phase: 'Succeeded', log: '' }),
  listenerFate?: (pod: Json) => PodFate,
): FakeWorkloads {
  let listeners = 0;
  const listenerEnd =
    listenerFate ?? (() => ({ phase: 'Running' as const, podIP: `10.99.0.${++listeners}`, ready: true }));
  const namespaces = new Map<string, Json>();
  const pods = new Map<string, Map<string, Json>>();
  const created: Json[] = [];
  const deletedNamespaces: string[] = [];
  const fates = new Map<Json, PodFate>();
  const advance = (pod: Json): void => {
    const f = fates.get(pod)!;
    if ('podIP' in f)
      pod.status = {
        phase: f.phase,
        podIP: f.podIP,
        conditions: [{ type: 'Ready', status: f.ready ? 'True' : 'False' }],
      };
    else if ('phase' in f) pod.status = { phase: f.phase };
    else if (f.via === 'condition')
      pod.status = {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: f.pending }],
      };
    else pod.status = { phase: 'Pending' };
  };
  const handle = (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (path === '/api/v1/namespaces' && method === 'GET' && url.searchParams.has('labelSelector')) {
      const items = [...namespaces.values()].filter((n) =>
        matches(n.metadata.labels, url.searchParams.get('labelSelector')),
      );
      send(res, 200, { apiVersion: 'v1', kind: 'NamespaceList', metadata: {}, items });
      return true;
    }
    if (path === '/api/v1/namespaces' && method === 'POST') {
      void readBody(req).then((body) => {
        const name = body.metadata.name as string;
        if (namespaces.has(name))
          return status(res, 409, 'AlreadyExists', `namespaces "${name}" already exists`);
        const ns = {
          ...body,
          metadata: { ...body.metadata, creationTimestamp: new Date().toISOString() },
          status: { phase: 'Active' },
        };
        namespaces.set(name, ns);
        pods.set(name, new Map());
        send(res, 201, ns);
      });
      return true;
    }
    const nsMatch = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(path);
    if (nsMatch && method === 'DELETE') {
      const name = nsMatch[1]!;
      const ns = namespaces.get(name);
      if (!ns) {
        status(res, 404, 'NotFound', `namespaces "${name}" not found`);
        return true;
      }
      namespaces.delete(name);
      pods.delete(name);
      deletedNamespaces.push(name);
      send(res, 200, { ...ns, status: { phase: 'Terminating' } });
      return true;
    }
    const podsMatch = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(path);
    if (podsMatch && method === 'POST') {
      void readBody(req).then((body) => {
        const inNs = pods.get(podsMatch[1]!);
        if (!inNs) return status(res, 404, 'NotFound', `namespaces "${podsMatch[1]}" not found`);
        const pod = { ...body, status: { phase: 'Pending' } };
        inNs.set(body.metadata.name as string, pod);
        created.push(body);
        fates.set(pod, isListener(body) ? listenerEnd(body) : fate(body));
        send(res, 201, pod);
      });
      return true;
    }
    if (podsMatch && method === 'GET') {
      const items = [...(pods.get(podsMatch[1]!)?.values() ?? [])].filter((p) =>
        matches(p.metadata.labels, url.searchParams.get('labelSelector')),
      );
      const listed = items.map((p) => ({ ...p }));
      // Pods move on after being seen once, so the runner sees Pending first.
      for (const p of items) advance(p);
      send(res, 200, { apiVersion: 'v1', kind: 'PodList', metadata: {}, items: listed });
      return true;
    }
    const logMatch = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(path);
    if (logMatch && method === 'GET') {
      const pod = pods.get(logMatch[1]!)?.get(logMatch[2]!);
      const f = pod && fates.get(pod);
      if (!pod || !f) status(res, 404, 'NotFound', `pods "${logMatch[2]}" not found`);
      else {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('log' in f ? f.log : '');
      }
      return true;
    }
    const eventsMatch = /^\/api\/v1\/namespaces\/([^/]+)\/events$/.exec(path);
    if (eventsMatch && method === 'GET') {
      const name = /involvedObject\.name=([^,]+)/.exec(url.searchParams.get('fieldSelector') ?? '')?.[1];
      const pod = name ? pods.get(eventsMatch[1]!)?.get(name) : undefined;
      const f = pod && fates.get(pod);
      const items =
        f && 'pending' in f && f.via === 'event'
          ? [
              {
                metadata: { name: `${name}.1` },
                reason: 'FailedScheduling',
                type: 'Warning',
                message: f.pending,
                involvedObject: { name },
              },
            ]
          : [];
      send(res, 200, { apiVersion: 'v1', kind: 'EventList', metadata: {}, items });
      return true;
    }
    return false;
  };
  return {
    namespaces,
    pods,
    created,
    deletedNamespaces,
    handle,
    podCount: () => [...pods.values()].reduce((n, m) => n + m.size, 0),
  };
}

/** The log a busybox probe would print: each `t <id> <host> <port> &` line answered by `answer`. */
export function ncLogFor(pod: Json, answer: (host: string, port: number) => string): string {
  const script = (pod.spec.containers[0].command as string[])[2] ?? '';
  return [...script.matchAll(/^t (t\d+) (\S+) (\d+) &$/gm)]
    .map((m) => `DNC-RESULT ${m[1]} ${answer(m[2]!, Number(m[3]))}`)
    .join('\n');
}

/** How a fake server answers the busybox L7 script: `jetstream: false` is nats-server without -js. */
export interface L7Answers {
  readonly jetstream: boolean;
}

/**
 * The log the busybox L7 script would print (l7-script.ts): each job line answered the way a real
 * server answers it (NATS INFO, then the JetStream account info or a 503 no-responders status;
 * wget's status line and body; nc's silence on a plain TCP connect).
 */
export function l7LogFor(pod: Json, answers: L7Answers): string {
  const script = (pod.spec.containers[0].command as string[])[2] ?? '';
  const lines: string[] = [];
  const step = (id: string, rc: number, err: string[], out: string[]) =>
    lines.push(
      `DNC-L7 ${id} rc ${rc}`,
      ...err.map((l) => `DNC-L7 ${id} err ${l}`),
      ...out.map((l) => `DNC-L7 ${id} out ${l}`),
    );
  for (const [, kind, id] of script.matchAll(/^(?:\{ )?([nhp]) (t\d+)(?:-ready)? /gm)) {
    if (kind === 'n')
      step(
        id!,
        0,
        [],
        [
          'INFO {"server_id":"N","version":"2.10.22","headers":true} ',
          ...(answers.jetstream
            ? [
                'PONG',
                'MSG _INBOX.dnc 1 80',
                '{"type":"io.nats.jetstream.api.v1.account_info_response","streams":1}',
              ]
            : ['HMSG _INBOX.dnc 1 16 16', 'NATS/1.0 503', '', '', 'PONG']),
        ],
      );
    else if (kind === 'p') step(id!, 0, [], []);
    else if (script.includes(`h ${id}-ready `)) {
      step(`${id}-ready`, 0, ['  HTTP/1.1 200 OK'], ['Prometheus Server is Ready.']);
      step(
        `${id}-query`,
        0,
        ['  HTTP/1.1 200 OK'],
        ['{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}'],
      );
    } else step(id!, 0, ['  HTTP/1.1 200 OK'], ['{"health":"true"}']);
  }
  return lines.join('\n');
}

/** The log of this tool's `dial … -o json`: every URL it was given connected and passed. */
export function dialLogFor(pod: Json): string {
  const urls = (pod.spec.containers[0].command as string[]).filter((a) => a.includes('://'));
  return JSON.stringify({
    targets: urls.map((target) => ({
      target,
      passed: true,
      checks: [{ name: 'tcp', status: 'pass', outcome: 'connected', message: 'connected' }],
    })),
  });
}
