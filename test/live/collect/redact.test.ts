/** Redaction: what may and may not reach a snapshot on disk. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  keepsEnvValue,
  namesSecret,
  REDACTED,
  redactArgs,
  redactObject,
  redactText,
} from '../../../src/live/collect/redact.ts';
import { signatures } from '../../../src/questions/diagnose/signatures.ts';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'vllm-agg-frontend-0',
    namespace: 'dynamo-workload',
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration':
        '{"spec":{"containers":[{"env":[{"name":"HF_TOKEN","value":"hf_live"}]}]}}',
      'vpc.amazonaws.com/pod-eni': '[{"eniId":"eni-0abc"}]',
    },
    managedFields: [{ manager: 'kubectl', operation: 'Update' }],
  },
  spec: {
    initContainers: [{ name: 'init', env: [{ name: 'DB_PASSWORD', value: 'hunter2' }] }],
    containers: [
      {
        name: 'main',
        args: ['--port', '8000'],
        env: [
          { name: 'DYN_REQUEST_PLANE', value: 'tcp' },
          { name: 'DYN_TCP_RPC_PORT', value: '9999' },
          { name: 'NATS_SERVER', value: 'nats://dynamo-platform-nats.dynamo-system.svc.cluster.local:4222' },
          { name: 'ETCD_ENDPOINTS', value: 'http://etcd:2379' },
          { name: 'HF_TOKEN', value: 'hf_live' },
          { name: 'NATS_PASSWORD', value: 's3cret' },
          { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'api', key: 'key' } } },
        ],
      },
    ],
    ephemeralContainers: [{ name: 'debug', env: [{ name: 'TOKEN', value: 'tok-e9f2' }] }],
  },
};

describe('redaction', () => {
  const out = redactObject(pod);
  const text = JSON.stringify(out);

  it('replaces every env value except the Dynamo/NATS/etcd settings the analysis reads', () => {
    const env = Object.fromEntries(out.spec.containers[0]!.env.map((e) => [e.name, e]));
    assert.equal(env.DYN_REQUEST_PLANE!.value, 'tcp');
    assert.equal(env.DYN_TCP_RPC_PORT!.value, '9999');
    assert.equal(env.NATS_SERVER!.value, 'nats://dynamo-platform-nats.dynamo-system.svc.cluster.local:4222');
    assert.equal(env.ETCD_ENDPOINTS!.value, 'http://etcd:2379');
    assert.equal(env.HF_TOKEN!.value, REDACTED);
    assert.equal(env.NATS_PASSWORD!.value, REDACTED, 'a NATS_ prefix alone is not kept');
    assert.equal(out.spec.initContainers[0]!.env[0]!.value, REDACTED);
    assert.equal(out.spec.ephemeralContainers[0]!.env[0]!.value, REDACTED);
    for (const secret of ['hf_live', 'hunter2', 's3cret', 'tok-e9f2'])
      assert.ok(!text.includes(secret), secret);
  });

  it('keeps valueFrom as the reference it is, without a value', () => {
    const apiKey = out.spec.containers[0]!.env.find((e) => e.name === 'API_KEY')!;
    assert.deepEqual(apiKey, { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'api', key: 'key' } } });
  });

  it('strips managedFields and last-applied-configuration but keeps other annotations', () => {
    assert.equal('managedFields' in out.metadata, false);
    assert.deepEqual(out.metadata.annotations, { 'vpc.amazonaws.com/pod-eni': '[{"eniId":"eni-0abc"}]' });
  });

  it('does not change its input', () => {
    assert.equal(pod.spec.containers[0]!.env[4]!.value, 'hf_live');
    assert.ok('managedFields' in pod.metadata);
  });

  it('redacts workload pod templates but keeps the VPC CNI settings the model reads from aws-node', () => {
    const daemonSet = {
      kind: 'DaemonSet',
      metadata: { name: 'aws-node', namespace: 'kube-system', managedFields: [{}] },
      spec: {
        template: {
          metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
          spec: {
            containers: [
              {
                name: 'aws-node',
                env: [
                  { name: 'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG', value: 'true' },
                  { name: 'ENABLE_POD_ENI', value: 'true' },
                  { name: 'POD_SECURITY_GROUP_ENFORCING_MODE', value: 'standard' },
                  { name: 'ENI_CONFIG_LABEL_DEF', value: 'topology.kubernetes.io/zone' },
                  { name: 'ENABLE_IPv6', value: 'true' },
                  { name: 'AWS_VPC_K8S_CNI_EXTERNALSNAT', value: 'false' },
                  { name: 'ENABLE_PREFIX_DELEGATION', value: 'true' },
                  { name: 'ADDITIONAL_ENI_TAGS', value: '{"owner":"me"}' },
                ],
              },
            ],
          },
        },
      },
    };
    const redacted = redactObject(daemonSet);
    const env = redacted.spec.template.spec.containers[0]!.env;
    assert.deepEqual(
      env.map((e) => e.value),
      // ENABLE_PREFIX_DELEGATION is not read (prefixes are seen on the ENIs): not on the allow-list.
      ['true', 'true', 'standard', 'topology.kubernetes.io/zone', 'true', 'false', REDACTED, REDACTED],
    );
    assert.equal('managedFields' in redacted.metadata, false);
    assert.deepEqual(redacted.spec.template.metadata.annotations, {});
  });

  it('keeps exactly the names it promises', () => {
    for (const name of [
      'DYN_EVENT_PLANE',
      'DYN_TCP_RESPONSE_STREAM_PORT',
      'NATS_SERVER',
      'ETCD_ENDPOINTS',
      // Read for disaggregated serving (nixl-side-channel, ucx-tcp).
      'VLLM_NIXL_SIDE_CHANNEL_PORT',
      'UCX_TLS',
      'UCX_TCP_PORT_RANGE',
      // aws-node's init container: whether the kubelet's TCP probes reach branch-ENI pods (kubelet-probe).
      'DISABLE_TCP_EARLY_DEMUX',
    ])
      assert.ok(keepsEnvValue(name), name);
    for (const name of [
      'NATS_SERVERS',
      'MY_DYN_X',
      'AWS_SECRET_ACCESS_KEY',
      'ETCD_PASSWORD',
      'dyn_lower',
      // The host is the pod IP, never read: not on the list.
      'VLLM_NIXL_SIDE_CHANNEL_HOST',
      'UCX_NET_DEVICES',
    ])
      assert.ok(!keepsEnvValue(name), name);
  });

  it('redacts the values of secret-named flags in args and command, and nothing else', () => {
    const out = redactObject({
      ...pod,
      spec: {
        containers: [
          {
            name: 'main',
            command: ['python', '-m', 'dynamo.frontend', '--hf-token', 'hf_live_cmd'],
            args: [
              '--port',
              '8000',
              '--nats-password=s3cret',
              '--api-key',
              'k-123',
              'AUTH_TOKEN=abc',
              '--token',
              '--verbose',
              '--enable-network-policy=true',
            ],
          },
        ],
      },
    });
    const main = (out.spec as { containers: Array<{ args: string[]; command: string[] }> }).containers[0]!;
    assert.deepEqual(main.command, ['python', '-m', 'dynamo.frontend', '--hf-token', REDACTED]);
    assert.deepEqual(main.args, [
      '--port',
      '8000',
      `--nats-password=${REDACTED}`,
      '--api-key',
      REDACTED,
      `AUTH_TOKEN=${REDACTED}`,
      '--token',
      '--verbose',
      '--enable-network-policy=true',
    ]);
    assert.ok(!JSON.stringify(out).match(/s3cret|k-123|hf_live_cmd|=abc/));
  });

  it('judges flag names by whole words, and strips passwords from URLs and scripts', () => {
    for (const name of [
      '--nats-password',
      'API_KEY',
      '--access-key-id',
      '--hf-token',
      '--auth',
      'DB_PASSWD',
      'Authorization',
      'X-Api-Key',
    ])
      assert.ok(namesSecret(name), name);
    for (const name of [
      '--authorization-mode',
      '--tokenizer',
      '--max-num-batched-tokens',
      '--passes',
      '--bypass-cache',
      '--keyfile-dir',
      '--skip-tokenizer-init',
    ])
      assert.ok(!namesSecret(name), name);
    assert.deepEqual(
      redactArgs([
        '--authorization-mode=Node,RBAC',
        '--max-num-batched-tokens',
        '8192',
        '--skip-tokenizer-init',
        'model',
        '--database-url=postgres://app:pw123@db:5432/x',
        'nats://dynamo:s3cret@dynamo-platform-nats:4222',
      ]),
      [
        '--authorization-mode=Node,RBAC',
        '--max-num-batched-tokens',
        '8192',
        '--skip-tokenizer-init',
        'model',
        '--database-url=postgres://db:5432/x',
        'nats://dynamo-platform-nats:4222',
      ],
    );
    assert.deepEqual(redactArgs(['sh', '-c', 'exec app --password=x  --port 80 --api-key k1']), [
      'sh',
      '-c',
      `exec app --password=${REDACTED}  --port 80 --api-key ${REDACTED}`,
    ]);
  });

  it('keeps a NATS_SERVER URL for its host and port, without its userinfo', () => {
    const out = redactObject({
      ...pod,
      spec: {
        containers: [
          {
            name: 'main',
            env: [{ name: 'NATS_SERVER', value: 'nats://dynamo:s3cret@dynamo-platform-nats:4222' }],
          },
        ],
      },
    });
    const env = (out.spec as { containers: Array<{ env: Array<{ value: string }> }> }).containers[0]!.env;
    assert.equal(env[0]!.value, 'nats://dynamo-platform-nats:4222');
  });
});

describe('redaction of command lines (issue 17: leaks found)', () => {
  it('masks secret-named flags in every form, and nothing around them', () => {
    assert.deepEqual(
      redactArgs([
        '--passphrase=pp1',
        '--dbpassword=pp2',
        '--apiToken=pp3',
        '--bearer=pp4',
        '--nats-creds=/etc/nats/pp5.creds',
        '-Dpassword=pp6',
        '--password:pp7',
        'PGPASSWORD=pp8',
        '-Dlog.level=INFO',
        '-Dpwd=pp10',
        '--natsPass=pp11',
        '--apiToken',
        'pp9',
        '--data-parallel-size',
        '2',
      ]),
      [
        `--passphrase=${REDACTED}`,
        `--dbpassword=${REDACTED}`,
        `--apiToken=${REDACTED}`,
        `--bearer=${REDACTED}`,
        `--nats-creds=${REDACTED}`,
        `-Dpassword=${REDACTED}`,
        `--password:${REDACTED}`,
        `PGPASSWORD=${REDACTED}`,
        '-Dlog.level=INFO',
        `-Dpwd=${REDACTED}`,
        `--natsPass=${REDACTED}`,
        '--apiToken',
        REDACTED,
        '--data-parallel-size',
        '2',
      ],
    );
  });

  it('masks the passwords of curl -u, redis-cli -a and mysql -p, in argv and in scripts', () => {
    assert.deepEqual(redactArgs(['curl', '-uadmin:pw0', '--user=admin:pw0']), [
      'curl',
      `-u${REDACTED}`,
      `--user=${REDACTED}`,
    ]);
    assert.deepEqual(redactArgs(['curl', '-u', 'admin:pw1', 'http://x/health']), [
      'curl',
      '-u',
      REDACTED,
      'http://x/health',
    ]);
    assert.deepEqual(redactArgs(['redis-cli', '-h', 'cache', '-a', 'pw2', 'ping']), [
      'redis-cli',
      '-h',
      'cache',
      '-a',
      REDACTED,
      'ping',
    ]);
    assert.deepEqual(redactArgs(['sh', '-c', 'redis-cli -a pw3 ping && mysql -ppw4 -e "select 1"']), [
      'sh',
      '-c',
      `redis-cli -a ${REDACTED} ping && mysql -p${REDACTED} -e "select 1"`,
    ]);
    // `-a` means something else to other programs.
    assert.deepEqual(redactArgs(['tar', '-a', '-cf', 'x.tar.gz']), ['tar', '-a', '-cf', 'x.tar.gz']);
  });

  it('masks a quoted value whole, and a secret flag whose value holds spaces', () => {
    assert.deepEqual(redactArgs(['sh', '-c', `app --password "two words" --token='x y' --port 80`]), [
      'sh',
      '-c',
      `app --password ${REDACTED} --token=${REDACTED} --port 80`,
    ]);
    assert.deepEqual(redactArgs(['--password', 'two words']), ['--password', REDACTED]);
    assert.deepEqual(redactArgs(['--password=two words']), [`--password=${REDACTED}`]);
    assert.deepEqual(
      redactArgs(['sh', '-c', 'PGPASSWORD=pw1 python3 -m dynamo.vllm --data-parallel-size 2']),
      ['sh', '-c', `PGPASSWORD=${REDACTED} python3 -m dynamo.vllm --data-parallel-size 2`],
    );
    // A header in a script: the name and its value are two shell words.
    assert.deepEqual(redactArgs(['sh', '-c', 'curl -H X-Api-Key: s2 localhost']), [
      'sh',
      '-c',
      `curl -H X-Api-Key: ${REDACTED} localhost`,
    ]);
    // JSON in a script, quoted: one shell word.
    assert.deepEqual(redactArgs(['sh', '-c', `app --config '{"token": "s1", "port": 80}'`]), [
      'sh',
      '-c',
      `app --config '{"token": "${REDACTED}", "port": 80}'`,
    ]);
  });

  it('keeps the flags the analysis parses in the form it parses them', () => {
    const kv = '{"publisher":"zmq","endpoint":"tcp://*:5557","topic":"kv-events"}';
    const args = [
      '--kv-events-config',
      kv,
      '--data-parallel-size=4',
      '--natsAddr=nats://nats.dynamo-system:4222',
      '--etcdAddr',
      'http://etcd:2379',
      '--enable-network-policy=true',
    ];
    assert.deepEqual(redactArgs(args), args);
    // A secret inside the JSON goes; the JSON stays JSON, with its endpoint.
    const [, withToken] = redactArgs(['--kv-events-config', '{"endpoint":"tcp://*:5557","token":"t0k"}']) as [
      string,
      string,
    ];
    assert.deepEqual(JSON.parse(withToken), { endpoint: 'tcp://*:5557', token: REDACTED });
  });

  it('removes URL userinfo, a token alone too', () => {
    assert.deepEqual(redactArgs(['--nats=nats://T0KEN@nats:4222', 'redis://:pw@cache:6379/0']), [
      '--nats=nats://nats:4222',
      'redis://cache:6379/0',
    ]);
  });
});

describe('redaction of probes, hooks, volumes, annotations and env (issue 17)', () => {
  const leaky = {
    kind: 'Pod',
    metadata: {
      name: 'p',
      namespace: 'n',
      annotations: {
        'kapp.k14s.io/original': '{"spec":{"env":"copy"}}',
        'kubectl.kubernetes.io/last-applied-configuration': '{}',
        'vpc.amazonaws.com/pod-eni': '[{"eniId":"eni-0abc"}]',
      },
    },
    spec: {
      containers: [
        {
          name: 'main',
          env: [
            { name: 'DYN_HF_TOKEN', value: 'e1' },
            { name: 'DYN_SYSTEM_PORT', value: '9090' },
            { name: 'DYN_EVENT_PLANE', value: 'nats' },
            { name: 'DYN_ROUTER_MODE', value: 'kv' },
            { name: 'NATS_SERVER', value: 'nats://t0ken@nats.dynamo-system:4222' },
          ],
          livenessProbe: { exec: { command: ['sh', '-c', 'curl -u me:pr1 localhost'] } },
          readinessProbe: {
            httpGet: {
              path: '/health?token=pr2',
              port: 8000,
              httpHeaders: [{ name: 'Authorization', value: 'Bearer pr3' }],
            },
          },
          startupProbe: { exec: { command: ['check', '--password=pr4'] } },
          lifecycle: {
            postStart: { exec: { command: ['login', '--token', 'pr5'] } },
            preStop: { httpGet: { port: 80, httpHeaders: [{ name: 'X-Custom', value: 'pr6' }] } },
          },
        },
      ],
      volumes: [
        { name: 'flex', flexVolume: { driver: 'x/y', secretRef: { name: 'v1' }, options: { pw: 'v2' } } },
        {
          name: 'csi',
          csi: { driver: 'secrets-store', nodePublishSecretRef: { name: 'v3' }, readOnly: true },
        },
        { name: 'data', persistentVolumeClaim: { claimName: 'models' } },
        { name: 'scratch', emptyDir: {} },
      ],
    },
  };
  const out = redactObject(leaky);
  const main = out.spec.containers[0]!;

  it('keeps the allow-listed env values, never a secret-named DYN_ variable', () => {
    assert.deepEqual(
      main.env.map((e) => e.value),
      [REDACTED, '9090', 'nats', REDACTED, 'nats://nats.dynamo-system:4222'],
    );
    assert.equal(keepsEnvValue('DYN_TOKEN_PORT'), false, 'secret-named, though it ends in _PORT');
    assert.equal(keepsEnvValue('ENABLE_IPv6'), true, 'read by the model: an IPv6 cluster');
  });

  it('keeps what the kubelet-probe flow reads of a probe: its handler and port, named or numeric', () => {
    const probed = redactObject({
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'n' },
      spec: {
        containers: [
          {
            name: 'c',
            ports: [{ name: 'http', containerPort: 8000 }],
            livenessProbe: { httpGet: { path: '/live', port: 'http', scheme: 'HTTP' } },
            readinessProbe: { tcpSocket: { port: 8000 } },
            startupProbe: { grpc: { port: 9345 } },
          },
        ],
      },
    });
    const c = probed.spec.containers[0]!;
    assert.deepEqual(c.livenessProbe.httpGet, { path: '/live', port: 'http', scheme: 'HTTP' });
    assert.deepEqual(c.readinessProbe.tcpSocket, { port: 8000 });
    assert.deepEqual(c.startupProbe.grpc, { port: 9345 });
    assert.deepEqual(c.ports, [{ name: 'http', containerPort: 8000 }]);
  });

  it('redacts probes and lifecycle hooks: exec commands, header values, secrets in paths', () => {
    assert.deepEqual(main.livenessProbe.exec.command, ['sh', '-c', `curl -u ${REDACTED} localhost`]);
    assert.deepEqual(main.readinessProbe.httpGet, {
      path: `/health?token=${REDACTED}`,
      port: 8000,
      httpHeaders: [{ name: 'Authorization', value: REDACTED }],
    });
    assert.deepEqual(main.startupProbe.exec.command, ['check', `--password=${REDACTED}`]);
    assert.deepEqual(main.lifecycle.postStart.exec.command, ['login', '--token', REDACTED]);
    assert.deepEqual(main.lifecycle.preStop.httpGet.httpHeaders, [{ name: 'X-Custom', value: REDACTED }]);
  });

  it('keeps a volume’s name, type and structural fields; secret references and options go', () => {
    assert.deepEqual(out.spec.volumes, [
      { name: 'flex', flexVolume: { driver: 'x/y', secretRef: REDACTED, options: REDACTED } },
      { name: 'csi', csi: { driver: 'secrets-store', nodePublishSecretRef: REDACTED, readOnly: true } },
      { name: 'data', persistentVolumeClaim: { claimName: 'models' } },
      { name: 'scratch', emptyDir: {} },
    ]);
  });

  it('keeps only the annotations the analysis reads', () => {
    assert.deepEqual(out.metadata.annotations, { 'vpc.amazonaws.com/pod-eni': '[{"eniId":"eni-0abc"}]' });
  });

  it('leaves none of the secrets anywhere', () => {
    const text = JSON.stringify(out);
    for (const secret of ['e1', 'pr1', 'pr2', 'pr3', 'pr4', 'pr5', 'pr6', 'v1', 'v2', 'v3', 't0ken', 'copy'])
      assert.ok(!new RegExp(`\\b${secret}\\b`).test(text), secret);
  });
});

describe('redaction of messages: secrets masked, the diagnosis still reads them', () => {
  it('masks tokens, keys, Bearer, passwords, userinfo and JWTs by pattern', () => {
    const cases: [string, string][] = [
      ['hf_AbCdEf0123456789xyz rejected', `${REDACTED} rejected`],
      ['clone with ghp_0123456789abcdefABCDEF failed', `clone with ${REDACTED} failed`],
      ['key AKIAIOSFODNN7EXAMPLE is disabled', `key ${REDACTED} is disabled`],
      ['header Authorization: Bearer abc.def', `header Authorization: Bearer ${REDACTED}`],
      ['login failed (password=hunter2)', `login failed (password=${REDACTED})`],
      ['{"token": "t0k", "port": 4222}', `{"token": "${REDACTED}", "port": 4222}`],
      ['dial nats://u:p@nats:4222 failed', 'dial nats://nats:4222 failed'],
      ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln expired', `jwt ${REDACTED} expired`],
      ['NGC key nvapi-AbCdEfGh0123456789 invalid', `NGC key ${REDACTED} invalid`],
    ];
    for (const [text, masked] of cases) assert.equal(redactText(text), masked, text);
  });

  it('leaves messages without secrets alone, so the diagnosis signatures still match', () => {
    for (const text of [
      'Exception: Failed to connect to NATS: timed out',
      'JetStream not available',
      '[SERVICE_UNAVAILABLE] Prometheus unreachable at http://kube-prometheus-prometheus.monitoring.svc:9090',
      '0/5 nodes are available: 2 node(s) had untolerated taint {nvidia.com/gpu: present}.',
      'Startup probe failed: Get "http://10.0.1.5:8000/health": dial tcp 10.0.1.5:8000: connect: connection refused',
      'secret "hf-token" not found',
      'Basic authentication failed',
      'pod sk-learn-worker-abcdefghijklmnop started',
    ])
      assert.equal(redactText(text), text);
    const masked = redactText(
      'Exception: Failed to connect to NATS at nats://t0k@nats:4222 (token=t0k): timed out',
    );
    assert.ok(!masked.includes('t0k'), masked);
    const nats = signatures.find((s) => s.id === 'nats-connect-timeout')!;
    assert.match(masked, nats.pattern);
  });

  it('masks termination, waiting and condition messages and event messages, keeping their text', () => {
    const pod = redactObject({
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [] },
      status: {
        message: 'evicted; password=m1',
        conditions: [{ type: 'Ready', message: 'token: m2' }],
        containerStatuses: [
          {
            name: 'main',
            state: {
              terminated: {
                exitCode: 1,
                message: 'Failed to connect to NATS: timed out (hf_m3m3m3m3m3m3m3)',
              },
            },
            lastState: { terminated: { exitCode: 1, message: 'auth with Bearer m4 failed' } },
          },
        ],
      },
    });
    assert.equal(pod.status.message, `evicted; password=${REDACTED}`);
    assert.equal(pod.status.conditions[0]!.message, `token: ${REDACTED}`);
    assert.equal(
      pod.status.containerStatuses[0]!.state.terminated.message,
      `Failed to connect to NATS: timed out (${REDACTED})`,
    );
    assert.equal(
      pod.status.containerStatuses[0]!.lastState.terminated.message,
      `auth with Bearer ${REDACTED} failed`,
    );
    const event = redactObject({
      kind: 'Event',
      metadata: { name: 'e' },
      reason: 'Failed',
      message: 'pull with ghp_m5m5m5m5m5m5m5m5 denied (password=m6)',
    });
    assert.equal(event.message, `pull with ${REDACTED} denied (password=${REDACTED})`);
    assert.equal(event.reason, 'Failed');
  });

  it('redacts a graph service’s annotations and probes, and rids every other string of token-shaped secrets', () => {
    const graph = redactObject({
      kind: 'DynamoGraphDeployment',
      metadata: { name: 'g' },
      spec: {
        services: {
          W: {
            someFutureField: 'download with hf_f1f1f1f1f1f1f1f1',
            otherField: 'header Bearer f4f4f4f4',
            replicas: 1,
            annotations: { 'kapp.k14s.io/original': '{"envs":"f2"}' },
            livenessProbe: { exec: { command: ['check', '--password', 'f3'] } },
          },
        },
      },
    });
    const service = graph.spec.services.W;
    assert.equal(service.someFutureField, `download with ${REDACTED}`);
    assert.equal(service.otherField, `header Bearer ${REDACTED}`);
    assert.deepEqual(service.annotations, {}, 'a service’s annotations by the same allow-list');
    assert.deepEqual(service.livenessProbe.exec.command, ['check', '--password', REDACTED]);
  });
});

describe('redaction leaves what the analysis reads alone', () => {
  it('does not touch policies, selectors or names that merely look like words of a secret', () => {
    const policy = {
      apiVersion: 'crd.projectcalico.org/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'basic-token-auth', namespace: 'ns', labels: { tier: 'basic' } },
      spec: {
        selector: "basic == 'Bearer' && tier in {'basic', 'secret'}",
        ingress: [{ action: 'Allow', source: { selector: "token == 'sk-learn-abcdefghijklmnopq'" } }],
      },
    };
    assert.deepEqual(redactObject(policy), policy);
  });

  it('keeps a --kv-events-config whose JSON holds spaces as it was', () => {
    const args = ['--kv-events-config', '{"publisher": "zmq", "endpoint": "tcp://*:5557", "topic": "kv"}'];
    assert.deepEqual(redactArgs(args), args);
  });
});
