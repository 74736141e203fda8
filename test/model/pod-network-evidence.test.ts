/**
 * Which ENI is a node's primary one, which of its ENIs show pod addresses, and the words that name
 * them (model/pod-network.ts). EC2 User Guide: the primary network interface is device index 0 on
 * network card 0; an `efa` interface is an ENA with EFA added and carries IP traffic like one.
 * VPC CNI (amazon-vpc-cni-k8s README): in an IPv4 cluster pods get IPv4 addresses only, so an ENI's
 * IPv6 addresses are no pod's; under default networking pods take secondary IPs on the primary ENI.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Scenario } from '../helpers/scenario.ts';
import { modelOf, type Json } from './model-of.ts';
import {
  CUSTOM_P,
  NO_DEVICE_INDEX_REVERSED,
  NO_NODE_ADDRESSES,
  OTHER_CARD_DEVICE_ZERO_FIRST,
  addNode,
  base,
  known,
  network,
  notes,
  rawEni,
  reason,
} from './pod-network-world.ts';

describe('the primary ENI', () => {
  it('device index 0 on network card 0 even when the node reports no address and another card’s device 0 is listed first', () => {
    const model = modelOf(addNode(base().cni({}), 'n1', '10.0.0.10', { podEni: CUSTOM_P }), {
      ...NO_NODE_ADDRESSES,
      ...OTHER_CARD_DEVICE_ZERO_FIRST,
    });
    assert.equal(known(network(model, 'n1')).eniId, 'eni-n1-0');
  });

  it('no device index anywhere: the ENI holding the node’s IP, not the first listed', () => {
    const model = modelOf(
      addNode(base().cni({}), 'n1', '10.0.0.10', { podEni: CUSTOM_P }),
      NO_DEVICE_INDEX_REVERSED,
    );
    assert.equal(known(network(model, 'n1')).eniId, 'eni-n1-0');
  });

  it('an EFA primary ENI with secondary IPs shows where pods sit (the EFA and trunk exclusions are for secondary ENIs)', () => {
    const model = modelOf(addNode(base(), 'n1', '10.0.0.10', { podIps: ['10.0.0.11'] }), {
      'aws/network-interfaces.json': (doc) => void (rawEni(doc, 'eni-n1-0').InterfaceType = 'efa'),
    });
    assert.deepEqual(known(network(model, 'n1')).attachment, [
      "no aws-node DaemonSet in the snapshot: the node's pod ENIs eni-n1-0 (device index 0; 1 secondary IPv4 address) in subnet subnet-n with SGs sg-n, as the primary ENI eni-n1-0 (subnet subnet-n, SGs sg-n): pods take its subnet and SGs",
    ]);
  });
});

describe('what shows pod addresses', () => {
  it('an IPv4 cluster: a secondary ENI’s IPv6 addresses are no pod’s', () => {
    const model = modelOf(
      addNode(base(), 'n1', '10.0.0.10', {
        moreEnis: [{ subnet: 'subnet-q', sgs: ['sg-q'], ips: ['100.64.64.5'] }],
      }),
      {
        'aws/network-interfaces.json': (doc) =>
          void (rawEni(doc, 'eni-n1-2').Ipv6Addresses = [
            { Ipv6Address: '2600:db8::20' },
            { Ipv6Address: '2600:db8::21' },
          ]),
      },
    );
    assert.match(known(network(model, 'n1')).attachment[0]!, /^no aws-node DaemonSet and no pod ENI on n1/);
  });
});

describe('the groups and words of the evidence', () => {
  it('the groups come sorted, in the pod network and in the words, the primary ENI’s too', () => {
    const model = modelOf(
      addNode(base(), 'n1', '10.0.0.10', { sgs: ['sg-q', 'sg-n'], podIps: ['10.0.0.11'] }),
    );
    const n = known(network(model, 'n1'));
    assert.deepEqual(n.groupIds, ['sg-n', 'sg-q']);
    assert.deepEqual(n.attachment, [
      "no aws-node DaemonSet in the snapshot: the node's pod ENIs eni-n1-0 (device index 0; 1 secondary IPv4 address) in subnet subnet-n with SGs sg-n, sg-q, as the primary ENI eni-n1-0 (subnet subnet-n, SGs sg-n, sg-q): pods take its subnet and SGs",
    ]);
  });

  it('a pod ENI with no group: "no SGs"', () => {
    const model = modelOf(addNode(base(), 'n1', '10.0.0.10', { podEni: { ...CUSTOM_P, sgs: [] } }));
    assert.deepEqual(known(network(model, 'n1')).groupIds, []);
    assert.deepEqual(notes(model, 'inferred-from-enis'), [
      "no aws-node DaemonSet in the snapshot: custom networking inferred on n1 (node group gpu): pods use subnet subnet-p and SGs no SGs, as the secondary ENIs (eni-n1-1 of n1) show, not the primary ENI's",
    ]);
  });

  it('a pod ENI with no device index: "device index ?"', () => {
    const model = modelOf(addNode(base(), 'n1', '10.0.0.10', { podEni: CUSTOM_P }), {
      'aws/network-interfaces.json': (doc) =>
        void delete (rawEni(doc, 'eni-n1-1').Attachment as Json).DeviceIndex,
    });
    assert.match(
      known(network(model, 'n1')).attachment[0]!,
      /pod ENIs eni-n1-1 \(device index \?; 2 secondary/,
    );
  });

  it('a pod ENI with no subnet: "(unknown)", in the attachment and the note', () => {
    const model = modelOf(addNode(base(), 'n1', '10.0.0.10', { podEni: CUSTOM_P }), {
      'aws/network-interfaces.json': (doc) => void delete rawEni(doc, 'eni-n1-1').SubnetId,
    });
    const n = known(network(model, 'n1'));
    assert.equal(n.subnetId, undefined);
    assert.match(
      n.attachment[0]!,
      /2 secondary IPv4 addresses\) in subnet \(unknown\) with SGs sg-p, another subnet/,
    );
    assert.deepEqual(notes(model, 'inferred-from-enis'), [
      "no aws-node DaemonSet in the snapshot: custom networking inferred on n1 (node group gpu): pods use subnet (unknown) and SGs sg-p, as the secondary ENIs (eni-n1-1 of n1) show, not the primary ENI's",
    ]);
  });

  it('a primary ENI with no subnet: "(unknown)", and a note for one node names it', () => {
    const model = modelOf(addNode(base(), 'n1', '10.0.0.10', { podIps: ['10.0.0.11'] }), {
      'aws/network-interfaces.json': (doc) => void delete rawEni(doc, 'eni-n1-0').SubnetId,
    });
    assert.deepEqual(known(network(model, 'n1')).attachment, [
      "no aws-node DaemonSet in the snapshot: the node's pod ENIs eni-n1-0 (device index 0; 1 secondary IPv4 address) in subnet (unknown) with SGs sg-n, as the primary ENI eni-n1-0 (subnet (unknown), SGs sg-n): pods take its subnet and SGs",
    ]);
    assert.deepEqual(notes(model, 'inferred-from-enis'), [
      "no aws-node DaemonSet in the snapshot: pods on n1 (node group gpu) use the primary ENI's subnet (unknown) and SGs sg-n, as their ENIs (eni-n1-0 of n1) show",
    ]);
  });

  it('several ENIs of one node in a note: listed with ", " (custom networking and the defaults)', () => {
    const custom = modelOf(
      addNode(base(), 'n1', '10.0.0.10', {
        podEni: CUSTOM_P,
        moreEnis: [{ subnet: 'subnet-p', sgs: ['sg-p'], ips: ['100.64.0.20', '100.64.0.21'] }],
      }),
    );
    assert.match(
      notes(custom, 'inferred-from-enis')[0]!,
      /as the secondary ENIs \(eni-n1-1, eni-n1-2 of n1\) show/,
    );
    const defaults = modelOf(
      addNode(base(), 'n1', '10.0.0.10', {
        podIps: ['10.0.0.11'],
        moreEnis: [{ subnet: 'subnet-n', sgs: ['sg-n'], ips: ['10.0.0.20', '10.0.0.21'] }],
      }),
    );
    assert.match(
      notes(defaults, 'inferred-from-enis')[0]!,
      /as their ENIs \(eni-n1-0, eni-n1-2 of n1\) show$/,
    );
  });

  it('no aws-node and pod ENIs that disagree: the reason leads with the missing DaemonSet', () => {
    const model = modelOf(
      addNode(base(), 'n1', '10.0.0.10', {
        podEni: CUSTOM_P,
        moreEnis: [{ subnet: 'subnet-q', sgs: ['sg-q'], ips: ['100.64.64.5', '100.64.64.6'] }],
      }),
    );
    assert.match(
      reason(network(model, 'n1')),
      /^no aws-node DaemonSet in the snapshot, and node n1's pod ENIs disagree: eni-n1-1 /,
    );
  });

  it('exactly three defaulted nodes are all named, with no "and 0 more"', () => {
    let s: Scenario = base();
    for (const [i, name] of ['n1', 'n2', 'n3'].entries()) s = addNode(s, name, `10.0.0.${10 + i}`);
    const warned = modelOf(s).warnings.filter((w) => /aws-node/.test(w.message));
    assert.equal(warned.length, 1);
    assert.match(warned[0]!.message, /no ENI of n1, n2, n3 shows pod addresses:/);
  });
});
