/** docs/iam-policy.json and docs/rbac.yaml grant exactly what the collectors call, no more, no less. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { AWS_ACTIONS } from '../../../src/live/collect/aws.ts';
import { APPLY_ACTIONS } from '../../../src/live/ec2-apply.ts';
import { kubernetesPermissions } from '../../../src/live/collect/kubernetes.ts';
import { AICR_REPORT_PERMISSIONS } from '../../../src/live/collect/aicr.ts';
import { PROBE_PERMISSIONS } from '../../../src/live/probe/run.ts';

describe('documented permissions', () => {
  it('the IAM policy allows exactly the actions the AWS collector calls, all read-only', () => {
    const policy = JSON.parse(readFileSync('docs/iam-policy.json', 'utf8')) as {
      Statement: { Effect: string; Action: string[] }[];
    };
    const actions = policy.Statement.flatMap((s) => {
      assert.equal(s.Effect, 'Allow');
      return s.Action;
    });
    assert.deepEqual([...actions].sort(), [...AWS_ACTIONS].sort());
    for (const action of actions) assert.match(action, /^(eks|ec2):(Describe|List|Get)/);
  });

  it('the --apply policy allows exactly what fix --apply calls: additions and one read, no revoke or modify', () => {
    const policy = JSON.parse(readFileSync('docs/iam-policy-apply.json', 'utf8')) as {
      Statement: { Effect: string; Action: string[] }[];
    };
    const actions = policy.Statement.flatMap((s) => {
      assert.equal(s.Effect, 'Allow');
      return s.Action;
    });
    assert.deepEqual([...actions].sort(), [...APPLY_ACTIONS].sort());
    for (const action of actions) assert.match(action, /^ec2:(Authorize|Create|Describe)/);
  });

  it('the ClusterRoles grant exactly the resources and verbs the Kubernetes collector and the probe runner use', () => {
    const docs = YAML.parseAllDocuments(readFileSync('docs/rbac.yaml', 'utf8')).map(
      (d) =>
        d.toJS() as {
          kind: string;
          metadata: { name: string };
          rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
        },
    );
    const granted = (role: string) =>
      docs
        .filter((d) => d.kind === 'ClusterRole' && d.metadata.name === role)
        .flatMap((d) => d.rules ?? [])
        .flatMap((r) =>
          r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${v} ${res}.${g}`))),
        )
        .sort();
    const used = (logs: boolean) =>
      kubernetesPermissions()
        .filter((p) => (p.logsOnly ?? false) === logs)
        .map((p) => `${p.verb} ${p.resource}.${p.group}`)
        .sort();
    assert.deepEqual(granted('dynamo-netcheck-snapshot'), used(false));
    assert.deepEqual(granted('dynamo-netcheck-snapshot-logs'), used(true));
    assert.ok(!granted('dynamo-netcheck-snapshot').some((g) => /secrets|configmaps/.test(g)));
    assert.deepEqual(
      granted('dynamo-netcheck-probe'),
      PROBE_PERMISSIONS.map((p) => `${p.verb} ${p.resource}.`).sort(),
    );
    const bindings = docs.filter((d) => d.kind === 'ClusterRoleBinding').map((d) => d.metadata.name);
    assert.deepEqual(bindings, [
      'dynamo-netcheck-snapshot',
      'dynamo-netcheck-snapshot-logs',
      'dynamo-netcheck-probe',
    ]);
  });

  it('the AICR reports Role grants list configmaps in aicr-validation alone, bound to the same group', () => {
    const docs = YAML.parseAllDocuments(readFileSync('docs/rbac-aicr-reports.yaml', 'utf8')).map(
      (d) =>
        d.toJS() as {
          kind: string;
          metadata: { name: string; namespace?: string };
          rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
          roleRef?: { kind: string; name: string };
          subjects?: { kind: string; name: string }[];
        },
    );
    assert.deepEqual(
      docs.map((d) => `${d.kind} ${d.metadata.namespace}/${d.metadata.name}`),
      [
        'Role aicr-validation/dynamo-netcheck-aicr-reports',
        'RoleBinding aicr-validation/dynamo-netcheck-aicr-reports',
      ],
    );
    const granted = docs[0]!.rules!.flatMap((r) =>
      r.apiGroups.flatMap((g) =>
        r.resources.flatMap((res) =>
          r.verbs.map((v) => `${v} ${res}.${g} in ${docs[0]!.metadata.namespace}`),
        ),
      ),
    );
    assert.deepEqual(
      granted,
      AICR_REPORT_PERMISSIONS.map((p) => `${p.verb} ${p.resource}.${p.group} in ${p.namespace}`),
    );
    assert.deepEqual(docs[1]!.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'dynamo-netcheck-aicr-reports',
    });
    assert.deepEqual(
      docs[1]!.subjects!.map((s) => `${s.kind} ${s.name}`),
      ['Group dynamo-netcheck'],
    );
  });

  it('the README lists the same IAM actions, and no other', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('### From a live cluster'), readme.indexOf('### Reports'));
    const listed = [...section.matchAll(/`((?:eks|ec2):[A-Za-z]+)`/g)].map((m) => m[1]!);
    assert.deepEqual([...listed].sort(), [...AWS_ACTIONS].sort());
  });
});
