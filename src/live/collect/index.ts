/**
 * Live collection: AWS (account, EKS cluster, node groups), then Kubernetes beside the EC2 calls the
 * VPC alone scopes, then the rest of the EC2 network, scoped by what Kubernetes said (node instance
 * ids, ENIConfig / SecurityGroupPolicy groups).
 * Everything stays in memory until the caller writes it or hands it to the loader, so a failure at
 * any step leaves nothing behind — but for the Kubernetes lists with `spool`, written page by page
 * to the caller's directory (the caller removes it).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { TOOL_API_VERSION } from '../../snapshot/schemas.ts';
import { TOOL_VERSION } from '../../base/version.ts';
import { collectCluster, makeAwsClients, startNetwork, type AwsClients, type AwsSource } from './aws.ts';
import { readAicrReportConfigMaps, type AicrReportConfigMaps } from './aicr.ts';
import { loadKubeConfig, startKubernetes, type KubeSource } from './kubernetes.ts';
import type { CollectedDocument, Progress } from './types.ts';

export type { CollectedDocument, Progress } from './types.ts';

export interface CollectOptions extends AwsSource, KubeSource {
  readonly clusterName: string;
  readonly progress: Progress;
  readonly logs?: boolean;
  readonly tailLines?: number;
  /** Also read AICR's validator reports (its CTRF ConfigMaps); `diagnose --live` only, never written. */
  readonly aicrReports?: boolean;
  /** Items per Kubernetes list page. */
  readonly pageSize?: number;
  /** A directory to write the Kubernetes lists to page by page (their documents are then `spooled`). */
  readonly spool?: string;
  /** Pre-built clients (tests); otherwise from region/profile and the kubeconfig. */
  readonly awsClients?: AwsClients;
  readonly kubeConfig?: KubeConfig;
  readonly now?: () => Date;
}

export interface CollectedSnapshot {
  readonly documents: CollectedDocument[];
  readonly warnings: string[];
  /** With `aicrReports`: AICR's CTRF ConfigMaps, kept apart from the snapshot's documents. */
  readonly aicrReports?: AicrReportConfigMaps;
}

type Json = Record<string, unknown>;

/** `aws:///us-west-2a/i-0123…` → `i-0123…`. */
function instanceIdOf(node: Json): string | undefined {
  const providerId = (node.spec as { providerID?: string } | undefined)?.providerID ?? '';
  return /^aws:\/\/\/[^/]*\/(i-[0-9a-f]+)$/.exec(providerId)?.[1];
}

function groupsNamedByKubernetes(items: { ENIConfig?: Json[]; SecurityGroupPolicy?: Json[] }): string[] {
  const fromEniConfigs = (items.ENIConfig ?? []).flatMap(
    (c) => (c.spec as { securityGroups?: string[] } | undefined)?.securityGroups ?? [],
  );
  const fromPolicies = (items.SecurityGroupPolicy ?? []).flatMap(
    (p) =>
      (p.spec as { securityGroups?: { groupIds?: string[] } } | undefined)?.securityGroups?.groupIds ?? [],
  );
  return [...fromEniConfigs, ...fromPolicies];
}

function hostOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).hostname.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

export async function collectSnapshot(options: CollectOptions): Promise<CollectedSnapshot> {
  const kubeConfig = options.kubeConfig ?? loadKubeConfig(options);
  const clients = options.awsClients ?? makeAwsClients(options);
  const aws = {
    clusterName: options.clusterName,
    progress: options.progress,
    ...(options.profile ? { profile: options.profile } : {}),
  };
  const cluster = await collectCluster(clients, aws);
  const kubernetes = startKubernetes(kubeConfig, {
    progress: options.progress,
    ...(options.logs ? { logs: true } : {}),
    ...(options.tailLines ? { tailLines: options.tailLines } : {}),
    ...(options.pageSize ? { pageSize: options.pageSize } : {}),
    ...(options.spool ? { spool: options.spool } : {}),
  });
  // The EC2 calls scoped by the VPC alone start now; the rest are scoped by the nodes, ENIConfigs
  // and SecurityGroupPolicies: they start as soon as those three lists are in, while the pods (the
  // longest list by far) still page in.
  const vpc = cluster.cluster.resourcesVpcConfig!;
  const network = startNetwork(
    clients,
    { clusterName: options.clusterName, vpcId: vpc.vpcId!, accountId: cluster.accountId },
    { ...aws, region: cluster.region },
  );
  const networkDone = (async () => {
    const [nodes, eniConfigs, policies] = await Promise.all([
      kubernetes.listed('Node'),
      kubernetes.listed('ENIConfig'),
      kubernetes.listed('SecurityGroupPolicy'),
    ]);
    return network.finish({
      instanceIds: [...new Set(nodes.flatMap((n) => instanceIdOf(n) ?? []))].sort(),
      groupIds: [
        ...(vpc.clusterSecurityGroupId ? [vpc.clusterSecurityGroupId] : []),
        ...(vpc.securityGroupIds ?? []),
        ...groupsNamedByKubernetes({ ENIConfig: eniConfigs, SecurityGroupPolicy: policies }),
      ],
    });
  })();
  // Both sides settle before either failure is thrown, so nothing is left running.
  const [kubeSettled, networkSettled] = await Promise.allSettled([kubernetes.done, networkDone]);
  if (kubeSettled.status === 'rejected') throw kubeSettled.reason;
  if (networkSettled.status === 'rejected') throw networkSettled.reason;
  const kube = kubeSettled.value;
  const networkCapture = networkSettled.value;
  const warnings = [...kube.warnings];
  const aicrReports = options.aicrReports
    ? await readAicrReportConfigMaps(kubeConfig, {
        ...(options.pageSize ? { pageSize: options.pageSize } : {}),
      })
    : undefined;
  if (aicrReports) {
    warnings.push(...aicrReports.warnings);
    options.progress(`AICR validator reports: ${aicrReports.configMaps.length}`);
  }
  const eksHost = hostOf(cluster.cluster.endpoint);
  if (eksHost && hostOf(kube.server) !== eksHost) {
    warnings.push(
      `the kubeconfig points at ${kube.server}, not at the endpoint of EKS cluster ${options.clusterName} ` +
        `(${cluster.cluster.endpoint}): check --context (fine for a proxy or private DNS alias)`,
    );
  }
  warnings.push(...networkCapture.warnings);
  const documents = [...cluster.documents, ...kube.documents, ...networkCapture.documents];
  const manifest: CollectedDocument = {
    path: 'manifest.json',
    kind: 'SnapshotManifest',
    count: 1,
    document: {
      apiVersion: TOOL_API_VERSION,
      kind: 'SnapshotManifest',
      createdAt: (options.now?.() ?? new Date()).toISOString(),
      toolVersion: TOOL_VERSION,
      cluster: options.clusterName,
      region: cluster.region,
      accountId: cluster.accountId,
      collected: [...new Set(documents.map((d) => d.kind))],
      files: documents.map((d) => ({ path: d.path, kind: d.kind, count: d.count })),
      absent: kube.absent,
      warnings,
    },
  };
  return { documents: [manifest, ...documents], warnings, ...(aicrReports ? { aicrReports } : {}) };
}
