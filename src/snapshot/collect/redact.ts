/**
 * What never lands in a snapshot: env values other than the settings the analysis reads, server-side
 * bookkeeping (managedFields) and `last-applied-configuration` (a full copy of the spec, env values
 * included). Pure: works on wire-form objects and returns new ones.
 */

export const REDACTED = '<redacted>';

/**
 * Env names whose values the analysis reads (src/requirements/context.ts, src/model/kubernetes.ts):
 * Dynamo's DYN_* planes and ports, NATS_SERVER, ETCD_ENDPOINTS, and the VPC CNI settings on aws-node.
 */
const KEPT_ENV: readonly RegExp[] = [
  /^DYN_/,
  /^NATS_SERVER$/,
  /^ETCD_ENDPOINTS$/,
  /^AWS_VPC_K8S_CNI_/,
  /^ENABLE_POD_ENI$/,
  /^ENABLE_PREFIX_DELEGATION$/,
  /^POD_SECURITY_GROUP_ENFORCING_MODE$/,
  /^ENI_CONFIG_(LABEL|ANNOTATION)_DEF$/,
];

export function keepsEnvValue(name: string): boolean {
  return KEPT_ENV.some((pattern) => pattern.test(name));
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function cleanMetadata(metadata: unknown): unknown {
  if (!isObject(metadata)) return metadata;
  const { managedFields: _managed, ...rest } = metadata;
  if (isObject(rest.annotations) && LAST_APPLIED in rest.annotations) {
    const { [LAST_APPLIED]: _applied, ...annotations } = rest.annotations;
    rest.annotations = annotations;
  }
  return rest;
}

/** `value` replaced unless kept; `valueFrom` stays, since it is only a reference (secret name + key). */
function redactEnv(env: unknown[]): unknown[] {
  return env.map((variable: unknown) => {
    if (!isObject(variable) || typeof variable.name !== 'string' || !('value' in variable)) return variable;
    return keepsEnvValue(variable.name) ? variable : { ...variable, value: REDACTED };
  });
}

function redactPodSpec(spec: unknown): unknown {
  if (!isObject(spec)) return spec;
  const out: Json = { ...spec };
  for (const key of ['containers', 'initContainers', 'ephemeralContainers']) {
    const containers = out[key];
    if (Array.isArray(containers)) {
      out[key] = containers.map((c: unknown) =>
        isObject(c) && Array.isArray(c.env) ? { ...c, env: redactEnv(c.env) } : c,
      );
    }
  }
  return out;
}

/**
 * One Kubernetes object made safe to write: metadata cleaned everywhere it appears (object and pod
 * template), env values redacted in a Pod's spec and in any workload's pod template.
 */
export function redactObject<T>(object: T): T {
  if (!isObject(object)) return object;
  const out: Json = { ...object };
  if ('metadata' in out) out.metadata = cleanMetadata(out.metadata);
  if (out.kind === 'Pod') out.spec = redactPodSpec(out.spec);
  if (isObject(out.spec) && isObject(out.spec.template)) {
    const template = out.spec.template;
    out.spec = {
      ...out.spec,
      template: {
        ...template,
        ...('metadata' in template ? { metadata: cleanMetadata(template.metadata) } : {}),
        ...('spec' in template ? { spec: redactPodSpec(template.spec) } : {}),
      },
    };
  }
  return out as T;
}
