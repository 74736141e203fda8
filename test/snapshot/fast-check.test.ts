/**
 * The loader's fast checks (src/snapshot/fast-check.ts) stand for zod schemas: a value a fast check
 * accepts must be one its schema accepts (else bad input would pass unchecked), and the values real
 * captures hold should pass the fast check (else it saves nothing). Checked on every example, on a
 * generated bench snapshot, and on thousands of values damaged at a random place.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import type { z } from 'zod';
import { generate } from '../../bench/generate.ts';
import { fastCheckFor, FAST_CHECKED } from '../../src/snapshot/fast-check.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';
import { parseSnapshot } from '../../src/snapshot/parse.ts';
import { formatIssue, type Snapshot } from '../../src/snapshot/types.ts';

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-fast-check-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The values of each fast-checked kind a snapshot holds, by schema name. */
function valuesOf(snapshot: Snapshot): Record<keyof typeof FAST_CHECKED, unknown[]> {
  const instances = snapshot.instances.map((i) => i.value);
  return {
    K8sPod: snapshot.pods.map((p) => p.value),
    K8sNode: snapshot.nodes.map((n) => n.value),
    NetworkInterface: [
      ...snapshot.networkInterfaces.map((n) => n.value),
      ...instances.flatMap((i) => i.NetworkInterfaces ?? []),
    ],
    Instance: instances,
    Reservation: instances.length > 0 ? [{ Instances: instances }] : [],
    SecurityGroup: snapshot.securityGroups.map((g) => g.value),
    SecurityGroupRule: snapshot.securityGroupRules.map((r) => r.value),
  };
}

const exampleDirs = readdirSync('examples')
  .map((name) => join('examples', name))
  .filter((dir) => statSync(dir).isDirectory() && dir !== join('examples', 'recipes'));

async function corpus(): Promise<Record<keyof typeof FAST_CHECKED, unknown[]>> {
  const all = Object.fromEntries(Object.keys(FAST_CHECKED).map((k) => [k, [] as unknown[]])) as Record<
    keyof typeof FAST_CHECKED,
    unknown[]
  >;
  const generated = join(scratch, 'bench');
  generate({ nodes: 12, out: generated, securityGroups: 20, rules: 400 });
  for (const dir of [...exampleDirs, generated]) {
    let snapshot: Snapshot;
    try {
      snapshot = await loadSnapshot(dir);
    } catch {
      continue; // an example meant to be refused, or not a snapshot directory
    }
    const values = valuesOf(snapshot);
    for (const key of Object.keys(values) as (keyof typeof FAST_CHECKED)[]) all[key].push(...values[key]);
  }
  // No example holds describe-security-group-rules output: rules of each shape it prints.
  all.SecurityGroupRule.push(
    {
      SecurityGroupRuleId: 'sgr-1',
      GroupId: 'sg-0a',
      GroupOwnerId: '1',
      IsEgress: false,
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      CidrIpv4: '10.0.0.0/16',
      Description: 'https',
    },
    {
      SecurityGroupRuleId: 'sgr-2',
      GroupId: 'sg-0a',
      IsEgress: true,
      IpProtocol: '-1',
      FromPort: -1,
      ToPort: -1,
      CidrIpv6: '::/0',
    },
    {
      SecurityGroupRuleId: 'sgr-3',
      GroupId: 'sg-0a',
      IsEgress: false,
      IpProtocol: 'udp',
      FromPort: 1000,
      ToPort: 2000,
      PrefixListId: 'pl-0b',
    },
    {
      SecurityGroupRuleId: 'sgr-4',
      GroupId: 'sg-0a',
      IsEgress: false,
      IpProtocol: '6',
      FromPort: 0,
      ToPort: 65535,
      ReferencedGroupInfo: { GroupId: 'sg-0c', UserId: '1', VpcId: 'vpc-0d' },
    },
    {
      SecurityGroupRuleId: 'sgr-5',
      GroupId: 'sg-0a',
      IsEgress: false,
      IpProtocol: 'icmp',
      FromPort: 8,
      ToPort: -1,
      CidrIpv4: '0.0.0.0/0',
    },
  );
  return all;
}

const values = await corpus();

/** Every place in a value: [] for the value itself, then each key or index below it. */
function places(value: unknown, at: PropertyKey[] = [], out: PropertyKey[][] = []): PropertyKey[][] {
  out.push(at);
  if (value !== null && typeof value === 'object')
    for (const [key, child] of Object.entries(value))
      places(child, [...at, Array.isArray(value) ? Number(key) : key], out);
  return out;
}

const DELETE = Symbol('delete');
/** Replacements that break some field somewhere: wrong types, bad addresses, ids, ports. */
const replacements: unknown[] = [
  DELETE,
  null,
  undefined,
  0,
  -1,
  -2,
  1.5,
  65535,
  65536,
  2 ** 60,
  true,
  '',
  'x',
  'tcp',
  'TCP',
  '6',
  '256',
  '-1',
  '10.0.0.1',
  '10.0.0.256',
  '10.0.0.0/8',
  '2600:1f14::/56',
  '2600:1f14::1',
  '::ffff:10.0.0.1',
  'sg-0abc',
  'sg-ABC',
  'subnet-0abc',
  'vpc-0abc',
  'i-0abc',
  'eni-0abc',
  'pl-0abc',
  'Pod',
  'Node',
  [],
  ['x'],
  [1],
  {},
  { name: 'x' },
  Object.create(null) as object,
  new Date(0),
];

function mutated(value: unknown, at: PropertyKey[], replacement: unknown): unknown {
  const copy = structuredClone(value);
  if (at.length === 0) return replacement === DELETE ? undefined : replacement;
  let parent = copy as Record<PropertyKey, unknown>;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<PropertyKey, unknown>;
  const last = at[at.length - 1]!;
  if (replacement === DELETE) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = replacement;
  return copy;
}

describe('fast checks', () => {
  for (const [name, schema] of Object.entries(FAST_CHECKED) as [string, z.ZodType][]) {
    const fast = fastCheckFor(schema)!;
    const mine = values[name as keyof typeof FAST_CHECKED];

    it(`${name}: every value in the examples and a generated snapshot passes both it and zod`, () => {
      assert.ok(mine.length > 0, `no ${name} values to check`);
      for (const value of mine) {
        assert.equal(schema.safeParse(value).success, true);
        assert.equal(fast(value), true, `the fast check refuses a valid ${name}: ${JSON.stringify(value)}`);
      }
    });

    it(`${name}: a value it accepts, zod accepts (values damaged at a random place)`, () => {
      let refused = 0;
      fc.assert(
        fc.property(
          fc.nat(mine.length - 1),
          fc.nat(),
          fc.constantFrom(...replacements),
          (index, placeSeed, replacement) => {
            const value = mine[index]!;
            const all = places(value);
            const bad = mutated(value, all[placeSeed % all.length]!, replacement);
            const accepted = fast(bad);
            if (!accepted) refused += 1;
            if (accepted) assert.equal(schema.safeParse(bad).success, true, JSON.stringify(bad));
          },
        ),
        { numRuns: 2000, seed: 20261206 },
      );
      // Not vacuous: the damage is often something the check must refuse.
      assert.ok(refused > 100, `only ${refused} of 2000 damaged values refused`);
    });
  }
});

describe('the loader with fast checks', () => {
  it('still names the file and the JSON path of a bad field in a large list (zod reports it)', () => {
    const pod = (i: number, ip: string) => ({
      metadata: { name: `p${i}`, namespace: 'n' },
      spec: { containers: [{ name: 'c' }] },
      status: { podIP: ip },
    });
    const items = Array.from({ length: 50 }, (_, i) => pod(i, `10.0.0.${i + 1}`));
    items[37] = pod(37, '10.0.0.300');
    const result = parseSnapshot([
      { path: 'k8s/pods.json', text: JSON.stringify({ apiVersion: 'v1', kind: 'PodList', items }) },
    ]);
    assert.equal(result.ok, false);
    assert.deepEqual(result.ok ? [] : result.issues.map(formatIssue), [
      'k8s/pods.json: items[37].status.podIP: expected an IP address',
    ]);
  });

  it('loads what only zod accepts: where the fast check is stricter, zod decides', () => {
    // zod skips a record's `__proto__` key; the fast check refuses a label map with a non-string one.
    const text =
      '{"apiVersion":"v1","kind":"PodList","items":[{"metadata":{"name":"p","namespace":"n",' +
      '"labels":{"app":"x","__proto__":1}},"spec":{"containers":[{"name":"c"}]}}]}';
    const pod = (JSON.parse(text) as { items: Record<string, unknown>[] }).items[0]!;
    pod.kind = 'Pod';
    assert.equal(fastCheckFor(FAST_CHECKED.K8sPod)!(pod), false);
    assert.equal(FAST_CHECKED.K8sPod.safeParse(pod).success, true);
    const result = parseSnapshot([{ path: 'k8s/pods.json', text }]);
    assert.ok(result.ok);
    assert.equal(result.snapshot.pods.length, 1);
  });
});
