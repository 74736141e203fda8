/**
 * A Calico policy's rules run in their written order, whatever ports they name: a higher range
 * first, a lower one after it. Each port of the flow meets the rules in that order and the first
 * that acts decides (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy, Rule).
 * client-0 → server-0 (srv), TCP 8000–8010.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CALICO_NODE, calicoNp, policyWorld } from './policy-world.ts';

describe('Calico rules on ports out of ascending order', () => {
  it('Allow 8005–8010, then Deny 8002–8004, then Allow all: only 8002–8004 denied', () => {
    const w = policyWorld(
      [
        calicoNp('srv', 'server-in', {
          selector: "role == 'server'",
          types: ['Ingress'],
          ingress: [
            { action: 'Allow', protocol: 'TCP', destination: { ports: ['8005:8010'] } },
            { action: 'Deny', protocol: 'TCP', destination: { ports: ['8002:8004'] } },
            { action: 'Allow' },
          ],
        }),
      ],
      { daemonSets: [CALICO_NODE] },
    );
    const step = w.step('ingress', w.pod('client-0'), w.pod('server-0'), { from: 8000, to: 8010 });
    assert.equal(step.status, 'blocked');
    assert.deepEqual(step.deniedPorts, [{ from: 8002, to: 8004 }]);
    assert.equal(
      step.summary,
      'Calico policy ingress denies tcp/8002-8004 from app/client-0: Calico NetworkPolicy srv/server-in ingress[1] denies tcp/8002-8004 from app/client-0',
    );
  });
});
