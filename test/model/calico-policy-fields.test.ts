/**
 * How a Calico policy's fields enter the model (model/policy/calico.ts), per Calico's reference
 * (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy, …/globalnetworkpolicy):
 * - a protocol is a name (any case) or a number: 1 is ICMP, 6 TCP, 17 UDP, 58 ICMPv6;
 * - a port is a number, `"start:end"`, or a named port; a bare address in `nets` is its /32;
 * - `types` defaults to Ingress, plus Egress when egress rules are present, Egress alone when only
 *   egress rules are; a NetworkPolicy's namespace defaults to "default", `selector` to `all()`;
 * - `namespaceSelector` belongs to a GlobalNetworkPolicy, not to a namespaced NetworkPolicy.
 * Every field the model reads is in the modelled subset; any other one is named (on the policy:
 * outside the subset; on a rule: unmodelled), a source port included (the client's ephemeral port).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CalicoPolicyModel } from '../../src/model/policy/calico.ts';
import { calicoGnp, calicoNp, type Json } from '../helpers/policy-objects.ts';
import { list, modelFromFiles } from './model-of.ts';

function calicoModel(policy: Json): CalicoPolicyModel {
  const [model] = modelFromFiles({ 'k8s/calico.json': list(policy) }).policies.calico;
  assert.ok(model);
  return model;
}
const onlyRule = (rule: Json, direction: 'ingress' | 'egress' = 'ingress') =>
  calicoModel(calicoNp('prod', 'p', { [direction]: [rule] }))[direction][0]!;

// 10.0.0.0/16 is 167772160 (0x0A000000) to 167837695 (0x0A00FFFF).
const tenZeroSlash16 = { family: 4, start: 167772160n, end: 167837695n };
const tenZeroZeroFive = { family: 4, start: 167772165n, end: 167772165n };

describe('every field of the modelled subset, and nothing named outside it', () => {
  const full = calicoGnp('full', {
    order: 10,
    tier: 'default',
    selector: "role == 'db'",
    namespaceSelector: "team == 'ml'",
    serviceAccountSelector: 'all()',
    types: ['Ingress', 'Egress'],
    doNotTrack: false,
    preDNAT: false,
    applyOnForward: false,
    performanceHints: ['AssumeNeededOnEveryNode'],
    ingress: [
      {
        metadata: { annotations: { why: 'clients' } },
        action: 'Allow',
        protocol: 'TCP',
        ipVersion: 4,
        source: {
          nets: ['10.0.0.0/16'],
          notNets: ['10.0.0.5'],
          selector: "role == 'client'",
          notSelector: "role == 'batch'",
          namespaceSelector: 'all()',
        },
        destination: { ports: [5432, '6000:6010', 'metrics'], notPorts: [6005] },
      },
    ],
    egress: [{ action: 'Deny', notProtocol: 'UDP' }],
  });

  it('the policy: nothing outside; its order, namespaceSelector and types kept', () => {
    const m = calicoModel(full);
    assert.deepEqual(m.outside, []);
    assert.equal(m.kind, 'GlobalNetworkPolicy');
    assert.equal(m.apiVersion, 'projectcalico.org/v3');
    assert.equal(m.namespace, undefined);
    assert.equal(m.order, 10);
    assert.deepEqual(m.types, { ingress: true, egress: true });
    assert.deepEqual(m.namespaceSelector, { op: '==', key: 'team', value: 'ml' });
    assert.deepEqual(m.selector, { op: '==', key: 'role', value: 'db' });
  });

  it('its rules: nothing unmodelled; protocol, addresses, selectors and ports as written', () => {
    const m = calicoModel(full);
    assert.deepEqual(m.ingress, [
      {
        index: 0,
        action: 'Allow',
        protocol: 'tcp',
        ipVersion: 4,
        source: {
          nets: [tenZeroSlash16],
          notNets: [tenZeroZeroFive],
          selector: { op: '==', key: 'role', value: 'client' },
          notSelector: { op: '==', key: 'role', value: 'batch' },
          namespaceSelector: { op: 'all' },
        },
        destination: {
          ports: [{ from: 5432, to: 5432 }, { from: 6000, to: 6010 }, { name: 'metrics' }],
          notPorts: [{ from: 6005, to: 6005 }],
        },
        unmodelled: [],
      },
    ]);
    assert.deepEqual(m.egress, [
      { index: 0, action: 'Deny', notProtocol: 'udp', source: {}, destination: {}, unmodelled: [] },
    ]);
  });
});

describe('protocols and ports', () => {
  it('protocol numbers: the four Calico names, others proto-N', () => {
    const protocolOf = (p: unknown) => onlyRule({ action: 'Allow', protocol: p }).protocol;
    assert.equal(protocolOf(1), 'icmp');
    assert.equal(protocolOf(6), 'tcp');
    assert.equal(protocolOf('17'), 'udp');
    assert.equal(protocolOf(58), 'icmpv6');
    assert.equal(protocolOf('006'), 'tcp');
    assert.equal(protocolOf(132), 'proto-132');
    assert.equal(protocolOf('ICMPv6'), 'icmpv6');
    assert.equal(onlyRule({ action: 'Allow', notProtocol: 17 }).notProtocol, 'udp');
  });

  it('no protocol, null protocol: no key', () => {
    const r = onlyRule({ action: 'Allow', protocol: null, notProtocol: null, ipVersion: null });
    assert.equal('protocol' in r, false);
    assert.equal('notProtocol' in r, false);
    assert.equal('ipVersion' in r, false);
  });

  it('a single port written as text is a one-port range', () => {
    assert.deepEqual(onlyRule({ action: 'Allow', destination: { ports: ['9000'] } }).destination.ports, [
      { from: 9000, to: 9000 },
    ]);
  });
});

describe('named ports', () => {
  // A Kubernetes port name (IANA_SVC_NAME) holds at least one letter and may begin or end with digits.
  it('a name beginning or ending with digits is a name, not a port number', () => {
    assert.deepEqual(
      onlyRule({ action: 'Allow', destination: { ports: ['grpc-9000', '8080-web', 'h2'] } }).destination
        .ports,
      [{ name: 'grpc-9000' }, { name: '8080-web' }, { name: 'h2' }],
    );
  });
});

describe('what lies outside the modelled subset is named', () => {
  it('a source port or notPort: the client’s port is not fixed by the flow', () => {
    assert.deepEqual(onlyRule({ action: 'Allow', source: { ports: [80] } }).unmodelled, ['source.ports']);
    assert.deepEqual(onlyRule({ action: 'Allow', source: { notPorts: [80] } }).unmodelled, [
      'source.notPorts',
    ]);
    assert.deepEqual(onlyRule({ action: 'Allow', source: { ports: [], notPorts: [] } }).unmodelled, []);
  });

  it('unknown rule and entity keys, unless empty or null', () => {
    const r = onlyRule({
      action: 'Allow',
      http: { methods: ['GET'] },
      icmp: null,
      source: { serviceAccounts: { names: ['a'] }, nets: [] },
      destination: { services: { name: 'db' }, selector: '  ' },
    });
    assert.deepEqual(r.unmodelled, ['http', 'source.serviceAccounts', 'destination.services']);
    assert.deepEqual(r.source, {});
    assert.deepEqual(r.destination, {});
  });

  it('policy-level: another tier, a serviceAccountSelector, host-endpoint flags, unknown keys', () => {
    const m = calicoModel(
      calicoGnp('g', {
        tier: 'security',
        serviceAccountSelector: "role == 'x'",
        doNotTrack: true,
        applyOnForward: true,
        stagedAction: 'Set',
      }),
    );
    assert.deepEqual(m.outside, [
      'spec.stagedAction is not modelled',
      'it is in tier security, and only the default tier is modelled',
      'its serviceAccountSelector needs service accounts, which are not modelled',
      'doNotTrack (host-endpoint policy) is not modelled',
      'applyOnForward (host-endpoint policy) is not modelled',
    ]);
    assert.deepEqual(calicoModel(calicoGnp('h', { preDNAT: true, serviceAccountSelector: ' ' })).outside, [
      'preDNAT (host-endpoint policy) is not modelled',
    ]);
  });

  it('a namespaced NetworkPolicy with a namespaceSelector: outside, and the selector not applied', () => {
    const m = calicoModel(calicoNp('prod', 'p', { namespaceSelector: "team == 'ml'" }));
    assert.deepEqual(m.outside, ['a namespaced NetworkPolicy has no spec.namespaceSelector']);
    assert.equal('namespaceSelector' in m, false);
  });
});

describe('defaults', () => {
  it('types: Ingress with no rules or ingress rules, Egress alone for egress rules only, both for both', () => {
    const typesOf = (spec: Json) => calicoModel(calicoNp('prod', 'p', spec)).types;
    assert.deepEqual(typesOf({}), { ingress: true, egress: false });
    assert.deepEqual(typesOf({ types: [] }), { ingress: true, egress: false });
    assert.deepEqual(typesOf({ ingress: [{ action: 'Allow' }] }), { ingress: true, egress: false });
    assert.deepEqual(typesOf({ egress: [{ action: 'Allow' }] }), { ingress: false, egress: true });
    assert.deepEqual(typesOf({ ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] }), {
      ingress: true,
      egress: true,
    });
    assert.deepEqual(typesOf({ types: ['Egress'], ingress: [{ action: 'Allow' }] }), {
      ingress: false,
      egress: true,
    });
  });

  it('a NetworkPolicy without namespace is in "default"; no order, no key; selector all()', () => {
    const m = calicoModel({
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'p' },
      spec: { order: null },
    });
    assert.equal(m.namespace, 'default');
    assert.equal('order' in m, false);
    assert.deepEqual(m.selector, { op: 'all' });
    assert.deepEqual(m.ingress, []);
    assert.deepEqual(m.egress, []);
  });

  it('a policy without spec: selects all, ingress only, nothing outside', () => {
    const m = calicoModel({
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'g' },
    });
    assert.deepEqual(m.selector, { op: 'all' });
    assert.deepEqual(m.types, { ingress: true, egress: false });
    assert.deepEqual(m.outside, []);
    assert.equal('namespaceSelector' in m, false);
  });

  it('order 0 is an order', () => {
    assert.equal(calicoModel(calicoNp('prod', 'p', { order: 0 })).order, 0);
  });
});
