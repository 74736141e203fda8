/** Redaction: what may and may not reach a snapshot on disk. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  keepsEnvValue,
  namesSecret,
  REDACTED,
  redactArgs,
  redactObject,
} from '../../../src/live/collect/redact.ts';

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

  it('redacts workload pod templates but keeps the VPC CNI settings of aws-node', () => {
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
      ['true', 'true', 'standard', 'topology.kubernetes.io/zone', 'true', REDACTED],
    );
    assert.equal('managedFields' in redacted.metadata, false);
    assert.deepEqual(redacted.spec.template.metadata.annotations, {});
  });

  it('keeps exactly the names it promises', () => {
    for (const name of ['DYN_EVENT_PLANE', 'DYN_TCP_RESPONSE_STREAM_PORT', 'NATS_SERVER', 'ETCD_ENDPOINTS'])
      assert.ok(keepsEnvValue(name), name);
    for (const name of ['NATS_SERVERS', 'MY_DYN_X', 'AWS_SECRET_ACCESS_KEY', 'ETCD_PASSWORD', 'dyn_lower'])
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
    for (const name of ['--nats-password', 'API_KEY', '--access-key-id', '--hf-token', '--auth', 'DB_PASSWD'])
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
        `--database-url=postgres://app:${REDACTED}@db:5432/x`,
        `nats://dynamo:${REDACTED}@dynamo-platform-nats:4222`,
      ],
    );
    assert.deepEqual(redactArgs(['sh', '-c', 'exec app --password=x  --port 80 --api-key k1']), [
      'sh',
      '-c',
      `exec app --password=${REDACTED}  --port 80 --api-key ${REDACTED}`,
    ]);
  });

  it('keeps a NATS_SERVER URL for its host and port, but not its password', () => {
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
    assert.equal(env[0]!.value, `nats://dynamo:${REDACTED}@dynamo-platform-nats:4222`);
  });
});
