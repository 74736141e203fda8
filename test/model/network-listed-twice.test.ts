/**
 * Network ACLs, subnets and prefix lists as the model reads them when the input repeats or leaves
 * things out (model/network.ts). A paged `describe-*` capture can list an object twice: the model
 * keeps the first listing, as it does for ENIs (network-index.test.ts), and cites it. A NACL entry carries
 * `CidrBlock` or `Ipv6CidrBlock` (EC2 API Reference, `NetworkAclEntry`); one with neither matches
 * no address. `describe-prefix-lists` gives an AWS-managed list's name with its `Cidrs`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modelFromFiles, type Json } from './model-of.ts';

const entry = (RuleNumber: number, extra: Json): Json => ({
  RuleNumber,
  Egress: false,
  RuleAction: 'allow',
  Protocol: '-1',
  ...extra,
});

describe('listed twice', () => {
  it('a NACL (the same twice; the parser refuses two different captures): the first listing is cited', () => {
    const acl = { NetworkAclId: 'acl-1', Entries: [entry(100, { CidrBlock: '10.0.0.0/16' })] };
    const model = modelFromFiles({ 'aws/network-acls.json': { NetworkAcls: [acl, acl] } });
    const nacl = model.nacls.get('acl-1')!;
    assert.deepEqual(nacl.origin, { file: 'aws/network-acls.json', path: 'NetworkAcls[0]' });
    assert.deepEqual(
      nacl.inbound.map((e) => e.origin.path),
      ['NetworkAcls[0].Entries[0]'],
    );
  });

  it('a subnet: the first listing’s block', () => {
    const model = modelFromFiles({
      'aws/subnets.json': {
        Subnets: [
          { SubnetId: 'subnet-a', CidrBlock: '10.0.0.0/24' },
          { SubnetId: 'subnet-a', CidrBlock: '10.0.9.0/24' },
        ],
      },
    });
    assert.deepEqual(model.subnets.get('subnet-a')!.cidrText, ['10.0.0.0/24']);
  });
});

describe('left out', () => {
  it('a NACL entry with no block is dropped, the others kept', () => {
    const model = modelFromFiles({
      'aws/network-acls.json': {
        NetworkAcls: [
          { NetworkAclId: 'acl-1', Entries: [entry(100, {}), entry(200, { CidrBlock: '10.0.0.0/16' })] },
        ],
      },
    });
    assert.deepEqual(
      model.nacls.get('acl-1')!.inbound.map((e) => e.ruleNumber),
      [200],
    );
  });

  it('an AWS-managed prefix list with Cidrs and no entries file keeps its name', () => {
    const model = modelFromFiles({
      'aws/prefix-lists.json': {
        PrefixLists: [
          { PrefixListId: 'pl-0aaa', PrefixListName: 'com.amazonaws.us-west-2.s3', Cidrs: ['52.0.0.0/15'] },
        ],
      },
    });
    assert.equal(model.prefixLists.get('pl-0aaa')!.name, 'com.amazonaws.us-west-2.s3');
  });
});
