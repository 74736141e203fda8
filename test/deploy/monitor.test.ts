/**
 * deploy/monitor as `kubectl apply -k` would build it: every object passes the Kubernetes API's
 * JSON schemas (kubernetes-models), the Pod is one that Pod Security "restricted" admits, the RBAC
 * grants exactly what the monitor calls (the collector's lists, Events in its own namespace, and
 * the probe runner's calls only in the probe variant), the Service, ServiceMonitor and container
 * agree on the port, and the PrometheusRule passes `promtool check rules`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Deployment } from 'kubernetes-models/apps/v1';
import {
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
} from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import YAML from 'yaml';
import { EVENT_PERMISSIONS } from '../../src/live/events.ts';
import { kubernetesPermissions } from '../../src/live/collect/kubernetes.ts';
import { PROBE_PERMISSIONS } from '../../src/live/probe/run.ts';
import { ruleFile } from '../helpers/monitor.ts';

type Json = Record<string, unknown>;
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
}
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const scratch = mkdtempSync(join(tmpdir(), 'dnc-deploy-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** RFC 6902 `add` and `replace`, the two operations the overlays use; `-` appends to an array. */
function applyJsonPatch(target: Json, ops: { op: string; path: string; value: unknown }[]): void {
  for (const { op, path, value } of ops) {
    assert.ok(op === 'add' || op === 'replace', `patch op ${op} is not used by the overlays`);
    const keys = path
      .split('/')
      .slice(1)
      .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop()!;
    let node: unknown = target;
    for (const key of keys) {
      node = (node as Record<string, unknown>)[key];
      assert.ok(node !== undefined, `patch path ${path} does not exist`);
    }
    if (Array.isArray(node)) {
      if (last === '-') node.push(value);
      else node.splice(Number(last), op === 'replace' ? 1 : 0, value);
    } else (node as Record<string, unknown>)[last] = value;
  }
}

/**
 * The objects `kubectl kustomize DIR` prints, for the kustomization features deploy/monitor uses
 * (resources: files and directories; patches: RFC 6902 files with a kind/name target); any other
 * field fails here, so the files cannot drift into what this reading does not model.
 */
function build(dir: string): K8sObject[] {
  const kustomization = YAML.parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Json;
  for (const key of Object.keys(kustomization))
    assert.ok(
      ['apiVersion', 'kind', 'resources', 'patches'].includes(key),
      `${dir}: kustomization field ${key}`,
    );
  assert.equal(kustomization.kind, 'Kustomization');
  const objects = (kustomization.resources as string[]).flatMap((resource) => {
    const path = join(dir, resource);
    if (statSync(path).isDirectory()) return build(path);
    return YAML.parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as K8sObject);
  });
  for (const patch of (kustomization.patches ?? []) as {
    path: string;
    target: { kind: string; name: string };
  }[]) {
    const matched = objects.filter(
      (o) => o.kind === patch.target.kind && o.metadata.name === patch.target.name,
    );
    assert.equal(matched.length, 1, `${dir}: patch ${patch.path} matches one object`);
    applyJsonPatch(matched[0]! as Json, YAML.parse(readFileSync(join(dir, patch.path), 'utf8')) as never);
  }
  return objects;
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
};

const variants = {
  base: build('deploy/monitor'),
  probe: build('deploy/monitor/probe'),
  irsa: build('deploy/monitor/irsa'),
};
const one = (objects: K8sObject[], kind: string, name?: string): K8sObject => {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  assert.equal(found.length, 1, `one ${kind} ${name ?? ''}`);
  return found[0]!;
};
const granted = (rules: Rule[]): string[] =>
  rules
    .flatMap((r) =>
      r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${v} ${res}.${g}`))),
    )
    .sort();
const SA = { kind: 'ServiceAccount', name: 'dynamo-netcheck-monitor', namespace: 'dynamo-netcheck' };

describe('deploy/monitor', () => {
  it('every manifest file is in a kustomization, and every object passes the Kubernetes API schema', () => {
    const listed = new Set(
      ['deploy/monitor/base', 'deploy/monitor/probe', 'deploy/monitor/irsa'].flatMap((dir) => {
        const k = YAML.parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as {
          resources: string[];
          patches?: { path: string }[];
        };
        return [...k.resources, ...(k.patches ?? []).map((p) => p.path)].map((r) => join(dir, r));
      }),
    );
    for (const dir of ['deploy/monitor/base', 'deploy/monitor/probe', 'deploy/monitor/irsa'])
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml'))
        assert.ok(listed.has(join(dir, file)), `${dir}/${file} is applied by no kustomization`);

    for (const [variant, objects] of Object.entries(variants))
      for (const object of objects) {
        const where = `${variant}: ${object.kind} ${object.metadata.name}`;
        if (object.apiVersion === 'monitoring.coreos.com/v1') continue; // checked below, by promtool and by field
        const Model = MODELS[`${object.apiVersion}/${object.kind}`];
        assert.ok(Model, `${where}: no schema for ${object.apiVersion} ${object.kind}`);
        assert.doesNotThrow(() => new Model(object as never).validate(), where);
        // Namespaced objects say their namespace: nothing relies on kustomize's namespace field.
        if (!['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(object.kind))
          assert.equal(object.metadata.namespace, 'dynamo-netcheck', where);
      }
  });

  it('the schema check fails on a wrong field type (it is not a check that passes everything)', () => {
    const deployment = structuredClone(one(variants.base, 'Deployment')) as Json;
    ((deployment.spec as Json).replicas as unknown) = 'one';
    assert.throws(() => new Deployment(deployment as never).validate(), /replicas/);
  });

  it('the Pod is one Pod Security "restricted" admits, with a read-only root filesystem, in a restricted namespace', () => {
    const ns = one(variants.base, 'Namespace');
    assert.equal(ns.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
    const pod = ((one(variants.base, 'Deployment').spec as Json).template as Json).spec as Json;
    const podContext = pod.securityContext as Json;
    assert.equal(podContext.runAsNonRoot, true);
    assert.ok((podContext.runAsUser as number) > 0);
    assert.deepEqual(podContext.seccompProfile, { type: 'RuntimeDefault' });
    assert.equal(pod.hostNetwork ?? false, false);
    for (const container of pod.containers as Json[]) {
      const sc = container.securityContext as Json;
      assert.equal(sc.allowPrivilegeEscalation, false);
      assert.equal(sc.readOnlyRootFilesystem, true);
      assert.equal(sc.runAsNonRoot, true);
      assert.deepEqual(sc.capabilities, { drop: ['ALL'] });
      assert.equal(sc.privileged ?? false, false);
    }
    // Only volume types "restricted" allows.
    for (const volume of (pod.volumes ?? []) as Json[])
      assert.ok(
        Object.keys(volume).every((k) =>
          ['name', 'emptyDir', 'configMap', 'secret', 'projected'].includes(k),
        ),
      );
  });

  it('runs `monitor --live` on the port the Service and ServiceMonitor name, with the downward API for Events', () => {
    const deployment = one(variants.base, 'Deployment');
    const pod = ((deployment.spec as Json).template as Json).spec as Json;
    assert.equal(pod.serviceAccountName, 'dynamo-netcheck-monitor');
    const container = (pod.containers as Json[])[0]!;
    const args = container.args as string[];
    assert.deepEqual(args.slice(0, 2), ['monitor', '--live']);
    assert.ok(args.includes('--cluster=$(CLUSTER)'));
    assert.ok(!args.some((a) => a.startsWith('--probe-interval')), 'no probing without the probe role');
    const listen = Number(/^--listen=:(\d+)$/.exec(args.find((a) => a.startsWith('--listen='))!)![1]);
    const port = (container.ports as Json[])[0]!;
    assert.equal(port.containerPort, listen);
    const env = Object.fromEntries((container.env as Json[]).map((e) => [e.name, e.valueFrom]));
    assert.deepEqual(env.POD_NAME, { fieldRef: { fieldPath: 'metadata.name' } });
    assert.deepEqual(env.POD_NAMESPACE, { fieldRef: { fieldPath: 'metadata.namespace' } });
    const config = one(variants.base, 'ConfigMap');
    for (const key of ['CLUSTER', 'AWS_REGION'])
      assert.equal(
        (env[key] as { configMapKeyRef: { name: string; key: string } }).configMapKeyRef.name,
        config.metadata.name,
      );
    assert.equal(((container.livenessProbe as Json).httpGet as Json).path, '/healthz');
    assert.equal(((container.readinessProbe as Json).httpGet as Json).path, '/readyz');

    const service = one(variants.base, 'Service');
    const podLabels = ((((deployment.spec as Json).template as Json).metadata as Json).labels ??
      {}) as Record<string, string>;
    for (const [k, v] of Object.entries((service.spec as Json).selector as Record<string, string>))
      assert.equal(podLabels[k], v);
    const servicePort = ((service.spec as Json).ports as Json[])[0]!;
    assert.equal(servicePort.targetPort, port.name);
    assert.equal(servicePort.port, listen);

    const monitor = one(variants.base, 'ServiceMonitor');
    const spec = monitor.spec as {
      selector: { matchLabels: Record<string, string> };
      endpoints: Json[];
      namespaceSelector: Json;
    };
    for (const [k, v] of Object.entries(spec.selector.matchLabels))
      assert.equal(service.metadata.labels?.[k], v);
    assert.deepEqual(spec.namespaceSelector, { matchNames: ['dynamo-netcheck'] });
    assert.deepEqual(
      spec.endpoints.map((e) => [e.port, e.path]),
      [[servicePort.name, '/metrics']],
    );
  });

  it('grants the read-only lists the collector makes (as docs/rbac.yaml does), Events in its own namespace, and probing only in the probe variant', () => {
    const lists = kubernetesPermissions()
      .filter((p) => !p.logsOnly)
      .map((p) => `${p.verb} ${p.resource}.${p.group}`)
      .sort();
    const docs = YAML.parseAllDocuments(readFileSync('docs/rbac.yaml', 'utf8')).map(
      (d) => d.toJS() as K8sObject,
    );
    const docRules = (name: string) => one(docs, 'ClusterRole', name).rules as Rule[];
    for (const objects of Object.values(variants)) {
      const role = one(objects, 'ClusterRole', 'dynamo-netcheck-monitor');
      assert.deepEqual(granted(role.rules as Rule[]), lists);
      assert.deepEqual(granted(role.rules as Rule[]), granted(docRules('dynamo-netcheck-snapshot')));
      const events = one(objects, 'Role', 'dynamo-netcheck-monitor-events');
      assert.equal(events.metadata.namespace, 'dynamo-netcheck');
      assert.deepEqual(
        granted(events.rules as Rule[]),
        EVENT_PERMISSIONS.map((p) => `${p.verb} ${p.resource}.${p.group}`),
      );
      for (const [binding, kind, roleName] of [
        ['ClusterRoleBinding', 'ClusterRole', 'dynamo-netcheck-monitor'],
        ['RoleBinding', 'Role', 'dynamo-netcheck-monitor-events'],
      ] as const) {
        const b = one(objects, binding, roleName);
        assert.deepEqual(b.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind, name: roleName });
        assert.deepEqual(b.subjects, [SA]);
      }
      assert.ok(
        !granted(objects.filter((o) => o.kind.endsWith('Role')).flatMap((o) => o.rules as Rule[])).some((g) =>
          /secrets|configmaps/.test(g),
        ),
      );
    }
    assert.equal(variants.base.filter((o) => o.metadata.name.includes('probe')).length, 0);
    assert.equal(variants.irsa.filter((o) => o.metadata.name.includes('probe')).length, 0);

    const probeRole = one(variants.probe, 'ClusterRole', 'dynamo-netcheck-monitor-probe');
    assert.deepEqual(
      granted(probeRole.rules as Rule[]),
      PROBE_PERMISSIONS.map((p) => `${p.verb} ${p.resource}.`).sort(),
    );
    assert.deepEqual(granted(probeRole.rules as Rule[]), granted(docRules('dynamo-netcheck-probe')));
    assert.deepEqual(one(variants.probe, 'ClusterRoleBinding', 'dynamo-netcheck-monitor-probe').subjects, [
      SA,
    ]);
    const args = (
      (((one(variants.probe, 'Deployment').spec as Json).template as Json).spec as Json).containers as Json[]
    )[0]!.args;
    assert.ok((args as string[]).includes('--probe-interval=30m'));
  });

  it('AWS: the IRSA variant annotates the ServiceAccount, and both trust policies name it', () => {
    const sa = one(variants.irsa, 'ServiceAccount');
    assert.match(
      sa.metadata.annotations?.['eks.amazonaws.com/role-arn'] ?? '',
      /^arn:aws:iam::\d{12}:role\/dynamo-netcheck-monitor$/,
    );
    assert.equal(one(variants.base, 'ServiceAccount').metadata.annotations, undefined);
    const podIdentity = JSON.parse(readFileSync('deploy/monitor/iam/trust-pod-identity.json', 'utf8')) as {
      Statement: Json[];
    };
    assert.deepEqual(podIdentity.Statement[0]!.Principal, { Service: 'pods.eks.amazonaws.com' });
    assert.deepEqual(podIdentity.Statement[0]!.Action, ['sts:AssumeRole', 'sts:TagSession']);
    const irsa = JSON.parse(readFileSync('deploy/monitor/iam/trust-irsa.json', 'utf8')) as {
      Statement: Json[];
    };
    const condition = (irsa.Statement[0]!.Condition as { StringEquals: Record<string, string> }).StringEquals;
    assert.ok(Object.values(condition).includes(`system:serviceaccount:${SA.namespace}:${SA.name}`));
    assert.equal(irsa.Statement[0]!.Action, 'sts:AssumeRoleWithWebIdentity');
  });

  it('the PrometheusRule passes promtool check rules, with the three alerts the README lists', () => {
    const file = join(scratch, 'rules.yml');
    writeFileSync(file, ruleFile());
    const check = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /SUCCESS: 3 rules found/);
    const rule = one(variants.base, 'PrometheusRule');
    assert.deepEqual(
      (rule.spec as { groups: { rules: { alert: string }[] }[] }).groups[0]!.rules.map((r) => r.alert),
      ['DynamoNetcheckRequiredFlowBlocked', 'DynamoNetcheckVerdictNotPass', 'DynamoNetcheckAnalysisStale'],
    );
    assert.deepEqual(
      rule.metadata.labels?.release,
      one(variants.base, 'ServiceMonitor').metadata.labels?.release,
    );
  });
});
