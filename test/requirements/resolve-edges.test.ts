/**
 * Edges of resolveRequirements the first tests left open (found by mutation testing): a release
 * candidate inside a row's Dynamo range, UCX_TCP_PORT_RANGE=0 written plainly, one rank only, and
 * the list of rows that do not apply as `requirements` prints it ("Not required here").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRequirementContext } from '../../src/requirements/context.ts';
import { resolveRequirements, type RequirementContext } from '../../src/requirements/resolve.ts';

const base = (): RequirementContext => buildRequirementContext([], { dynamoVersion: '1.4.2' }).context;
const find = (context: RequirementContext, id: string) =>
  resolveRequirements(context).requirements.find((r) => r.id === id);

describe('resolve edges', () => {
  it('Dynamo 1.3.0-rc1 is inside >=1.2.0-0: the request plane applies', () => {
    const context = buildRequirementContext([], { dynamoVersion: '1.3.0-rc1' }).context;
    assert.equal(context.dynamoVersion, '1.3.0-rc1');
    assert.deepEqual(
      find(context, 'request-plane')?.decidedBy[0],
      'Dynamo 1.3.0-rc1 (--dynamo-version) is >=1.2.0',
    );
  });

  it('UCX_TCP_PORT_RANGE=0 (UCX: "let the operating system select the port number"): OS-assigned', () => {
    const ucx = find(
      {
        ...base(),
        disaggregated: true,
        ucxTcp: true,
        portEnv: { UCX_TCP_PORT_RANGE: { value: '0', source: 'env UCX_TCP_PORT_RANGE=0 on pod ns/p' } },
      },
      'ucx-tcp',
    )!;
    assert.deepEqual(ucx.ports, { from: 32768, to: 60999 });
    assert.equal(
      ucx.decidedBy.at(-1),
      'UCX_TCP_PORT_RANGE 0: the port is OS-assigned, so only the range 32768-60999 can be allowed statically',
    );
  });

  it('one data-parallel rank, or one NIXL rank: one port, and no per-rank fact', () => {
    const zmq = find(
      { ...base(), dataParallel: { size: 1, source: 'arg -dp 1 on pod ns/w' } },
      'zmq-events',
    )!;
    assert.deepEqual(zmq.ports, { from: 5557, to: 5557 });
    assert.deepEqual(zmq.decidedBy, [
      'event plane zmq (nothing deployed says: zmq is the Dynamo 1.4+ default)',
      'DYN_VLLM_KV_EVENT_PORT unset: port 5557',
    ]);
    const nixl = find(
      {
        ...base(),
        disaggregated: true,
        disaggregatedSource: 'prefill worker',
        nixlRanks: { count: 1, source: '1 rank' },
      },
      'nixl-side-channel',
    )!;
    assert.deepEqual(nixl.ports, { from: 5600, to: 5600 });
    assert.deepEqual(nixl.decidedBy, [
      'disaggregated serving (prefill worker)',
      'VLLM_NIXL_SIDE_CHANNEL_PORT unset: port 5600',
    ]);
  });

  it('`requirements --dynamo-version 1.4.2`: the rows not required here, in catalog order', () => {
    assert.deepEqual(
      resolveRequirements(base()).notApplicable.map((n) => n.id),
      [
        'nats',
        'etcd',
        'dynamo-metrics',
        'nixl-side-channel',
        'efa-srd',
        'ucx-tcp',
        'ucx-tcp-reverse',
        'dns',
        'dns-tcp',
        'kubelet-probe',
      ],
    );
  });
});
