/**
 * Where pods not created yet would sit on each node, and the words that say why
 * (model/pod-network.ts), read from the model: `podNetworks`, the notes and the warnings.
 * VPC CNI facts (amazon-vpc-cni-k8s README, EKS User Guide): default networking gives pods
 * secondary IPs (or `/28` prefixes) on ENIs that copy the primary ENI's subnet and SGs; custom
 * networking puts them on secondary ENIs in the ENIConfig's subnet with its SGs (the primary ENI's
 * when it names none); ENIs tagged `node.k8s.amazonaws.com/no_manage=true`, trunk, branch and EFA
 * ENIs and ENIs on network cards other than 0 carry no ordinary pod's IP; an ENI the CNI created
 * carries the tag `node.k8s.amazonaws.com/instance_id`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Scenario } from '../helpers/scenario.ts';
import { modelOf } from './model-of.ts';
import {
  CUSTOM_P,
  NO_DEVICE_INDEX_REVERSED,
  NO_NODE_ADDRESSES,
  OTHER_CARD_DEVICE_ZERO_FIRST,
  addNode,
  base,
  eniConfigs,
  known,
  network,
  notes,
  reason,
  type RawEni,
} from './pod-network-world.ts';

describe('aws-node captured, custom networking off', () => {
  it('pods copy the primary ENI: its subnet, groups and id', () => {
    const model = modelOf(addNode(base().cni({}), 'n1', '10.0.0.10', { sgs: ['sg-n', 'sg-p'] }));
    const n = known(network(model, 'n1'));
    assert.equal(n.subnetId, 'subnet-n');
    assert.deepEqual(n.groupIds, ['sg-n', 'sg-p']);
    assert.equal(n.eniId, 'eni-n1-0');
    assert.deepEqual(n.attachment, [
      "pods on n1 take secondary IPs on ENIs that copy the primary ENI eni-n1-0's SGs",
    ]);
    assert.deepEqual(
      model.warnings.filter((w) => /aws-node/.test(w.message)),
      [],
    );
  });

  it('a node whose ENIs are not captured: unresolved', () => {
    const model = modelOf(addNode(base().cni({}), 'n1', '10.0.0.10'), {
      'aws/network-interfaces.json': (doc) => void (doc.NetworkInterfaces = []),
    });
    assert.equal(reason(network(model, 'n1')), 'no ENI of node n1 is in the snapshot');
  });
});

describe('aws-node captured, custom networking on', () => {
  const on = { AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true' };

  it('the node’s ENIConfig with groups, no pod ENI yet: its subnet and groups, in its order', () => {
    const model = modelOf(
      addNode(base().cni(on), 'n1', '10.0.0.10', {
        labels: { 'k8s.amazonaws.com/eniConfig': 'cfg' },
      }).file('k8s/eniconfigs.json', eniConfigs({ name: 'cfg', subnet: 'subnet-p', sgs: ['sg-q', 'sg-p'] })),
    );
    const n = known(network(model, 'n1'));
    assert.equal(n.subnetId, 'subnet-p');
    assert.deepEqual(n.groupIds, ['sg-q', 'sg-p']);
    assert.equal(n.eniId, undefined);
    assert.deepEqual(n.attachment, [
      'custom networking: ENIConfig cfg gives pods subnet subnet-p and SGs sg-q, sg-p',
    ]);
  });

  it('pod ENIs that agree confirm it, each with what it carries', () => {
    const model = modelOf(
      addNode(base().cni(on), 'n1', '10.0.0.10', {
        labels: { 'k8s.amazonaws.com/eniConfig': 'cfg' },
        podEni: {
          ...CUSTOM_P,
          ips: ['100.64.0.10', '100.64.0.11'],
          prefixes: ['100.64.1.0/28', '100.64.1.16/28'],
        },
        moreEnis: [{ subnet: 'subnet-p', sgs: ['sg-p'], ips: ['100.64.0.20'], prefixes: ['100.64.2.0/28'] }],
      }).file('k8s/eniconfigs.json', eniConfigs({ name: 'cfg', subnet: 'subnet-p', sgs: ['sg-p'] })),
    );
    assert.deepEqual(known(network(model, 'n1')).attachment, [
      'custom networking: ENIConfig cfg gives pods subnet subnet-p and SGs sg-p',
      "confirmed by the node's pod ENIs: eni-n1-1 (device index 1; 1 secondary IPv4 address, delegated prefixes 100.64.1.0/28, 100.64.1.16/28), eni-n1-2 (device index 2; delegated prefix 100.64.2.0/28) in subnet subnet-p with SGs sg-p",
    ]);
    assert.deepEqual(notes(model, 'conflict'), []);
  });

  it('an ENIConfig naming no groups: the primary ENI’s, said so; no subnet: "(none)"', () => {
    const model = modelOf(
      addNode(base().cni(on), 'n1', '10.0.0.10', {
        sgs: ['sg-q', 'sg-n'],
        labels: { 'k8s.amazonaws.com/eniConfig': 'cfg' },
      }).file('k8s/eniconfigs.json', eniConfigs({ name: 'cfg' })),
    );
    const n = known(network(model, 'n1'));
    assert.equal(n.subnetId, undefined);
    assert.deepEqual(n.groupIds, ['sg-q', 'sg-n']);
    assert.deepEqual(n.attachment, [
      "custom networking: ENIConfig cfg names no SGs, so pods get the primary ENI's (sg-q, sg-n)",
    ]);
  });

  it('pod ENIs that contradict the ENIConfig: a conflict, unresolved, and one note per node group', () => {
    const node = (s: Scenario, name: string, ip: string, ips: string[]) =>
      addNode(s, name, ip, {
        labels: { 'k8s.amazonaws.com/eniConfig': 'cfg' },
        podEni: { subnet: 'subnet-q', sgs: ['sg-q'], ips },
      });
    const model = modelOf(
      node(node(base().cni(on), 'n1', '10.0.0.10', ['100.64.64.10', '100.64.64.11']), 'n2', '10.0.0.20', [
        '100.64.64.20',
        '100.64.64.21',
        '100.64.64.22',
      ]).file('k8s/eniconfigs.json', eniConfigs({ name: 'cfg', subnet: 'subnet-p', sgs: ['sg-p'] })),
    );
    const conflict =
      "ENIConfig cfg gives pods subnet subnet-p and SGs sg-p, but n1's pod ENIs eni-n1-1 (device index 1; 1 secondary IPv4 address) in subnet subnet-q with SGs sg-q";
    assert.equal(reason(network(model, 'n1')), `conflict: ${conflict}`);
    assert.match(reason(network(model, 'n2')), /2 secondary IPv4 addresses\) in subnet subnet-q/);
    assert.deepEqual(notes(model, 'conflict'), [
      `conflict on n1, n2 (node group gpu): ${conflict}; flows of pods not created yet there are unknown`,
    ]);
  });

  it('an ENIConfig the snapshot lacks: unresolved with no pod ENI; with one, the ENI decides and says so', () => {
    const model = modelOf(
      addNode(
        addNode(base().cni(on), 'n1', '10.0.0.10', { labels: { 'k8s.amazonaws.com/eniConfig': 'gone' } }),
        'n2',
        '10.0.0.20',
        { labels: { 'k8s.amazonaws.com/eniConfig': 'gone' }, podEni: CUSTOM_P },
      ),
    );
    assert.equal(reason(network(model, 'n1')), 'ENIConfig gone (node n1) is not in the snapshot');
    const n2 = known(network(model, 'n2'));
    assert.deepEqual(n2.groupIds, ['sg-p']);
    assert.equal(n2.subnetId, 'subnet-p');
    assert.equal(n2.eniId, undefined, 'custom: no ENI is copied');
    assert.deepEqual(n2.attachment, [
      "ENIConfig gone (node n2) is not in the snapshot: the node's pod ENIs eni-n2-1 (device index 1; 2 secondary IPv4 addresses) in subnet subnet-p with SGs sg-p, another subnet and other SGs than the primary ENI eni-n2-0 (subnet subnet-n, SGs sg-n): custom networking inferred, pods take that subnet and those SGs",
    ]);
    assert.deepEqual(notes(model, 'inferred-from-enis'), [
      "ENIConfig gone (node n2) is not in the snapshot: custom networking inferred on n2 (node group gpu): pods use subnet subnet-p and SGs sg-p, as the secondary ENIs (eni-n2-1 of n2) show, not the primary ENI's",
    ]);
  });

  it('an ENIConfig the snapshot lacks and pod ENIs that disagree: unresolved, naming both', () => {
    const model = modelOf(
      addNode(base().cni(on), 'n1', '10.0.0.10', {
        labels: { 'k8s.amazonaws.com/eniConfig': 'gone' },
        podEni: CUSTOM_P,
        moreEnis: [{ subnet: 'subnet-q', sgs: ['sg-q'], ips: ['100.64.64.5', '100.64.64.6'] }],
      }),
    );
    assert.equal(
      reason(network(model, 'n1')),
      "ENIConfig gone (node n1) is not in the snapshot, and node n1's pod ENIs disagree: eni-n1-1 (device index 1; 2 secondary IPv4 addresses) in subnet subnet-p with SGs sg-p; eni-n1-2 (device index 2; 1 secondary IPv4 address) in subnet subnet-q with SGs sg-q",
    );
  });
});

describe('no aws-node DaemonSet: the ENIs decide', () => {
  it('a node naming an ENIConfig whose pod ENIs agree: known, and a note', () => {
    const model = modelOf(
      addNode(base(), 'n1', '10.0.0.10', {
        labels: { 'k8s.amazonaws.com/eniConfig': 'cfg' },
        podEni: CUSTOM_P,
      }).file('k8s/eniconfigs.json', eniConfigs({ name: 'cfg', subnet: 'subnet-p', sgs: ['sg-p'] })),
    );
    assert.deepEqual(known(network(model, 'n1')).attachment, [
      'custom networking: ENIConfig cfg (named by node n1; no aws-node DaemonSet in the snapshot) gives pods subnet subnet-p and SGs sg-p',
      "confirmed by the node's pod ENIs: eni-n1-1 (device index 1; 2 secondary IPv4 addresses) in subnet subnet-p with SGs sg-p",
    ]);
    assert.deepEqual(notes(model, 'inferred-from-enis'), [
      'no aws-node DaemonSet in the snapshot: pods on n1 (node group gpu) use ENIConfig cfg (subnet subnet-p, SGs sg-p), as their ENIs show',
    ]);
  });

  it('a node naming an ENIConfig, no pod ENI to show it: unresolved', () => {
    const model = modelOf(
      addNode(base(), 'n1', '10.0.0.10', { labels: { 'k8s.amazonaws.com/eniConfig': 'cfg' } }).file(
        'k8s/eniconfigs.json',
        eniConfigs({ name: 'cfg', subnet: 'subnet-p', sgs: ['sg-p'] }),
      ),
    );
    assert.equal(
      reason(network(model, 'n1')),
      'no aws-node DaemonSet in the snapshot: node n1 names ENIConfig cfg (subnet subnet-p, SGs sg-p), but no ENI of it shows whether custom networking uses it',
    );
  });

  it('a custom node proves custom networking: a node with no pod ENI is then unresolved', () => {
    const model = modelOf(
      addNode(addNode(base(), 'n1', '10.0.0.10', { podEni: CUSTOM_P }), 'n2', '10.0.0.20'),
    );
    assert.equal(known(network(model, 'n1')).subnetId, 'subnet-p');
    assert.equal(
      reason(network(model, 'n2')),
      "no aws-node DaemonSet in the snapshot: custom networking shows on node n1's eni-n1-1, but no ENI of node n2 carries pod addresses to show its pods' subnet and SGs",
    );
    assert.deepEqual(
      model.warnings.filter((w) => /aws-node/.test(w.message)),
      [],
    );
  });

  it('the same ENIConfig node proves custom networking too', () => {
    const model = modelOf(
      addNode(
        addNode(base(), 'n1', '10.0.0.10', {
          labels: { 'k8s.amazonaws.com/eniConfig': 'cfg' },
          podEni: CUSTOM_P,
        }),
        'n2',
        '10.0.0.20',
      ).file('k8s/eniconfigs.json', eniConfigs({ name: 'cfg', subnet: 'subnet-p', sgs: ['sg-p'] })),
    );
    assert.match(reason(network(model, 'n2')), /custom networking shows on node n1's eni-n1-1,/);
  });

  it('pod IPs on the primary ENI only: its subnet and groups, said so, with its id', () => {
    const model = modelOf(
      addNode(addNode(base(), 'n1', '10.0.0.10', { podIps: ['10.0.0.11'] }), 'n2', '10.0.0.20', {
        podIps: ['10.0.0.21', '10.0.0.22'],
      }),
    );
    const n1 = known(network(model, 'n1'));
    assert.equal(n1.eniId, 'eni-n1-0');
    assert.equal(n1.subnetId, 'subnet-n');
    assert.deepEqual(n1.attachment, [
      "no aws-node DaemonSet in the snapshot: the node's pod ENIs eni-n1-0 (device index 0; 1 secondary IPv4 address) in subnet subnet-n with SGs sg-n, as the primary ENI eni-n1-0 (subnet subnet-n, SGs sg-n): pods take its subnet and SGs",
    ]);
    assert.deepEqual(notes(model, 'inferred-from-enis'), [
      "no aws-node DaemonSet in the snapshot: pods on n1, n2 (node group gpu) use the primary ENI's subnet subnet-n and SGs sg-n, as their ENIs (eni-n1-0, … of n1 and the others) show",
    ]);
  });

  it('custom networking on two nodes of a group: one note naming both', () => {
    const model = modelOf(
      addNode(addNode(base(), 'n1', '10.0.0.10', { podEni: CUSTOM_P }), 'n2', '10.0.0.20', {
        podEni: { ...CUSTOM_P, ips: ['100.64.0.30', '100.64.0.31'] },
      }),
    );
    assert.deepEqual(notes(model, 'inferred-from-enis'), [
      "no aws-node DaemonSet in the snapshot: custom networking inferred on n1, n2 (node group gpu): pods use subnet subnet-p and SGs sg-p, as the secondary ENIs (eni-n1-1, … of n1 and the others) show, not the primary ENI's",
    ]);
  });

  it('a pod ENI in the node’s subnet with other groups: "other SGs" only', () => {
    const model = modelOf(
      addNode(base(), 'n1', '10.0.0.10', {
        podEni: { subnet: 'subnet-n', sgs: ['sg-p'], ips: ['10.0.0.40', '10.0.0.41'] },
      }),
    );
    assert.match(
      known(network(model, 'n1')).attachment[0]!,
      /with SGs sg-p, other SGs than the primary ENI eni-n1-0/,
    );
  });

  it('a pod ENI in another subnet with the same groups: "another subnet" only', () => {
    const model = modelOf(
      addNode(base(), 'n1', '10.0.0.10', {
        podEni: { subnet: 'subnet-p', sgs: ['sg-n'], ips: ['100.64.0.40', '100.64.0.41'] },
      }),
    );
    assert.match(
      known(network(model, 'n1')).attachment[0]!,
      /with SGs sg-n, another subnet than the primary ENI eni-n1-0/,
    );
  });

  it('no pod ENI anywhere: the defaults, with a warning naming the nodes (three, then how many more)', () => {
    let s = base();
    for (const [i, name] of ['n1', 'n2', 'n3', 'n4'].entries()) s = addNode(s, name, `10.0.0.${10 + i}`);
    const model = modelOf(s);
    const n1 = known(network(model, 'n1'));
    assert.equal(n1.eniId, 'eni-n1-0');
    assert.deepEqual(n1.attachment, [
      "no aws-node DaemonSet and no pod ENI on n1: assumed VPC CNI defaults, pods copy the primary ENI eni-n1-0's subnet and SGs",
    ]);
    assert.deepEqual(
      model.warnings.filter((w) => /aws-node/.test(w.message)),
      [
        {
          code: 'missing-data',
          message:
            "no aws-node DaemonSet in the snapshot, and no ENI of n1, n2, n3 and 1 more shows pod addresses: assumed VPC CNI defaults there (no custom networking: pods copy the primary ENI's subnet and SGs)",
        },
      ],
    );
  });
});

describe('which ENIs show pod addresses', () => {
  const managedTag = (s: string) => ({ 'node.k8s.amazonaws.com/instance_id': s });

  it('trunk, EFA, no_manage and second-network-card ENIs are not pod ENIs', () => {
    const model = modelOf(
      addNode(base(), 'n1', '10.0.0.10', {
        moreEnis: [
          { subnet: 'subnet-q', sgs: ['sg-q'], ips: ['100.64.64.1', '100.64.64.2'], type: 'trunk' },
          { subnet: 'subnet-q', sgs: ['sg-q'], ips: ['100.64.64.3', '100.64.64.4'], type: 'efa' },
          {
            subnet: 'subnet-q',
            sgs: ['sg-q'],
            ips: ['100.64.64.5', '100.64.64.6'],
            tags: { 'node.k8s.amazonaws.com/no_manage': 'TRUE' },
          },
          { subnet: 'subnet-q', sgs: ['sg-q'], ips: ['100.64.64.7', '100.64.64.8'], networkCardIndex: 1 },
        ],
      }),
    );
    assert.match(known(network(model, 'n1')).attachment[0]!, /^no aws-node DaemonSet and no pod ENI on n1/);
  });

  it('a no_manage tag set to false does not exclude the ENI', () => {
    const model = modelOf(
      addNode(base(), 'n1', '10.0.0.10', {
        moreEnis: [
          {
            subnet: 'subnet-q',
            sgs: ['sg-q'],
            ips: ['100.64.64.5', '100.64.64.6'],
            tags: { 'node.k8s.amazonaws.com/no_manage': 'false' },
          },
        ],
      }),
    );
    assert.equal(known(network(model, 'n1')).subnetId, 'subnet-q');
  });

  it('an ENI the CNI created with no address handed out yet: "created by the VPC CNI"', () => {
    const model = modelOf(
      addNode(base(), 'n1', '10.0.0.10', {
        moreEnis: [{ subnet: 'subnet-q', sgs: ['sg-q'], ips: ['100.64.64.5'], tags: managedTag('i-1') }],
      }),
    );
    assert.match(
      known(network(model, 'n1')).attachment[0]!,
      /eni-n1-2 \(device index 2; created by the VPC CNI\)/,
    );
  });

  it('an ENI with no address handed out and not the CNI’s: no evidence', () => {
    const model = modelOf(
      addNode(base(), 'n1', '10.0.0.10', {
        moreEnis: [{ subnet: 'subnet-q', sgs: ['sg-q'], ips: ['100.64.64.5'] }],
      }),
    );
    assert.match(known(network(model, 'n1')).attachment[0]!, /^no aws-node DaemonSet and no pod ENI on n1/);
  });

  it('a prefix on the primary ENI is evidence; the primary alone with nothing handed out is not', () => {
    const model = modelOf(addNode(base(), 'n1', '10.0.0.10', { prefixes: ['10.0.1.0/28'] }));
    assert.match(
      known(network(model, 'n1')).attachment[0]!,
      /eni-n1-0 \(device index 0; delegated prefix 10\.0\.1\.0\/28\)/,
    );
  });

  it('an IPv6 cluster: IPv6 addresses past the node’s own count, and IPv6 prefixes', () => {
    const model = modelOf(
      base().node('n1', {
        group: 'gpu',
        subnet: 'subnet-n',
        ip: '10.0.0.10',
        sgs: ['sg-n'],
        podIps: ['10.0.0.11'],
        ipv6PodIps: ['2600:db8::10', '2600:db8::11'],
      }),
      {
        'aws/describe-cluster.json': (doc) => {
          (doc.cluster as Record<string, unknown>).kubernetesNetworkConfig = { ipFamily: 'ipv6' };
        },
      },
    );
    assert.match(
      known(network(model, 'n1')).attachment[0]!,
      /eni-n1-0 \(device index 0; 1 IPv6 address\) in subnet subnet-n/,
      'the node’s own IPv6 address is not a pod’s, and IPv4 secondaries do not count',
    );
  });

  it('an IPv6 cluster whose primary ENI has only the node’s own IPv6 address: no evidence', () => {
    const model = modelOf(
      base().node('n1', {
        group: 'gpu',
        subnet: 'subnet-n',
        ip: '10.0.0.10',
        sgs: ['sg-n'],
        podIps: ['10.0.0.11'],
        prefixes: ['10.0.1.0/28'],
        ipv6PodIps: ['2600:db8::10'],
      }),
      {
        'aws/describe-cluster.json': (doc) => {
          (doc.cluster as Record<string, unknown>).kubernetesNetworkConfig = { ipFamily: 'ipv6' };
        },
      },
    );
    assert.match(known(network(model, 'n1')).attachment[0]!, /^no aws-node DaemonSet and no pod ENI on n1/);
  });

  it('an IPv6 cluster: a secondary ENI’s IPv6 addresses all count, and several read "addresses"', () => {
    const model = modelOf(
      addNode(base(), 'n1', '10.0.0.10', {
        moreEnis: [{ subnet: 'subnet-q', sgs: ['sg-q'], ips: ['100.64.64.5'] }],
      }),
      {
        'aws/describe-cluster.json': (doc) => {
          (doc.cluster as Record<string, unknown>).kubernetesNetworkConfig = { ipFamily: 'ipv6' };
        },
        'aws/network-interfaces.json': (doc) => {
          const enis = doc.NetworkInterfaces as Record<string, unknown>[];
          enis.find((e) => e.NetworkInterfaceId === 'eni-n1-2')!.Ipv6Addresses = [
            { Ipv6Address: '2600:db8::20' },
            { Ipv6Address: '2600:db8::21' },
          ];
          enis.find((e) => e.NetworkInterfaceId === 'eni-n1-2')!.Ipv6Prefixes = [
            { Ipv6Prefix: '2600:db8:0:0:1::/80' },
          ];
        },
      },
    );
    assert.match(
      known(network(model, 'n1')).attachment[0]!,
      /eni-n1-2 \(device index 2; 2 IPv6 addresses, delegated prefix 2600:db8:0:0:1::\/80\)/,
    );
  });
});

describe('the primary ENI', () => {
  it('device index 0 on network card 0, even listed after another card’s device 0', () => {
    const model = modelOf(
      addNode(base().cni({}), 'n1', '10.0.0.10', {
        podEni: CUSTOM_P,
      }),
      OTHER_CARD_DEVICE_ZERO_FIRST,
    );
    assert.equal(known(network(model, 'n1')).eniId, 'eni-n1-0');
  });

  it('no device index: the ENI holding the node’s IP', () => {
    const model = modelOf(addNode(base().cni({}), 'n1', '10.0.0.10', { podEni: CUSTOM_P }), {
      'aws/network-interfaces.json': (doc) => {
        for (const eni of doc.NetworkInterfaces as RawEni[]) delete eni.Attachment.DeviceIndex;
      },
    });
    assert.equal(known(network(model, 'n1')).eniId, 'eni-n1-0');
  });

  it('no device index and no ENI holding the node’s IP: the first attached', () => {
    const model = modelOf(addNode(base().cni({}), 'n1', '10.0.0.10', { podEni: CUSTOM_P }), {
      ...NO_DEVICE_INDEX_REVERSED,
      ...NO_NODE_ADDRESSES,
    });
    assert.equal(known(network(model, 'n1')).eniId, 'eni-n1-1');
  });
});
