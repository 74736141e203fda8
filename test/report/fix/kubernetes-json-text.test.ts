/**
 * The NetworkPolicy stream for `kubectl apply -f` (networking.k8s.io/v1 NetworkPolicy documents
 * separated by `---`, each under a comment naming what it unblocks) and the JSON form, written
 * out for a hand-made plan; and the revoke script of a rule EC2 returned no id for.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emitJson } from '../../../src/report/fix/json.ts';
import { emitKubernetes } from '../../../src/report/fix/kubernetes.ts';
import { revokeScript } from '../../../src/report/fix/revoke.ts';
import {
  EMPTY,
  EMPTY_HEADER,
  FULL,
  FULL_HEADER,
  NACL_IN,
  NATS_POLICY,
  NATS_POLICY_YAML,
  NATS_RULE,
  NATS_UNBLOCKS,
  NOT_FIXED,
  hashed,
} from './hand-plan.ts';

const POLICY_DOCUMENT = ['# np-1: NATS from gpu pods', ...hashed(NATS_UNBLOCKS), ...NATS_POLICY_YAML];

describe('Kubernetes: the whole stream', () => {
  it('header comments open the first document; the AWS items are named as needed elsewhere', () => {
    assert.equal(
      emitKubernetes(FULL),
      [
        ...hashed(FULL_HEADER),
        '# Apply with: kubectl apply -f <this file> (objects are labelled app.kubernetes.io/managed-by=dynamo-netcheck).',
        '# 2 security-group rules and 2 network ACL entries also needed: they are AWS changes; `dynamo-netcheck fix -o aws-cli|terraform|cloudformation` writes them.',
        ...hashed(NOT_FIXED),
        ...POLICY_DOCUMENT,
        '',
      ].join('\n'),
    );
  });

  it('two policies are two documents separated by ---', () => {
    assert.equal(
      emitKubernetes({ ...EMPTY, policies: [NATS_POLICY, NATS_POLICY] }),
      [
        '# Remediation by dynamo-netcheck 9.9.9.',
        '# Dynamo 1.2.0 (flag). Verdict before: PASS (0 blocked, 8 allowed, 0 unknown flows).',
        '# 0 security-group rules, 0 network ACL entries, 2 NetworkPolicies: each exactly as wide as the flows it unblocks.',
        '# Apply with: kubectl apply -f <this file> (objects are labelled app.kubernetes.io/managed-by=dynamo-netcheck).',
        ...POLICY_DOCUMENT,
        '---',
        ...POLICY_DOCUMENT,
        '',
      ].join('\n'),
    );
  });

  it('no policy: only the header, ending in one newline', () => {
    assert.equal(
      emitKubernetes(EMPTY),
      [...hashed(EMPTY_HEADER), '# Nothing to fix in NetworkPolicies.', ''].join('\n'),
    );
  });

  it('one NACL entry and no rule: counted in the singular', () => {
    const text = emitKubernetes({ ...EMPTY, naclEntries: [NACL_IN] });
    assert.ok(
      text.includes(
        '# 0 security-group rules and 1 network ACL entry also needed: they are AWS changes; `dynamo-netcheck fix -o aws-cli|terraform|cloudformation` writes them.\n',
      ),
      text,
    );
  });

  it('one rule and no NACL entry still counts as an AWS change to make', () => {
    const text = emitKubernetes({ ...EMPTY, rules: [NATS_RULE] });
    assert.ok(
      text.includes(
        '# 1 security-group rule and 0 network ACL entries also needed: they are AWS changes; `dynamo-netcheck fix -o aws-cli|terraform|cloudformation` writes them.\n',
      ),
      text,
    );
  });
});

describe('JSON: the flows each item unblocks', () => {
  const NATS_REF = {
    id: 'flow-nats',
    requirement: 'nats',
    protocol: 'tcp',
    port: 4222,
    source: 'gpu-a',
    destination: 'system',
    status: 'blocked',
  };

  it('rules, NACL entries and policies each name their flows; unfixed flows are listed', () => {
    const json = JSON.parse(emitJson(FULL)) as Record<string, { unblocks?: unknown[] }[]>;
    assert.deepEqual(json.securityGroupRules![0]!.unblocks, [NATS_REF]);
    assert.deepEqual(json.networkAclEntries![1]!.unblocks, [NATS_REF]);
    assert.deepEqual(json.networkPolicies, [{ ...NATS_POLICY.policy, unblocks: [NATS_REF] }]);
    assert.deepEqual(json.notFixed, [
      {
        id: 'flow-scrape',
        requirement: 'prometheus',
        protocol: 'tcp',
        port: 9400,
        source: 'monitoring',
        destination: 'gpu-a',
        status: 'blocked',
      },
    ]);
  });

  it('a NACL entry carries its aws-cli command on one line and its protocol number', () => {
    const json = JSON.parse(emitJson({ ...EMPTY, naclEntries: [NACL_IN] })) as {
      networkAclEntries: { command: string; protocolNumber: string }[];
    };
    assert.equal(
      json.networkAclEntries[0]!.command,
      'aws ec2 create-network-acl-entry --network-acl-id acl-sys --ingress --rule-number 99 --protocol tcp --port-range From=4222,To=4222 --cidr-block 10.0.32.0/20 --rule-action allow',
    );
    assert.equal(json.networkAclEntries[0]!.protocolNumber, '6');
  });
});

describe('revoke: a rule added without a returned id', () => {
  it('is revoked by its exact permission, never by an empty id list', () => {
    const script = revokeScript(
      FULL,
      [
        {
          item: { kind: 'sg-rule', id: 'sgr-1', planned: NATS_RULE },
          outcome: { status: 'added', ruleIds: [] },
        },
      ],
      { when: '2026-12-06T11:00:00Z' },
    );
    assert.ok(
      script.endsWith(
        [
          'aws ec2 revoke-security-group-ingress \\',
          '  --group-id sg-sys \\',
          `  --ip-permissions '[{"IpProtocol":"tcp","FromPort":4222,"ToPort":4222,"UserIdGroupPairs":[{"GroupId":"sg-gpu","Description":"NATS from gpu-a"}]}]'`,
          '',
        ].join('\n'),
      ),
      script,
    );
  });
});
