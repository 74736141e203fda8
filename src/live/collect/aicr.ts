/**
 * AICR's validator reports in the cluster, for `diagnose --live`: `aicr validate` keeps each
 * phase's CTRF report in a ConfigMap `aicr-ctrf-<runID>-<phase>` in its namespace (NVIDIA/aicr
 * pkg/validator/ctrf/configmap.go). Lists the ConfigMaps of that one namespace through client-node
 * and keeps those; never `snapshot`, which reads no ConfigMaps. Read-only: one `list`, which the
 * namespaced Role in docs/rbac-aicr-reports.yaml grants.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { AICR_VALIDATION_NAMESPACE, isCtrfConfigMap } from '../../questions/diagnose/ctrf.ts';
import { kubeFailure, kubeStatus } from '../errors.ts';
import { toWire } from './kube-wire.ts';

/** What reading the reports needs: list ConfigMaps in AICR's namespace, nothing cluster-wide. */
export const AICR_REPORT_PERMISSIONS = [
  { group: '', resource: 'configmaps', verb: 'list', namespace: AICR_VALIDATION_NAMESPACE },
] as const;

export interface AicrReportConfigMaps {
  readonly namespace: string;
  /** The CTRF ConfigMaps, as `kubectl get configmap -o json` prints each. */
  readonly configMaps: Record<string, unknown>[];
  /** Why none could be read (RBAC), for stderr and the diagnosis. */
  readonly warnings: string[];
}

export async function readAicrReportConfigMaps(
  kc: KubeConfig,
  options: { readonly namespace?: string; readonly pageSize?: number } = {},
): Promise<AicrReportConfigMaps> {
  const namespace = options.namespace ?? AICR_VALIDATION_NAMESPACE;
  const core = kc.makeApiClient(CoreV1Api);
  const server = kc.getCurrentCluster()?.server ?? '(unknown server)';
  const configMaps: Record<string, unknown>[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await core.listNamespacedConfigMap({
        namespace,
        limit: options.pageSize ?? 100,
        ...(token ? { _continue: token } : {}),
      });
      for (const item of page.items ?? []) {
        const wire = { apiVersion: 'v1', kind: 'ConfigMap', ...(toWire(item, 'V1ConfigMap') as object) };
        if (isCtrfConfigMap(wire)) configMaps.push(wire);
      }
      token = page.metadata?._continue;
    } while (token);
  } catch (err) {
    // The reports are optional evidence: without the Role, diagnose goes on without them.
    if (kubeStatus(err) === 403) {
      return {
        namespace,
        configMaps: [],
        warnings: [
          `Kubernetes RBAC forbids list on configmaps in namespace ${namespace}: AICR validator reports were not read ` +
            '(apply docs/rbac-aicr-reports.yaml, or pass the reports with --ctrf)',
        ],
      };
    }
    throw kubeFailure(err, { verb: 'list', resource: 'configmaps', server, namespace });
  }
  return { namespace, configMaps, warnings: [] };
}
