/**
 * The redaction corpus (issue 17 item 2): the dgxc-multi-sg cluster with a unique marker
 * (`LEAKMARKER01`, …) put in every place a secret was found to leak, or could: env values, secret
 * flags in every form on command lines and in scripts, probes' exec commands and HTTP headers,
 * lifecycle hooks, annotations that copy the spec, volume secrets, termination / waiting /
 * condition / event messages, pod logs, a DynamoGraphDeployment, aws-node, nodes, services and an
 * AICR ConfigMap. None of them may reach a snapshot on disk; the settings the analysis reads must.
 */
import { loadKubeObjects, namespacesOf } from '../../helpers/fake-kube-api.ts';

type Json = Record<string, unknown>;

export interface Marker {
  readonly id: string;
  /** Where it was put, for the failure message. */
  readonly where: string;
}

export interface RedactionCorpus {
  /** What the fake API server serves (namespaces included). */
  readonly objects: Json[];
  /** Pod logs, as FakeKubeOptions.logs takes them. */
  readonly logs: Record<string, string>;
  readonly markers: Marker[];
}

/** Every marker in a text, as written or case-folded. */
export const MARKER_PATTERN = /LEAKMARKER\d{2}/gi;

export const FRONTEND = 'vllm-agg-frontend-gmjjwhgmc-4vhr7';
export const NATS_SERVER = 'nats://dynamo-platform-nats.dynamo-system.svc.cluster.local:4222';
const IMAGE = 'nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.2.0';

export function redactionCorpus(): RedactionCorpus {
  const markers: Marker[] = [];
  const mark = (where: string): string => {
    const id = `LEAKMARKER${String(markers.length + 1).padStart(2, '0')}`;
    markers.push({ id, where });
    return id;
  };
  const objects = structuredClone(loadKubeObjects('examples/dgxc-multi-sg/k8s'));
  const named = (kind: string, name: string): Json => {
    const found = objects.find((o) => o.kind === kind && (o.metadata as Json).name === name);
    if (!found) throw new Error(`corpus: no ${kind} ${name} in the example`);
    return found;
  };

  // ── The Dynamo frontend: env, its `sh -c` script, probes, hooks, volumes, annotations, status ──
  const frontend = named('Pod', FRONTEND) as {
    metadata: { annotations?: Record<string, string> };
    spec: { containers: Json[]; initContainers?: Json[]; volumes?: Json[] };
    status: {
      message?: string;
      conditions: Json[];
      containerStatuses: {
        state: { waiting: { message: string } };
        lastState: { terminated: Json };
      }[];
    };
  };
  frontend.metadata.annotations = {
    ...frontend.metadata.annotations,
    'kapp.k14s.io/original': JSON.stringify({ env: [{ name: 'HF_TOKEN', value: mark('kapp annotation') }] }),
    'kubectl.kubernetes.io/last-applied-configuration': `{"password":"${mark('last-applied annotation')}"}`,
    'example.com/notes': mark('an arbitrary annotation'),
  };
  const main = frontend.spec.containers[0]!;
  main.env = [
    ...(main.env as Json[]),
    { name: 'DYN_EVENT_PLANE', value: 'nats' },
    { name: 'DYN_HF_TOKEN', value: mark('env DYN_HF_TOKEN (secret-named DYN_)') },
    { name: 'HF_TOKEN', value: `hf_${mark('env HF_TOKEN')}abcdef` },
    { name: 'DATABASE_URL', value: `postgres://app:${mark('env DATABASE_URL password')}@db:5432/x` },
    { name: 'SOME_SETTING', value: mark('env not on the allow-list, not secret-named') },
  ];
  main.args = [
    [
      'python3 -m dynamo.frontend',
      `--passphrase=${mark('script --passphrase=')}`,
      `--dbpassword=${mark('script --dbpassword=')}`,
      `--apiToken=${mark('script --apiToken=')}`,
      `--bearer=${mark('script --bearer=')}`,
      `--nats-creds=/etc/${mark('script --nats-creds=')}.creds`,
      `-Dpassword=${mark('script -Dpassword=')}`,
      `--password:${mark('script --password:')}`,
      `--api-key ${mark('script --api-key v')}`,
      `--hf-token "${mark('script --hf-token "quoted value"')} two"`,
    ].join(' '),
  ];
  main.livenessProbe = {
    exec: {
      command: ['sh', '-c', `PGPASSWORD=${mark('liveness exec PGPASSWORD=')} psql -h db -c 'select 1'`],
    },
  };
  main.readinessProbe = {
    exec: { command: ['redis-cli', '-h', 'cache', '-a', mark('readiness exec redis-cli -a'), 'ping'] },
  };
  main.startupProbe = {
    httpGet: {
      path: `/health?token=${mark('startup httpGet path ?token=')}`,
      port: 8000,
      httpHeaders: [{ name: 'Authorization', value: `Bearer ${mark('startup httpHeaders Authorization')}` }],
    },
  };
  main.lifecycle = {
    postStart: {
      exec: {
        command: ['curl', '-u', `admin:${mark('postStart exec curl -u user:pw')}`, 'http://registry/login'],
      },
    },
    preStop: {
      httpGet: {
        port: 8000,
        httpHeaders: [{ name: 'X-Api-Key', value: mark('preStop httpHeaders X-Api-Key') }],
      },
    },
  };
  frontend.spec.initContainers = [
    {
      name: 'fetch-model',
      image: 'busybox:1.36',
      command: ['sh', '-c', `mysql -p${mark('init mysql -pPW')} -e 'select 1' && wget $URL`],
      env: [{ name: 'DB_PASSWORD', value: mark('init env DB_PASSWORD') }],
    },
  ];
  frontend.spec.volumes = [
    ...(frontend.spec.volumes ?? []),
    {
      name: 'flex',
      flexVolume: {
        driver: 'example/cifs',
        secretRef: { name: mark('flexVolume secretRef') },
        options: { password: mark('flexVolume options') },
      },
    },
    {
      name: 'csi',
      csi: {
        driver: 'secrets-store.csi.k8s.io',
        readOnly: true,
        nodePublishSecretRef: { name: mark('csi nodePublishSecretRef') },
        volumeAttributes: { token: mark('csi volumeAttributes') },
      },
    },
  ];
  const status = frontend.status.containerStatuses[0]!;
  status.lastState.terminated.message = [
    'Traceback (most recent call last):',
    `  connecting to nats://${mark('termination message token-only URL')}@dynamo-platform-nats:4222 with token=${mark('termination message token=')}`,
    'Exception: Failed to connect to NATS: timed out',
  ].join('\n');
  status.state.waiting.message += ` (pull secret hf_${mark('waiting message hf_ token')}abcdef)`;
  frontend.status.message = `password=${mark('pod status message password=')}`;
  frontend.status.conditions.push({
    type: 'DisruptionTarget',
    status: 'False',
    message: `Authorization: Bearer ${mark('condition message Bearer')}`,
  });

  // ── A pod that is not Dynamo's: allow-listed names with credentials, operator-style flags ─────
  const coredns = named('Pod', 'coredns-kwgpmm9nv5-vnb96') as { spec: { containers: Json[] } };
  const dns = coredns.spec.containers[0]!;
  dns.env = [
    { name: 'NATS_SERVER', value: `nats://user:${mark('NATS_SERVER userinfo password')}@nats.example:4222` },
    {
      name: 'ETCD_ENDPOINTS',
      value: `http://${mark('ETCD_ENDPOINTS token-only userinfo')}@etcd.example:2379`,
    },
  ];
  dns.args = [
    ...(dns.args as string[]),
    '--etcdAddr',
    `http://root:${mark('--etcdAddr URL password')}@etcd.example:2379`,
    '--token',
    mark('--token v'),
    `--secret=${mark('--secret=v')}`,
    `AWS_SECRET_ACCESS_KEY=${mark('AWS_SECRET_ACCESS_KEY=v arg')}`,
  ];

  // ── aws-node: a template annotation and env the model does not read ─────────────────────────────
  const awsNode = named('DaemonSet', 'aws-node') as {
    spec: { template: { metadata: Json; spec: { containers: Json[] } } };
  };
  awsNode.spec.template.metadata.annotations = { 'example.com/owner': mark('DaemonSet template annotation') };
  const cni = awsNode.spec.template.spec.containers[0]!;
  cni.env = [
    ...(cni.env as Json[]),
    { name: 'AWS_ACCESS_KEY_ID', value: `AKIA${mark('aws-node env AKIA key')}0000` },
  ];

  // ── A node, a service and an ENIConfig: annotations only ───────────────────────────────────────
  for (const [kind, note] of [
    ['Node', 'node annotation'],
    ['Service', 'service annotation'],
    ['ENIConfig', 'ENIConfig annotation'],
  ] as const) {
    const object = objects.find((o) => o.kind === kind)!;
    const metadata = object.metadata as { annotations?: Record<string, string> };
    metadata.annotations = { ...metadata.annotations, 'example.com/credentials': mark(note) };
  }

  // ── Events on the frontend ────────────────────────────────────────────────────────────────────
  const event = (name: string, reason: string, message: string): Json => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${FRONTEND}.${name}`,
      namespace: 'dynamo-workload',
      creationTimestamp: '2025-06-17T13:59:00Z',
    },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: FRONTEND, namespace: 'dynamo-workload' },
    reason,
    message,
    type: 'Warning',
    count: 3,
    firstTimestamp: '2025-06-17T13:05:00Z',
    lastTimestamp: '2025-06-17T13:59:00Z',
    source: { component: 'kubelet', host: 'ip-10-0-33-140.us-west-2.compute.internal' },
  });
  objects.push(
    event(
      'leak1',
      'Failed',
      `Failed to pull image "${IMAGE}": unauthorized: Bearer ${mark('event message Bearer')}`,
    ),
    event('leak2', 'Failed', `Error: login with password=${mark('event message password=')} refused`),
    event('leak3', 'Failed', `key AKIA${mark('event message AKIA key')}0000 is not authorized`),
    event('leak4', 'Failed', `token eyJ${mark('event message JWT')}abc.eyJzdWIiOiIxIn0.c2ln expired`),
    event('leak5', 'Failed', `clone with ghp_${mark('event message ghp_ token')}abcdef failed`),
    event('leak6', 'Failed', `NGC nvapi-${mark('event message nvapi- key')}xyz rejected`),
  );

  // ── A DynamoGraphDeployment: envs, services, main container, probes, annotations, status ──────
  objects.push({
    apiVersion: 'nvidia.com/v1alpha1',
    kind: 'DynamoGraphDeployment',
    metadata: {
      name: 'vllm-agg',
      namespace: 'dynamo-workload',
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': `{"spec":{"envs":[{"name":"HF_TOKEN","value":"${mark('DGD last-applied annotation')}"}]}}`,
      },
    },
    spec: {
      envs: [
        { name: 'HF_TOKEN', value: mark('DGD graph-wide env HF_TOKEN') },
        { name: 'NATS_SERVER', value: NATS_SERVER },
      ],
      services: {
        Frontend: {
          componentType: 'frontend',
          replicas: 1,
          envs: [{ name: 'DYN_HF_TOKEN', value: mark('DGD service env DYN_HF_TOKEN') }],
          annotations: { 'kapp.k14s.io/original': `{"x":"${mark('DGD service annotation')}"}` },
          livenessProbe: { exec: { command: ['check', `--password=${mark('DGD service livenessProbe')}`] } },
          extraPodSpec: { mainContainer: { image: IMAGE } },
        },
        VllmDecodeWorker: {
          componentType: 'worker',
          replicas: 2,
          resources: { limits: { gpu: '1' } },
          extraPodSpec: {
            volumes: [
              {
                name: 'csi',
                csi: { driver: 'x', nodePublishSecretRef: { name: mark('DGD extraPodSpec csi secret') } },
              },
            ],
            mainContainer: {
              image: IMAGE,
              command: ['python3', '-m', 'dynamo.vllm'],
              args: ['--model', 'Qwen/Qwen3-8B', '--api-key', mark('DGD mainContainer --api-key v')],
              env: [{ name: 'NGC_API_KEY', value: mark('DGD mainContainer env NGC_API_KEY') }],
            },
          },
        },
      },
    },
    status: {
      state: 'failed',
      conditions: [
        { type: 'Ready', status: 'False', message: `token=${mark('DGD status condition message')}` },
      ],
    },
  });

  // ── AICR's ConfigMap: snapshot reads no ConfigMaps at all ─────────────────────────────────────
  objects.push({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'aicr-ctrf-leak-deployment', namespace: 'aicr-validation' },
    data: { 'report.json': `{"password":"${mark('AICR ConfigMap data')}"}` },
  });

  const logs = {
    [`dynamo-workload/${FRONTEND}/main/previous`]: [
      'starting frontend',
      `using HF token hf_${mark('log line hf_ token')}abcdef`,
      `NATS url nats://dynamo:${mark('log line URL password')}@dynamo-platform-nats:4222`,
      'Exception: Failed to connect to NATS: timed out',
      '',
    ].join('\n'),
  };
  return { objects: [...objects, ...namespacesOf(objects)], logs, markers };
}
