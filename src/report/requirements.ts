/** Human rendering of the required flows for a recipe and Dynamo version. */
import { escapeControls, terminalSafe } from '../base/terminal.ts';
import { families, type Level, type SourceSelector, type TargetSpec } from '../requirements/catalog.ts';
import type { RequirementSet } from '../requirements/resolve.ts';

const sourceText: Record<SourceSelector, string> = {
  'dynamo-clients': 'Dynamo frontend/worker/router/EPP pods (before install: pods on the GPU node groups)',
  'tolerate-all-pods': 'any node a tolerate-all pod can land on (the conformance orchestrator)',
  'dynamo-frontends': 'Dynamo frontend / router pods (before install: where AICR places the frontend)',
  'dynamo-workers': 'Dynamo worker pods (before install: pods on the GPU node groups)',
  'prometheus-pods': 'the Prometheus server pods (before install: the system node groups)',
  'egress-isolated-sources': 'every source above whose egress a NetworkPolicy isolates',
  'control-plane':
    'the EKS control plane (the API server): its ENIs in the cluster subnets, with the cluster security group',
  'dynamo-decode-workers':
    'Dynamo workers that are not prefill workers (the decode side; before install: where the graph’s decode workers fit)',
  'dynamo-prefill-workers': 'Dynamo prefill workers (before install: where the graph’s prefill workers fit)',
  kubelet:
    'the kubelet of each probed pod’s own node: the node’s primary ENI, with the node’s security groups',
};

const levelText: Record<Level, string> = {
  required: 'required — without it the install or an AICR validator breaks; blocked fails the verdict',
  recommended:
    'recommended — without it only metrics, dashboards or autoscaling break; counted in the verdict only with --strict',
};

function targetText(to: TargetSpec): string {
  return to.kind === 'service'
    ? `pods behind ${to.service}.${to.namespace}.svc.cluster.local`
    : to.kind === 'probed-pods'
      ? 'pods with their own security groups (a branch ENI) and httpGet, tcpSocket or grpc probes: the Dynamo pods and the pods of the flows above'
      : `Dynamo ${to.role} pods`;
}

export function renderRequirements(input: RequirementSet, unsafeRecipe?: string): string {
  const set = terminalSafe(input);
  const recipe = unsafeRecipe === undefined ? undefined : escapeControls(unsafeRecipe);
  const { context } = set;
  const out: string[] = [];
  out.push(`Dynamo ${context.dynamoVersion} (${context.versionSource})${recipe ? `, recipe ${recipe}` : ''}`);
  out.push(
    `Release family ${context.family.id}; event plane ${context.eventPlane} (${context.eventPlaneSource}); frontend on the ${context.frontendOn === 'gpu-node-groups' ? 'GPU' : 'system'} node groups unless deployed elsewhere`,
  );
  out.push('');
  for (const r of set.requirements) {
    const port =
      r.protocol === 'efa'
        ? '(SRD, no ports)'
        : r.to.kind === 'probed-pods' && r.ports.from !== r.ports.to
          ? '(each probed pod’s probe ports)'
          : r.ports.from === r.ports.to
            ? `${r.ports.from}`
            : `${r.ports.from}-${r.ports.to}`;
    out.push(`${r.protocol.toUpperCase()} ${port}  ${r.title}`);
    out.push(`  level    ${levelText[r.level]}`);
    out.push(`  from     ${sourceText[r.from]}`);
    out.push(`  to       ${targetText(r.to)}`);
    out.push(`  why      ${r.why}`);
    out.push(`  symptom  ${r.symptom}`);
    out.push(`  because  ${r.decidedBy.join('; ') || 'always required'}`);
    out.push(`  source   ${r.source}`);
    if (r.documented) out.push(`  docs     ${r.documented}`);
    out.push('');
  }
  if (set.notApplicable.length > 0) {
    out.push('Not required here:');
    for (const n of set.notApplicable) {
      out.push(`  - ${n.title}: ${n.because}`);
      out.push(`      ${n.level}; source: ${n.source}`);
    }
  }
  out.push('', 'Dynamo release families in the catalog (defaults when nothing deployed says otherwise):');
  for (const f of families)
    out.push(
      `  ${f.id.padEnd(8)} ${f.versions.replace(/-0/g, '').padEnd(14)} event plane ${f.eventPlane}, ${f.etcd ? 'etcd' : 'no etcd'}, frontend on the ${f.frontendOn === 'gpu-node-groups' ? 'GPU' : 'system'} node groups — ${f.source}; ${f.frontendSource}`,
    );
  return out.join('\n').trimEnd() + '\n';
}
