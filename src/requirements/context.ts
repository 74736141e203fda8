/** Settles the facts requirements depend on, in order of authority: flags, recipe, cluster, catalog default. */
import semver from 'semver';
import type { PodModel } from '../model/types.ts';
import { detectDynamoVersion, dynamoRole, envSetting } from './detect.ts';
import type { RequirementContext } from './resolve.ts';
import { newestDynamoVersion } from './resolve.ts';

/** What an AICR recipe says (see recipe.ts). */
export interface RecipeInfo {
  readonly name: string;
  readonly source: string;
  readonly dynamoVersion?: string;
  readonly dynamoNamespace?: string;
  readonly prometheusNamespace?: string;
  /** Validation checks the recipe runs; undefined when the recipe does not list them. */
  readonly checks?: readonly string[];
}

export interface ContextOptions {
  readonly dynamoVersion?: string;
  readonly recipe?: RecipeInfo;
  /** Force the conformance check on or off (e.g. `--no-conformance`). */
  readonly conformance?: boolean;
  /** NetworkPolicies exist and are enforced (from the model; not a user option). */
  readonly networkPolicies?: boolean;
}

export interface ContextResult {
  readonly context: RequirementContext;
  readonly notes: string[];
}

/** NATS_SERVER like nats://dynamo-platform-nats.dynamo-system.svc.cluster.local:4222 → service, namespace, port. */
export function parseServiceUrl(
  url: string,
): { service: string; namespace?: string; port?: number } | undefined {
  const match = /^[a-z]+:\/\/([^/:,]+)(?::(\d+))?/i.exec(url.trim());
  if (!match) return undefined;
  const [service, namespace] = match[1]!.split('.');
  return {
    service: service!,
    ...(namespace && namespace !== 'svc' ? { namespace } : {}),
    ...(match[2] ? { port: Number(match[2]) } : {}),
  };
}

export function buildRequirementContext(pods: readonly PodModel[], options: ContextOptions): ContextResult {
  const notes: string[] = [];
  const dynamoPods = pods.filter((p) => dynamoRole(p) !== undefined);

  let dynamoVersion: string;
  let versionSource: string;
  const detected = detectDynamoVersion(pods);
  if (options.dynamoVersion) {
    const coerced = semver.valid(options.dynamoVersion) ?? semver.coerce(options.dynamoVersion)?.version;
    dynamoVersion = coerced!;
    versionSource = '--dynamo-version';
    if (detected[0] && detected[0].value !== dynamoVersion) {
      notes.push(
        `the cluster runs Dynamo ${detected[0].value} (${detected[0].source}); analysing for ${dynamoVersion} as asked`,
      );
    }
  } else if (options.recipe?.dynamoVersion) {
    dynamoVersion = semver.coerce(options.recipe.dynamoVersion)!.version;
    versionSource = `recipe ${options.recipe.name}`;
    if (detected[0] && detected[0].value !== dynamoVersion) {
      notes.push(
        `the cluster runs Dynamo ${detected[0].value} (${detected[0].source}); analysing for the recipe's ${dynamoVersion}`,
      );
    }
  } else if (detected[0]) {
    dynamoVersion = detected[0].value;
    versionSource = `detected: ${detected[0].source}`;
    const others = [...new Set(detected.map((d) => d.value))].filter((v) => v !== dynamoVersion);
    if (others.length > 0)
      notes.push(`other Dynamo versions also seen in the cluster: ${others.join(', ')} (mid-upgrade?)`);
  } else {
    dynamoVersion = newestDynamoVersion;
    versionSource = 'no version given or found in the cluster: assumed the newest in the catalog';
  }

  const modern = semver.gte(dynamoVersion, '1.2.0-0');
  const eventEnv = envSetting(dynamoPods, 'DYN_EVENT_PLANE');
  const eventPlane: 'nats' | 'zmq' = eventEnv?.value.toLowerCase() === 'zmq' ? 'zmq' : 'nats';
  const requestEnv = envSetting(dynamoPods, 'DYN_REQUEST_PLANE');
  const requestValue = requestEnv?.value.toLowerCase();
  const requestPlane = requestValue === 'nats' || requestValue === 'http' ? requestValue : 'tcp';

  let conformance = true;
  let conformanceSource = 'the default for AICR inference recipes';
  if (options.conformance !== undefined) {
    conformance = options.conformance;
    conformanceSource = options.conformance ? '--conformance' : '--no-conformance';
  } else if (options.recipe?.checks) {
    conformance = options.recipe.checks.includes('ai-service-metrics');
    conformanceSource = `recipe ${options.recipe.name} ${conformance ? 'lists' : 'does not list'} ai-service-metrics`;
  }

  const portEnv: Record<string, { value: string; source: string }> = {};
  for (const name of ['DYN_TCP_RPC_PORT', 'DYN_TCP_RESPONSE_STREAM_PORT']) {
    const setting = envSetting(dynamoPods, name);
    if (setting) portEnv[name] = setting;
  }

  const targetOverrides: RequirementContext['targetOverrides'] = {};
  const overrides = targetOverrides as Record<
    string,
    { namespace?: string; service?: string; port?: number; source: string }
  >;
  const natsEnv = envSetting(dynamoPods, 'NATS_SERVER');
  const natsUrl = natsEnv ? parseServiceUrl(natsEnv.value) : undefined;
  if (natsUrl && natsEnv) overrides.nats = { ...natsUrl, source: natsEnv.source };
  else if (options.recipe?.dynamoNamespace)
    overrides.nats = { namespace: options.recipe.dynamoNamespace, source: `recipe ${options.recipe.name}` };
  const etcdEnv = envSetting(dynamoPods, 'ETCD_ENDPOINTS');
  const etcdUrl = etcdEnv ? parseServiceUrl(etcdEnv.value.split(',')[0]!) : undefined;
  if (etcdUrl && etcdEnv) overrides.etcd = { ...etcdUrl, source: etcdEnv.source };
  if (options.recipe?.prometheusNamespace) {
    overrides.prometheus = {
      namespace: options.recipe.prometheusNamespace,
      source: `recipe ${options.recipe.name}`,
    };
  }

  return {
    context: {
      dynamoVersion,
      versionSource,
      eventPlane,
      eventPlaneSource: eventEnv
        ? eventEnv.source
        : modern
          ? 'DYN_EVENT_PLANE unset: nats is the 1.2 default'
          : 'pre-1.2 default',
      requestPlane,
      requestPlaneSource: requestEnv
        ? requestEnv.source
        : 'DYN_REQUEST_PLANE unset: tcp is the 1.2 default, AICR does not override it',
      conformance,
      conformanceSource,
      networkPolicies: options.networkPolicies ?? false,
      portEnv,
      targetOverrides,
    },
    notes,
  };
}
