/**
 * Kubelet probes under security groups for pods, on a real-shaped copy of
 * examples/dynamo-1.4-system-frontend where the Dynamo frontend got its own security group through
 * a SecurityGroupPolicy: a branch ENI on its system node, as the VPC resource controller creates it
 * (InterfaceType branch, the pod's vpc.amazonaws.com/pod-eni annotation naming it). Expectations
 * come from the documentation, not from the tool:
 *
 * - aws/amazon-vpc-cni-k8s README.md, POD_SECURITY_GROUP_ENFORCING_MODE: `strict` (the default)
 *   enforces the pod's security groups on all its traffic; `standard` does not enforce them on
 *   traffic "from another pod on the same host or another service on the same host (such as
 *   kubelet …)". DISABLE_TCP_EARLY_DEMUX (v1.7.3+) should be true on the init container for the
 *   kubelet's TCP probes to pods with their own security groups.
 * - awsdocs/amazon-eks-user-guide sg-pods-example-deployment.md: the pod's groups "must allow inbound
 *   communication from the security group applied to your nodes (for kubelet) over any ports that
 *   you've configured probes for".
 * - Kubernetes probes: httpGet/tcpSocket/grpc connect to the pod's IP on the port, a name resolving
 *   among the container's ports; exec runs inside the container.
 *
 * The frontend (examples/…/k8s/pods.json) has an exec readiness probe and an httpGet liveness probe
 * on port "http", its containerPort 8000. So the kubelet of ip-10-40-18-44 (primary ENI, system SG)
 * must reach the frontend's branch ENI on tcp/8000, and nothing else of it. examples/ is never written.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import YAML from 'yaml';
import { buildModel } from '../../src/model/build.ts';
import { analyzeSnapshot, type AnalysisResult } from '../../src/questions/analyze.ts';
import { planProbes } from '../../src/questions/probe/plan.ts';
import { podSecurityGroupsEvidence } from '../../src/model/kubelet.ts';
import { renderRequirements } from '../../src/report/requirements.ts';
import { catalog } from '../../src/requirements/catalog.ts';
import { buildRequirementContext } from '../../src/requirements/context.ts';
import { resolveRequirements } from '../../src/requirements/resolve.ts';
import { applyRemediation } from '../../src/remediate/what-if.ts';
import { loadSnapshot } from '../../src/snapshot/load.ts';
import { diagnoseDir } from '../questions/diagnose/fixtures.ts';

const EXAMPLE = 'examples/dynamo-1.4-system-frontend';
const scratch = mkdtempSync(join(tmpdir(), 'dnc-kubelet-probe-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const groups: { GroupId: string; GroupName: string }[] = JSON.parse(
  readFileSync(join(EXAMPLE, 'aws/security-groups.json'), 'utf8'),
).SecurityGroups;
const SYSTEM_SG = groups.find((g) => g.GroupName === 'dynamo-inference-system')!.GroupId;
const GPU_SG = groups.find((g) => g.GroupName === 'dynamo-inference-gpu')!.GroupId;
/** The frontend's own group (the SecurityGroupPolicy's) and the load balancer's that it admits on 8000. */
const POD_SG = 'sg-0a7c3e91d2b4f6058';
const ALB_SG = 'sg-05d1e8b7a6c4f2390';
const BRANCH_ENI = 'eni-0b8e2f4a6c1d3e597';
const TRUNK_ENI = 'eni-07c2d4e6f8a0b1c35';
const FRONTEND_IP = '10.40.20.143';
const FRONTEND = 'dynamo-workload/vllm-agg-frontend-kd9bv24rd-zwggw';
const FRONTEND_NODE = 'ip-10-40-18-44.us-west-2.compute.internal';
const SYSTEM_INSTANCE = 'i-014a6ee7c6e331937';
/** The liveness probe's port "http" is the container's port named http: 8000 (pods.json). */
const PROBE_PORT = 8000;

interface Options {
  mode?: 'strict' | 'standard';
  demux?: string;
  /** Edits the frontend's main container before it is written. */
  container?: (container: Record<string, unknown>) => void;
}

let copies = 0;
/** The example with security groups for pods turned on and the frontend on a branch ENI. */
function sgpCluster(options: Options = {}): string {
  const dir = join(scratch, `${copies++}`);
  cpSync(EXAMPLE, dir, { recursive: true });
  // aws-node: ENABLE_POD_ENI, the enforcing mode, and the init container's DISABLE_TCP_EARLY_DEMUX.
  const awsNodeFile = join(dir, 'k8s/aws-node.yaml');
  const awsNode = YAML.parse(readFileSync(awsNodeFile, 'utf8'));
  const env: { name: string; value?: string }[] = awsNode.spec.template.spec.containers[0].env;
  env.find((e) => e.name === 'ENABLE_POD_ENI')!.value = 'true';
  env.find((e) => e.name === 'POD_SECURITY_GROUP_ENFORCING_MODE')!.value = options.mode ?? 'strict';
  const initEnv: { name: string; value?: string }[] = awsNode.spec.template.spec.initContainers[0].env;
  initEnv.find((e) => e.name === 'DISABLE_TCP_EARLY_DEMUX')!.value = options.demux ?? 'true';
  writeFileSync(awsNodeFile, YAML.stringify(awsNode));
  writeFileSync(
    join(dir, 'k8s/securitygrouppolicies.yaml'),
    YAML.stringify({
      apiVersion: 'vpcresources.k8s.aws/v1beta1',
      kind: 'SecurityGroupPolicy',
      metadata: { name: 'vllm-agg-frontend', namespace: 'dynamo-workload' },
      spec: {
        podSelector: { matchLabels: { 'nvidia.com/dynamo-component-type': 'frontend' } },
        securityGroups: { groupIds: [POD_SG] },
      },
    }),
  );
  // The pod: annotated with its branch ENI, as the VPC resource controller does.
  const podsFile = join(dir, 'k8s/pods.json');
  const pods = JSON.parse(readFileSync(podsFile, 'utf8'));
  const frontend = pods.items.find((p: { status: { podIP: string } }) => p.status.podIP === FRONTEND_IP);
  frontend.metadata.annotations = {
    ...frontend.metadata.annotations,
    'vpc.amazonaws.com/pod-eni': JSON.stringify([
      {
        eniId: BRANCH_ENI,
        ifAddress: '02:4c:9a:1e:77:b3',
        privateIp: FRONTEND_IP,
        vlanId: 1,
        subnetCidr: '10.40.16.0/20',
      },
    ]),
  };
  options.container?.(frontend.spec.containers[0]);
  writeFileSync(podsFile, JSON.stringify(pods));
  // ENIs: the pod IP moves from the node's primary ENI to the branch ENI; the node gets a trunk ENI.
  const enisFile = join(dir, 'aws/network-interfaces.json');
  const enis = JSON.parse(readFileSync(enisFile, 'utf8'));
  for (const eni of enis.NetworkInterfaces)
    eni.PrivateIpAddresses = eni.PrivateIpAddresses.filter(
      (a: { PrivateIpAddress: string }) => a.PrivateIpAddress !== FRONTEND_IP,
    );
  const primary = enis.NetworkInterfaces.find(
    (e: { Attachment?: { InstanceId?: string; DeviceIndex?: number } }) =>
      e.Attachment?.InstanceId === SYSTEM_INSTANCE && e.Attachment.DeviceIndex === 0,
  );
  enis.NetworkInterfaces.push(
    {
      ...primary,
      Attachment: { ...primary.Attachment, AttachmentId: 'eni-attach-0c1d2e3f4a5b6c7d8', DeviceIndex: 2 },
      InterfaceType: 'trunk',
      NetworkInterfaceId: TRUNK_ENI,
      PrivateIpAddress: '10.40.19.12',
      PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: '10.40.19.12' }],
    },
    {
      AvailabilityZone: primary.AvailabilityZone,
      Description: 'aws-k8s-branch-eni',
      Groups: [{ GroupId: POD_SG, GroupName: 'dynamo-inference-frontend-pods' }],
      InterfaceType: 'branch',
      NetworkInterfaceId: BRANCH_ENI,
      OwnerId: primary.OwnerId,
      PrivateIpAddress: FRONTEND_IP,
      PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: FRONTEND_IP }],
      RequesterManaged: false,
      Status: 'in-use',
      SubnetId: primary.SubnetId,
      TagSet: [
        { Key: 'vpcresources.k8s.aws/trunk-eni-id', Value: TRUNK_ENI },
        { Key: 'vpcresources.k8s.aws/vlan-id', Value: '1' },
      ],
      VpcId: primary.VpcId,
    },
  );
  writeFileSync(enisFile, JSON.stringify(enis));
  // The frontend's group admits only the load balancer on 8000; the ALB's group is there too.
  const sgFile = join(dir, 'aws/security-groups.json');
  const sgs = JSON.parse(readFileSync(sgFile, 'utf8'));
  const owner = sgs.SecurityGroups[0].OwnerId;
  const vpc = sgs.SecurityGroups[0].VpcId;
  const allOut = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];
  sgs.SecurityGroups.push(
    {
      GroupId: POD_SG,
      GroupName: 'dynamo-inference-frontend-pods',
      Description: 'Dynamo frontend pods (SecurityGroupPolicy)',
      OwnerId: owner,
      VpcId: vpc,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 8000,
          ToPort: 8000,
          UserIdGroupPairs: [{ GroupId: ALB_SG, UserId: owner }],
        },
      ],
      IpPermissionsEgress: allOut,
    },
    {
      GroupId: ALB_SG,
      GroupName: 'dynamo-inference-alb',
      Description: 'frontend load balancer',
      OwnerId: owner,
      VpcId: vpc,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      IpPermissionsEgress: allOut,
    },
  );
  writeFileSync(sgFile, JSON.stringify(sgs));
  return dir;
}

const PROMETHEUS_IP = '10.40.16.249';
const PROMETHEUS_BRANCH = 'eni-0d3f5a7c9e1b2d468';

/**
 * Prometheus on a branch ENI too (a second SecurityGroupPolicy in monitoring, the frontend's group):
 * its readiness, liveness and startup probes use port "http-web", its containerPort 9090.
 */
function withPrometheusOnBranch(dir: string): string {
  writeFileSync(
    join(dir, 'k8s/securitygrouppolicy-prometheus.yaml'),
    YAML.stringify({
      apiVersion: 'vpcresources.k8s.aws/v1beta1',
      kind: 'SecurityGroupPolicy',
      metadata: { name: 'prometheus', namespace: 'monitoring' },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
        securityGroups: { groupIds: [POD_SG] },
      },
    }),
  );
  const podsFile = join(dir, 'k8s/pods.json');
  const pods = JSON.parse(readFileSync(podsFile, 'utf8'));
  const prometheus = pods.items.find((p: { status: { podIP: string } }) => p.status.podIP === PROMETHEUS_IP);
  prometheus.metadata.annotations = {
    ...prometheus.metadata.annotations,
    'vpc.amazonaws.com/pod-eni': JSON.stringify([
      { eniId: PROMETHEUS_BRANCH, privateIp: PROMETHEUS_IP, vlanId: 1, subnetCidr: '10.40.16.0/20' },
    ]),
  };
  writeFileSync(podsFile, JSON.stringify(pods));
  const enisFile = join(dir, 'aws/network-interfaces.json');
  const enis = JSON.parse(readFileSync(enisFile, 'utf8'));
  for (const eni of enis.NetworkInterfaces)
    eni.PrivateIpAddresses = eni.PrivateIpAddresses.filter(
      (a: { PrivateIpAddress: string }) => a.PrivateIpAddress !== PROMETHEUS_IP,
    );
  const branch = enis.NetworkInterfaces.find(
    (e: { NetworkInterfaceId: string }) => e.NetworkInterfaceId === BRANCH_ENI,
  );
  enis.NetworkInterfaces.push({
    ...branch,
    NetworkInterfaceId: PROMETHEUS_BRANCH,
    PrivateIpAddress: PROMETHEUS_IP,
    PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: PROMETHEUS_IP }],
  });
  writeFileSync(enisFile, JSON.stringify(enis));
  return dir;
}

const probeFlows = (result: AnalysisResult) => result.flows.filter((f) => f.requirement === 'kubelet-probe');

describe('kubelet probes of a strict-mode SecurityGroupPolicy frontend (1.4 example, real-shaped)', () => {
  it('the frontend sits on its branch ENI with the policy’s group', async () => {
    const result = analyzeSnapshot(await loadSnapshot(sgpCluster()));
    const stream = result.flows.find((f) => f.requirement === 'response-stream')!;
    assert.deepEqual(stream.destination.securityGroups, [POD_SG]);
    assert.match(stream.destination.placement[0]!, new RegExp(`branch ENI ${BRANCH_ENI}.*strict`));
  });

  it('fails: the node’s group is not admitted on the liveness probe’s port 8000 (exec readiness opens no connection)', async () => {
    const result = analyzeSnapshot(await loadSnapshot(sgpCluster()));
    assert.equal(result.verdict, 'fail');
    const flows = probeFlows(result);
    assert.equal(flows.length, 1, 'one probe port: 8000; the exec readiness probe is no flow');
    const [flow] = flows;
    assert.equal(flow!.status, 'blocked');
    assert.equal(flow!.level, 'required');
    assert.equal(flow!.port, PROBE_PORT);
    assert.equal(flow!.source.kind, 'kubelet');
    assert.deepEqual(flow!.source.members, [FRONTEND_NODE]);
    assert.deepEqual(flow!.source.securityGroups, [SYSTEM_SG]);
    assert.deepEqual(flow!.destination.members, [FRONTEND]);
    assert.deepEqual(flow!.destination.securityGroups, [POD_SG]);
    // The trace carries the deciding facts: the node's ENI, the pod's branch ENI, the group, the mode.
    assert.match(flow!.source.placement[0]!, /primary IP 10\.40\.18\.44 on eni-0f4cbc1f244ed0dfb/);
    const ingress = flow!.steps.find((s) => s.kind === 'sg-ingress')!;
    assert.equal(ingress.status, 'blocked');
    assert.match(ingress.at, new RegExp(BRANCH_ENI));
    assert.ok(!flow!.steps.some((s) => s.kind === 'same-node'), 'strict mode: no same-node shortcut');
    const requirement = result.requirements.find((r) => r.id === 'kubelet-probe')!;
    assert.ok(
      requirement.decidedBy.some((f) => /liveness probe httpGet port "http" \(containerPort 8000\)/.test(f)),
      requirement.decidedBy.join(' | '),
    );
    assert.ok(result.notes.some((n) => /readiness probe: exec/.test(n)));
  });

  it('the fix admits the node’s group into the pod’s group on 8000 only, and the what-if passes', async () => {
    const snapshot = await loadSnapshot(sgpCluster());
    const before = analyzeSnapshot(snapshot);
    const probe = probeFlows(before)[0]!;
    const rules = before.remediation.filter((r) => r.unblocks.includes(probe.id));
    assert.deepEqual(
      rules.map((r) => [r.direction, r.groupId, r.protocol, r.fromPort, r.toPort, r.sourceGroupId]),
      [['ingress', POD_SG, 'tcp', PROBE_PORT, PROBE_PORT, SYSTEM_SG]],
    );
    assert.match(rules[0]!.command, /authorize-security-group-ingress/);
    // The frontend's other flows now end at its own group too: the response stream (GPU → frontend).
    assert.ok(
      before.remediation.some(
        (r) =>
          r.groupId === POD_SG && r.sourceGroupId === GPU_SG && r.fromPort === 32768 && r.toPort === 60999,
      ),
    );
    const after = analyzeSnapshot(applyRemediation(snapshot, before.remediation, before.naclRemediation));
    assert.equal(probeFlows(after)[0]!.status, 'allowed');
    assert.equal(after.verdict, 'pass');
    assert.deepEqual(after.remediation, []);
  });

  it('with every fix but the probe’s, it still fails on the probe alone', async () => {
    const snapshot = await loadSnapshot(sgpCluster());
    const before = analyzeSnapshot(snapshot);
    const probe = probeFlows(before)[0]!;
    const others = before.remediation.filter((r) => !r.unblocks.includes(probe.id));
    const after = analyzeSnapshot(applyRemediation(snapshot, others, before.naclRemediation));
    assert.equal(after.verdict, 'fail');
    assert.deepEqual(
      after.flows.filter((f) => f.status === 'blocked' && f.level === 'required').map((f) => f.requirement),
      ['kubelet-probe'],
    );
  });

  it('standard mode: the kubelet on the pod’s own node is not filtered by the pod’s groups, and the trace says so', async () => {
    const result = analyzeSnapshot(await loadSnapshot(sgpCluster({ mode: 'standard' })));
    const [flow] = probeFlows(result);
    assert.equal(flow!.status, 'allowed');
    const same = flow!.steps.find((s) => s.kind === 'same-node')!;
    assert.match(same.summary, new RegExp(`branch ENI ${BRANCH_ENI} is not enforced .*standard`));
    assert.ok(!flow!.steps.some((s) => s.kind === 'sg-ingress'), 'no security group evaluated');
    assert.equal(flow!.coLocationMasks, undefined, 'the kubelet is never elsewhere');
  });

  it('a probe port named after no container port is unknown, naming the name', async () => {
    const result = analyzeSnapshot(
      await loadSnapshot(
        sgpCluster({
          container: (c) => {
            (c.livenessProbe as { httpGet: { port: string } }).httpGet.port = 'health';
          },
        }),
      ),
    );
    const [flow] = probeFlows(result);
    assert.equal(flow!.status, 'unknown');
    assert.match(flow!.reason, /no port named "health"/);
    assert.equal(result.verdict, 'fail', 'the other flows of the frontend’s group stay blocked');
  });

  it('a numeric tcpSocket probe and a grpc probe are each a port of their own', async () => {
    const result = analyzeSnapshot(
      await loadSnapshot(
        sgpCluster({
          container: (c) => {
            c.readinessProbe = { tcpSocket: { port: 8000 }, periodSeconds: 10 };
            c.startupProbe = { grpc: { port: 9345 }, periodSeconds: 10 };
          },
        }),
      ),
    );
    assert.deepEqual(
      probeFlows(result)
        .map((f) => [f.port, f.status])
        .sort(),
      [
        [8000, 'blocked'],
        [9345, 'blocked'],
      ],
    );
  });

  it('exec probes only: no flow, and the skip says why', async () => {
    const result = analyzeSnapshot(
      await loadSnapshot(
        sgpCluster({
          container: (c) => {
            c.livenessProbe = { exec: { command: ['/bin/true'] } };
          },
        }),
      ),
    );
    assert.deepEqual(probeFlows(result), []);
    const skipped = result.skipped.find((s) => s.requirement === 'kubelet-probe')!;
    assert.match(skipped.why, /liveness probe: exec/);
  });

  it('DISABLE_TCP_EARLY_DEMUX left false: the flow names the VPC CNI setting and its patch', async () => {
    const result = analyzeSnapshot(await loadSnapshot(sgpCluster({ demux: 'false' })));
    const requirement = result.requirements.find((r) => r.id === 'kubelet-probe')!;
    assert.ok(requirement.decidedBy.some((f) => /DISABLE_TCP_EARLY_DEMUX is "false"/.test(f)));
    assert.ok(result.notes.some((n) => /DISABLE_TCP_EARLY_DEMUX.*aws-vpc-cni-init/.test(n)));
  });

  it('without security groups for pods (the example as captured) the flow does not apply, and says why', async () => {
    const result = analyzeSnapshot(await loadSnapshot(EXAMPLE));
    const na = result.notApplicable.find((n) => n.id === 'kubelet-probe')!;
    assert.match(na.because, /ENABLE_POD_ENI is not true/);
    assert.deepEqual(probeFlows(result), []);
  });
});

/** The kubelet's event on the frontend, as `kubectl get events -A -o json` lists it. */
function withProbeEvent(dir: string, message: string): string {
  writeFileSync(
    join(dir, 'k8s', 'events.json'),
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: 'vllm-agg-frontend-kd9bv24rd-zwggw.18a1', namespace: 'dynamo-workload' },
          involvedObject: {
            apiVersion: 'v1',
            kind: 'Pod',
            name: FRONTEND.split('/')[1],
            namespace: 'dynamo-workload',
          },
          reason: 'Unhealthy',
          type: 'Warning',
          count: 31,
          message,
        },
      ],
    }),
  );
  return dir;
}

async function diagnosed(dir: string) {
  return (await diagnoseDir(dir)).diagnosis;
}

/** The kubelet's message for an HTTP probe whose connection times out (kubernetes pkg/probe/http). */
const LIVENESS_TIMEOUT = `Liveness probe failed: Get "http://${FRONTEND_IP}:8000/live": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`;

describe('diagnose: probe timeouts on a pod with its own security groups', () => {
  it('a liveness probe timing out on the strict-mode frontend is the blocked kubelet → pod flow, with its fix', async () => {
    const diagnosis = await diagnosed(withProbeEvent(sgpCluster(), LIVENESS_TIMEOUT));
    const cause = diagnosis.causes.find((c) => c.requirement === 'kubelet-probe')!;
    assert.ok(cause, diagnosis.causes.map((c) => c.id).join(', '));
    assert.equal(cause.id, 'flow-blocked:kubelet-probe');
    assert.equal(cause.confidence, 'confirmed');
    assert.deepEqual(cause.subjects, [`pod:${FRONTEND}`]);
    assert.deepEqual(
      cause.flows.map((f) => [f.port, f.status]),
      [[8000, 'blocked']],
    );
    assert.equal(cause.fixes.length, 1);
    assert.match(
      cause.fixes[0]!.command,
      new RegExp(`--group-id ${POD_SG} --protocol tcp --port 8000 --source-group ${SYSTEM_SG}`),
    );
  });

  it('a dial timeout of a tcpSocket probe matches too', async () => {
    const diagnosis = await diagnosed(
      withProbeEvent(sgpCluster(), `Readiness probe failed: dial tcp ${FRONTEND_IP}:8000: i/o timeout`),
    );
    assert.ok(diagnosis.causes.some((c) => c.id === 'flow-blocked:kubelet-probe'));
  });

  it('in standard mode the flow is allowed: the timeout is unexplained by the network, and the advice says what to check', async () => {
    const diagnosis = await diagnosed(withProbeEvent(sgpCluster({ mode: 'standard' }), LIVENESS_TIMEOUT));
    const cause = diagnosis.causes.find((c) => c.id === 'probe-timeout-unexplained')!;
    assert.ok(cause, diagnosis.causes.map((c) => c.id).join(', '));
    assert.equal(cause.confidence, 'possible');
    assert.deepEqual(
      cause.flows.map((f) => f.status),
      ['allowed'],
    );
    assert.ok(cause.advice.some((a) => /DISABLE_TCP_EARLY_DEMUX/.test(a)));
  });

  it('a refused probe is no security group (they drop, never refuse): not this signature', async () => {
    const diagnosis = await diagnosed(
      withProbeEvent(
        sgpCluster(),
        `Liveness probe failed: Get "http://${FRONTEND_IP}:8000/live": dial tcp ${FRONTEND_IP}:8000: connect: connection refused`,
      ),
    );
    assert.ok(!diagnosis.causes.some((c) => c.signatures.includes('probe-timeout')));
  });
});

describe('probe: the kubelet-probe flow is checked from the node, not by a probe pod', () => {
  it('no probe pod dials it; the plan names the node-debug check for the frontend on 8000', async () => {
    const snapshot = await loadSnapshot(sgpCluster());
    const model = buildModel(snapshot);
    const plan = planProbes(model, analyzeSnapshot(snapshot), {
      runId: 'k1',
      timeoutSeconds: 5,
      mode: 'nc',
      image: 'busybox:1.36',
    });
    assert.ok(!plan.probes.some((p) => p.targets.some((t) => t.requirement === 'kubelet-probe')));
    const line = plan.notProbed.find((n) => n.startsWith('Kubelet probes'))!;
    assert.ok(line, plan.notProbed.join('\n'));
    assert.match(line, /tcp\/8000, blocked/);
    assert.ok(
      line.includes(
        `kubectl debug node/${FRONTEND_NODE} -it --image=busybox:1.36 -- nc -zv -w 5 ${FRONTEND_IP} 8000 (${FRONTEND})`,
      ),
      line,
    );
  });
});

describe('requirements: the kubelet-probe flow, its level and source', () => {
  const entry = catalog.find((e) => e.id === 'kubelet-probe')!;

  it('is required and cites the VPC CNI README and the EKS guide', () => {
    assert.equal(entry.level, 'required');
    assert.match(entry.source, /aws\/amazon-vpc-cni-k8s README\.md: POD_SECURITY_GROUP_ENFORCING_MODE/);
    assert.match(entry.source, /DISABLE_TCP_EARLY_DEMUX \(v1\.7\.3\+/);
    assert.match(entry.source, /sg-pods-example-deployment\.md/);
  });

  it('without a cluster: listed as not required here, with its level and source', () => {
    const text = renderRequirements(resolveRequirements(buildRequirementContext([], {}).context));
    const at = text.indexOf(`  - ${entry.title}: `);
    assert.ok(at > text.indexOf('Not required here:'), text);
    assert.ok(text.slice(at).split('\n')[1]!.includes(`required; source: ${entry.source}`));
  });

  it('on the SGP cluster: required, on each probed pod’s probe ports, because of ENABLE_POD_ENI and the policy', async () => {
    const model = buildModel(await loadSnapshot(sgpCluster()));
    const { context } = buildRequirementContext(model.pods, {
      podSecurityGroups: podSecurityGroupsEvidence(model),
    });
    const text = renderRequirements(resolveRequirements(context));
    assert.match(
      text,
      new RegExp(`^TCP \\(each probed pod’s probe ports\\)  ${entry.title.replace(/[()]/g, '\\$&')}$`, 'm'),
    );
    assert.match(
      text,
      /because +ENABLE_POD_ENI=true on aws-node \(k8s\/aws-node\.yaml\), POD_SECURITY_GROUP_ENFORCING_MODE strict, SecurityGroupPolicy dynamo-workload\/vllm-agg-frontend/,
    );
  });
});

describe('levels: a probed pod’s flow has the level of the flows it serves', () => {
  it('Prometheus, serving only the recommended Dynamo metrics scrape (no conformance checks): recommended, on 9090 ("http-web")', async () => {
    const result = analyzeSnapshot(await loadSnapshot(withPrometheusOnBranch(sgpCluster())), {
      conformance: false,
    });
    const prometheus = probeFlows(result).filter((f) =>
      f.destination.members.includes('monitoring/prometheus-kube-prometheus-prometheus-0'),
    );
    assert.deepEqual(
      prometheus.map((f) => [f.port, f.level, f.status]),
      [[9090, 'recommended', 'blocked']],
    );
    const frontend = probeFlows(result).filter((f) => f.destination.members.includes(FRONTEND));
    assert.deepEqual(
      frontend.map((f) => [f.port, f.level]),
      [[8000, 'required']],
      'a Dynamo pod: required',
    );
  });

  it('with ai-service-metrics Prometheus is at the end of required flows (the orchestrator dials it, it scrapes dcgm-exporter): required', async () => {
    const result = analyzeSnapshot(await loadSnapshot(withPrometheusOnBranch(sgpCluster())));
    const prometheus = probeFlows(result).filter((f) =>
      f.destination.members.includes('monitoring/prometheus-kube-prometheus-prometheus-0'),
    );
    assert.deepEqual(
      prometheus.map((f) => [f.port, f.level]),
      [[9090, 'required']],
    );
  });
});
