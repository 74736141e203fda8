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
    if (!keepsEnvValue(variable.name)) return { ...variable, value: REDACTED };
    // Kept for its host and port (NATS_SERVER, ETCD_ENDPOINTS); a password in the URL is not.
    return typeof variable.value === 'string'
      ? { ...variable, value: redactUrlPasswords(variable.value) }
      : variable;
  });
}

// Words of a flag or variable name (split on - _ .) that make its value a secret.
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pass',
  'pwd',
  'secret',
  'token',
  'apikey',
  'credential',
  'credentials',
  'auth',
]);
// Words that make a following `key` a secret: api-key, access-key, private-key, secret-key.
const KEY_QUALIFIERS = new Set(['api', 'access', 'private', 'secret']);

/** `--nats-password`, `API_KEY`, `--access-key-id`: yes; `--authorization-mode`, `--tokenizer`, `--passes`: no. */
export function namesSecret(name: string): boolean {
  const words = name
    .replace(/^-+/, '')
    .toLowerCase()
    .split(/[-_.]+/);
  return words.some(
    (word, i) => SECRET_WORDS.has(word) || (word === 'key' && i > 0 && KEY_QUALIFIERS.has(words[i - 1]!)),
  );
}

/** The password of `scheme://user:password@host` replaced, wherever such a URL appears. */
export function redactUrlPasswords(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, `$1${REDACTED}@`);
}

const ASSIGNMENT = /^(-{0,2}[A-Za-z0-9_.-]+)=(.*)$/s;
const FLAG = /^-{1,2}[A-Za-z][A-Za-z0-9_.-]*$/;

/** One list of words (argv, or the words of a `sh -c` script): secret values replaced. */
function redactWords(words: readonly string[]): string[] {
  return words.map((word, i) => {
    const assignment = ASSIGNMENT.exec(word);
    if (assignment && namesSecret(assignment[1]!)) return `${assignment[1]}=${REDACTED}`;
    const previous = words[i - 1];
    if (previous !== undefined && FLAG.test(previous) && namesSecret(previous) && !word.startsWith('-'))
      return REDACTED;
    return redactUrlPasswords(word);
  });
}

/**
 * Command lines pass secrets too: the value of a flag or assignment whose name says secret (as
 * `--flag=value`, `NAME=value` or the next argument), the password in a URL, and the same inside
 * a shell script argument (`sh -c "…"`). Other arguments stay: the analysis reads flags such as
 * the policy agent's `--enable-network-policy=true`.
 */
export function redactArgs(args: unknown[]): unknown[] {
  const strings = args.map((a) => (typeof a === 'string' ? a : ''));
  const redacted = redactWords(strings);
  return args.map((arg, i) => {
    if (typeof arg !== 'string') return arg;
    // A script: its words get the same treatment, whitespace kept.
    if (/\s/.test(arg)) {
      const parts = arg.split(/(\s+)/);
      const words = parts.filter((_, j) => j % 2 === 0);
      const done = redactWords(words);
      return parts.map((part, j) => (j % 2 === 0 ? done[j / 2]! : part)).join('');
    }
    return redacted[i]!;
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

/** A DynamoGraphDeployment's graph-wide and per-service `envs`, and each main container, as for pods. */
function redactGraphSpec(spec: unknown): unknown {
  if (!isObject(spec)) return spec;
  const out: Json = { ...spec };
  if (Array.isArray(out.envs)) out.envs = redactEnv(out.envs);
  if (isObject(out.services)) {
    const services: Json = {};
    for (const [name, service] of Object.entries(out.services)) {
      if (!isObject(service)) {
        services[name] = service;
        continue;
      }
      const copy: Json = { ...service };
      if (Array.isArray(copy.envs)) copy.envs = redactEnv(copy.envs);
      if (isObject(copy.extraPodSpec))
        copy.extraPodSpec = {
          ...(redactPodSpec(copy.extraPodSpec) as Json),
          ...('mainContainer' in copy.extraPodSpec
            ? { mainContainer: redactContainer(copy.extraPodSpec.mainContainer) }
            : {}),
        };
      services[name] = copy;
    }
    out.services = services;
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
  if (out.kind === 'DynamoGraphDeployment') out.spec = redactGraphSpec(out.spec);
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
