/**
 * The EKS control plane as a source of traffic into the VPC: the API server calls admission
 * webhooks and aggregated APIs (APIServices) on the pods behind their Services. EKS places the
 * control plane's cross-account ENIs in the cluster's subnets (describe-cluster
 * `resourcesVpcConfig.subnetIds`) with the cluster security group and any additional groups
 * (`clusterSecurityGroupId`, `securityGroupIds`).
 */
import type { Snapshot } from '../snapshot/types.ts';
import type { AdmissionWebhookModel, ApiServiceModel, ControlPlaneModel } from './types.ts';

/** The control plane's ENIs as describe-cluster names them; unresolved when it cannot say. */
export function buildControlPlane(snapshot: Snapshot): ControlPlaneModel {
  const located = snapshot.clusters[0];
  if (!located)
    return {
      kind: 'unresolved',
      reason:
        'describe-cluster was not captured: the control plane’s security groups (resourcesVpcConfig.clusterSecurityGroupId) and subnets are not known',
    };
  const vpc = located.value.resourcesVpcConfig;
  if (!vpc?.clusterSecurityGroupId)
    return {
      kind: 'unresolved',
      reason: `describe-cluster of ${located.value.name} has no resourcesVpcConfig.clusterSecurityGroupId: the security group on the control plane’s ENIs is not known`,
    };
  const additional = (vpc.securityGroupIds ?? []).filter((g) => g !== vpc.clusterSecurityGroupId);
  return {
    kind: 'known',
    clusterSecurityGroupId: vpc.clusterSecurityGroupId,
    securityGroupIds: [vpc.clusterSecurityGroupId, ...additional],
    subnetIds: [...new Set(vpc.subnetIds ?? [])],
    origin: { file: located.origin.file, path: `${located.origin.path}.resourcesVpcConfig` },
  };
}

export function buildWebhooks(snapshot: Snapshot): AdmissionWebhookModel[] {
  return snapshot.webhookConfigurations.flatMap(({ value, origin }) =>
    (value.webhooks ?? []).map((hook, i): AdmissionWebhookModel => {
      const service = hook.clientConfig.service;
      return {
        configKind: value.kind,
        configName: value.metadata.name,
        name: hook.name,
        ...(service
          ? { service: { namespace: service.namespace, name: service.name, port: service.port ?? 443 } }
          : {}),
        ...(hook.clientConfig.url ? { url: hook.clientConfig.url } : {}),
        // admissionregistration.k8s.io/v1 defaults failurePolicy to Fail.
        failurePolicy: hook.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
        rules: (hook.rules ?? []).map((r) => ({
          apiGroups: r.apiGroups ?? [],
          resources: r.resources ?? [],
        })),
        origin: { file: origin.file, path: `${origin.path ? `${origin.path}.` : ''}webhooks[${i}]` },
      };
    }),
  );
}

export function buildApiServices(snapshot: Snapshot): ApiServiceModel[] {
  return snapshot.apiServices.map(({ value, origin }) => {
    const service = value.spec?.service;
    const available = (value.status?.conditions ?? []).find((c) => c.type === 'Available');
    return {
      name: value.metadata.name,
      ...(service
        ? { service: { namespace: service.namespace, name: service.name, port: service.port ?? 443 } }
        : {}),
      ...(available
        ? {
            available: {
              status: available.status,
              ...(available.reason ? { reason: available.reason } : {}),
              ...(available.message ? { message: available.message } : {}),
            },
          }
        : {}),
      origin,
    };
  });
}
