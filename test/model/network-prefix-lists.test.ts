/**
 * Prefix lists in security-group rules. "A prefix list is a set of one or more CIDR blocks", and a
 * rule that references one is as if it had one rule per entry (Amazon VPC User Guide, "Group CIDR
 * blocks using managed prefix lists"). The entries come from describe-prefix-lists (AWS service
 * lists, with `Cidrs`) or from get-managed-prefix-list-entries, whose paginated output may span
 * several files: every entry counts, whichever file holds it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allTraffic,
  naclAllowAll,
  scenario,
  tcp,
  type Permission,
  type Scenario,
} from '../helpers/scenario.ts';

const GPU_SUBNET = '10.0.32.0/20';

/** GPU node group (subnet 10.0.32.0/20, worker 10.0.32.11) → NATS, whose SG admits `rule` for 4222. */
function cluster(rule: Permission): Scenario {
  return scenario()
    .subnet('subnet-sys', '10.0.16.0/20')
    .subnet('subnet-gpu', GPU_SUBNET)
    .nacl('acl-default', ['subnet-sys', 'subnet-gpu'], naclAllowAll(), true)
    .sg('sg-sys', [allTraffic.fromGroup('sg-sys'), rule])
    .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')])
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-sys',
      ip: '10.0.16.10',
      sgs: ['sg-sys'],
      podIps: ['10.0.16.11'],
    })
    .node('gpu-1', {
      group: 'gpu',
      subnet: 'subnet-gpu',
      ip: '10.0.32.10',
      sgs: ['sg-gpu'],
      gpu: true,
      podIps: ['10.0.32.11'],
    })
    .nats('nats-0', 'sys-1', '10.0.16.11')
    .dynamo('worker-0', 'worker', 'gpu-1', '10.0.32.11');
}

function natsFlow(s: Scenario, kind: 'pods' | 'nodes') {
  const flow = s
    .analyze({ conformance: false })
    .flows.find((f) => f.requirement === 'nats' && f.source.kind === kind);
  assert.ok(flow, `a NATS flow from ${kind} exists`);
  return flow;
}

describe('describe-prefix-lists: a list given with its Cidrs', () => {
  it('Cidrs covering the worker → allowed', () => {
    const flow = natsFlow(
      cluster(tcp(4222).fromPrefixList('pl-0c1d2e3f')).file('aws/prefix-lists.json', {
        PrefixLists: [
          {
            PrefixListId: 'pl-0c1d2e3f',
            PrefixListName: 'gpu-subnets',
            Cidrs: ['192.168.0.0/16', GPU_SUBNET],
          },
        ],
      }),
      'pods',
    );
    assert.equal(flow.status, 'allowed', flow.reason);
  });

  it('Cidrs missing the worker → blocked (known not to match, not unknown)', () => {
    const flow = natsFlow(
      cluster(tcp(4222).fromPrefixList('pl-0c1d2e3f')).file('aws/prefix-lists.json', {
        PrefixLists: [
          { PrefixListId: 'pl-0c1d2e3f', PrefixListName: 'elsewhere', Cidrs: ['192.168.0.0/16'] },
        ],
      }),
      'pods',
    );
    assert.equal(flow.status, 'blocked', flow.reason);
  });
});

describe('get-managed-prefix-list-entries split over several files', () => {
  // Page 1 holds the entry that covers the worker; page 2 another one. Both orders must allow.
  const pages = [
    { path: 'aws/pl-0aaa-page-1.json', body: { Entries: [{ Cidr: GPU_SUBNET, Description: 'gpu' }] } },
    {
      path: 'aws/pl-0aaa-page-2.json',
      body: { PrefixListId: 'pl-0aaa', Entries: [{ Cidr: '192.168.0.0/16', Description: 'vpn' }] },
    },
  ];
  for (const order of [pages, [...pages].reverse()]) {
    it(`entries from ${order.map((p) => p.path.slice(4)).join(' then ')} are all used → allowed`, () => {
      const s = cluster(tcp(4222).fromPrefixList('pl-0aaa'));
      for (const page of order) s.file(page.path, page.body);
      assert.equal(natsFlow(s, 'pods').status, 'allowed');
    });
  }

  it('Cidrs from describe-prefix-lists and entries from another file are merged', () => {
    const s = cluster(tcp(4222).fromPrefixList('pl-0aaa'))
      .file('aws/prefix-lists.json', {
        PrefixLists: [{ PrefixListId: 'pl-0aaa', PrefixListName: 'mixed', Cidrs: [GPU_SUBNET] }],
      })
      .file('aws/pl-0aaa.json', { Entries: [{ Cidr: '192.168.0.0/16' }] });
    assert.equal(natsFlow(s, 'pods').status, 'allowed');
  });
});

describe('a prefix list covering only part of where a pod may get its address', () => {
  // A pod not yet scheduled on the GPU nodes may get any address of 10.0.32.0/20; an entry for
  // 10.0.32.0/24 covers some of those addresses and not others: it can be neither allowed nor blocked.
  it('→ unknown, the same verdict as the equivalent CIDR rule', () => {
    const viaList = natsFlow(
      cluster(tcp(4222).fromPrefixList('pl-0bbb')).prefixList('pl-0bbb', ['10.0.32.0/24']),
      'nodes',
    );
    const viaCidr = natsFlow(cluster(tcp(4222).fromCidr('10.0.32.0/24')), 'nodes');
    assert.equal(viaCidr.status, 'unknown', viaCidr.reason);
    assert.equal(viaList.status, 'unknown', viaList.reason);
    assert.match(viaList.reason, /pl-0bbb entry covers only part of an IP in subnet-gpu/);
  });

  it('control: an entry that misses the whole subnet → blocked', () => {
    const flow = natsFlow(
      cluster(tcp(4222).fromPrefixList('pl-0bbb')).prefixList('pl-0bbb', ['10.0.48.0/24']),
      'nodes',
    );
    assert.equal(flow.status, 'blocked', flow.reason);
  });
});
