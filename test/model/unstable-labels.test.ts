/**
 * Labels too short-lived to select on are left out of a flow end's identity even when every pod
 * shares them (model/identity.ts). Kubernetes: `controller-revision-hash` and
 * `pod-template-generation` change with each DaemonSet or StatefulSet revision,
 * `statefulset.kubernetes.io/pod-name` and `apps.kubernetes.io/pod-index` name one pod; the
 * recommended labels `app.kubernetes.io/version` and `app.kubernetes.io/managed-by` (Helm sets it)
 * change with a release or an upgrade.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commonIdentity } from '../../src/model/identity.ts';

describe('unstable labels shared by every pod', () => {
  it('one pod carrying each of them: only its stable labels are the identity', () => {
    const labels = {
      app: 'worker',
      'controller-revision-hash': 'worker-7d9f',
      'statefulset.kubernetes.io/pod-name': 'worker-0',
      'pod-template-generation': '3',
      'apps.kubernetes.io/pod-index': '0',
      'app.kubernetes.io/version': '0.4.1',
      'app.kubernetes.io/managed-by': 'Helm',
    };
    assert.deepEqual(
      commonIdentity([
        { namespace: 'dynamo', labels, labelsComplete: true, hostNetwork: false, namedPorts: {} },
      ]),
      { namespace: 'dynamo', labels: { app: 'worker' } },
    );
  });
});
