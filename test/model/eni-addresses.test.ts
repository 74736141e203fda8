/**
 * How the ENI index reads addresses (model/network.ts): which private IPs are secondary, how an
 * address is found, and the order of an instance's ENIs. EC2 API Reference: an ENI's
 * `PrivateIpAddresses` lists its primary private IPv4 address (`Primary: true`) and its secondary
 * ones; `Primary` may be left out of a trimmed capture, and then the address equal to
 * `PrivateIpAddress` is still the primary one. An `efa-only` interface has no IP address at all.
 * An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2) names the IPv4 host it
 * carries; any other IPv6 address is never inside an IPv4 prefix.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressKey } from '../../src/model/network.ts';
import { modelFromFiles, type Json } from './model-of.ts';

const INSTANCE = 'i-0000000000000000a';
const enis = (...NetworkInterfaces: Json[]) =>
  modelFromFiles({ 'aws/network-interfaces.json': { NetworkInterfaces } });

describe('secondary private IPv4 addresses', () => {
  it('with no Primary flags, the address equal to PrivateIpAddress is not a secondary one', () => {
    const model = enis({
      NetworkInterfaceId: 'eni-1',
      PrivateIpAddress: '10.0.0.10',
      PrivateIpAddresses: [
        { PrivateIpAddress: '10.0.0.10' },
        { PrivateIpAddress: '10.0.0.11' },
        { PrivateIpAddress: '10.0.0.12' },
      ],
    });
    assert.equal(model.enis.get('eni-1')!.secondaryIpv4Count, 2);
  });

  it('with no PrivateIpAddress, the address flagged Primary is not a secondary one', () => {
    const model = enis({
      NetworkInterfaceId: 'eni-1',
      PrivateIpAddresses: [
        { PrivateIpAddress: '10.0.0.10', Primary: true },
        { PrivateIpAddress: '10.0.0.11', Primary: false },
      ],
    });
    assert.equal(model.enis.get('eni-1')!.secondaryIpv4Count, 1);
  });
});

describe('finding addresses', () => {
  const model = enis({
    NetworkInterfaceId: 'eni-1',
    PrivateIpAddress: '10.0.0.10',
    Ipv4Prefixes: [{ Ipv4Prefix: '10.0.1.0/28' }],
    Ipv6Prefixes: [{ Ipv6Prefix: '2600:db8:0:0:1::/80' }],
  });

  it('an IPv4-mapped IPv6 address keys and finds as the IPv4 address it carries', () => {
    assert.equal(addressKey('::ffff:10.0.0.10'), '10.0.0.10');
    assert.equal(model.eniForAddress('::ffff:10.0.0.10')?.id, 'eni-1');
    assert.equal(model.eniForAddress('::ffff:10.0.1.5')?.id, 'eni-1', 'inside the IPv4 prefix');
  });

  it('an IPv6 address whose low 32 bits fall in an IPv4 prefix is not in it', () => {
    assert.equal(model.eniForAddress('10.0.1.5')?.id, 'eni-1');
    assert.equal(model.eniForAddress('::a00:105'), undefined, '::10.0.1.5 is an IPv6 address');
  });
});

describe('an instance’s ENIs', () => {
  it('in device-index order whatever the listed order, those with none last', () => {
    const attached = (id: string, DeviceIndex?: number): Json => ({
      NetworkInterfaceId: id,
      Attachment: { InstanceId: INSTANCE, ...(DeviceIndex === undefined ? {} : { DeviceIndex }) },
    });
    const model = enis(
      attached('eni-none'),
      attached('eni-3', 3),
      attached('eni-2', 2),
      attached('eni-0', 0),
      attached('eni-1', 1),
    );
    assert.deepEqual(
      model.enisOfInstance(INSTANCE).map((e) => e.id),
      ['eni-0', 'eni-1', 'eni-2', 'eni-3', 'eni-none'],
    );
  });
});
