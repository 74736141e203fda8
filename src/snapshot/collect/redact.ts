/**
 * What never lands in a snapshot: env values other than the settings the analysis reads, the
 * values of secret-named flags on command lines, server-side
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

// A flag or assignment that names a secret: `--password=x`, `-token x`, `API_KEY=x`, `--auth-token x`.
const SECRET_NAME = /(pass(word|wd)?|secret|token|api[-_]?key|credentials?|auth|private[-_]?key)/i;
const ASSIGNMENT = /^(-{0,2}[A-Za-z0-9_.-]+)=(.*)$/s;

/**
 * Command lines pass secrets as flags too: the value of a flag whose name says secret is replaced,
 * whether given as `--flag=value` or as the next argument. Other arguments stay (the analysis and
 * diagnose read flags such as the policy agent's `--enable-network-policy=true`).
 */
export function redactArgs(args: unknown[]): unknown[] {
  return args.map((arg, i) => {
    if (typeof arg !== 'string') return arg;
    const assignment = ASSIGNMENT.exec(arg);
    if (assignment) return SECRET_NAME.test(assignment[1]!) ? `${assignment[1]}=${REDACTED}` : arg;
    const previous = args[i - 1];
    const afterSecretFlag =
      typeof previous === 'string' &&
      /^-{1,2}[A-Za-z]/.test(previous) &&
      !previous.includes('=') &&
      SECRET_NAME.test(previous);
    return afterSecretFlag && !arg.startsWith('-') ? REDACTED : arg;
  });
}

function redactContainer(container: unknown): unknown {
  if (!isObject(container)) return container;
  const out: Json = { ...container };
  if (Array.isArray(out.env)) out.env = redactEnv(out.env);
  for (const key of ['args', 'command'] as const) {
    const list = out[key];
    if (Array.isArray(list)) out[key] = redactArgs(list);
  }
  return out;
}

function redactPodSpec(spec: unknown): unknown {
  if (!isObject(spec)) return spec;
  const out: Json = { ...spec };
  for (const key of ['containers', 'initContainers', 'ephemeralContainers']) {
    const containers = out[key];
    if (Array.isArray(containers)) out[key] = containers.map(redactContainer);
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
