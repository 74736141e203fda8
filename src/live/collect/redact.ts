/**
 * What reaches a snapshot on disk: redaction by allow-list. Pure: works on wire-form objects and
 * returns new ones.
 *
 * - Env: the value of a variable stays only when the analysis reads it (KEPT_ENV) and its name
 *   does not say secret; every other value becomes REDACTED, the name stays. A kept value loses the
 *   credentials of any URL in it (`nats://user:pw@host:4222` → `nats://host:4222`).
 * - Annotations: only those the analysis reads (KEPT_ANNOTATIONS); the rest, which may copy the
 *   whole spec (`kubectl.kubernetes.io/last-applied-configuration`, `kapp.k14s.io/original`), go.
 *   managedFields go too.
 * - Command lines (args, command, probes' and lifecycle hooks' exec commands, and the words of a
 *   `sh -c` script in them): the value of a secret-named flag or assignment in any form (`--x=v`,
 *   `--x v`, `--x:v`, `-Dx=v`, `NAME=v`), `redis-cli -a v`, `mysql -pv`, `-u user:pw`, and any
 *   text secret (below). Other words stay as they are, so the flags the analysis parses
 *   (`--kv-events-config`, `--data-parallel-size`, `--natsAddr`, `--enable-network-policy`) do.
 * - Probe and lifecycle `httpHeaders`: every value. Volume sources: only structural fields
 *   (KEPT_VOLUME_FIELDS); secret references, flexVolume options and CSI attributes go.
 * - Messages (status `message`s such as termination messages, event `message`/`note`, log lines):
 *   the text stays, with secrets masked by pattern (redactText): tokens (`hf_…`, `ghp_…`,
 *   `nvapi-…`, `sk-…`, JWTs `eyJ…`, AWS key ids `AKIA…`), `Bearer …`/`Basic …`, private-key blocks,
 *   URL userinfo and `name=value` / `name: value` where the name says secret.
 * - Every other string of the object: the token shapes, `Bearer …` and URL userinfo (a safety net
 *   for fields no rule above names).
 */

export const REDACTED = '<redacted>';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

// ─── Names ──────────────────────────────────────────────────────────────────────────────────────

// Words of a flag or variable name (split on - _ . and camelCase) that make its value a secret.
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'pass',
  'pwd',
  'secret',
  'secrets',
  'token',
  'apikey',
  'credential',
  'credentials',
  'creds',
  'auth',
  'bearer',
]);
// Compounds ending in one of these are secret too: PGPASSWORD, --dbpassword, hftoken, clientsecret.
const SECRET_SUFFIXES = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'accesskey',
  'privatekey',
  'secretkey',
  'credentials',
  'creds',
];
// Words that make a following `key` a secret: api-key, access-key, private-key, secret-key.
const KEY_QUALIFIERS = new Set(['api', 'access', 'private', 'secret', 'client', 'signing', 'encryption']);

/**
 * `--nats-password`, `API_KEY`, `--access-key-id`, `--apiToken`, `PGPASSWORD`, `-Dpassword`,
 * `Authorization`: yes; `--authorization-mode`, `--tokenizer`, `--max-num-batched-tokens`,
 * `--passes`, `--bypass-cache`: no.
 */
export function namesSecret(name: string): boolean {
  let known = secretNames.get(name);
  if (known === undefined) {
    if (secretNames.size > 10_000) secretNames.clear();
    known = judgeName(name);
    secretNames.set(name, known);
  }
  return known;
}
// The same env names and flags come back on every pod: judged once each.
const secretNames = new Map<string, boolean>();

function judgeName(name: string): boolean {
  const bare = /^-D[A-Za-z]/.test(name) ? name.slice(2) : name.replace(/^-+/, '');
  const words = bare
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[-_.\s]+/)
    .filter((w) => w !== '');
  return words.some(
    (word, i) =>
      SECRET_WORDS.has(word) ||
      SECRET_SUFFIXES.some((suffix) => word.length > suffix.length && word.endsWith(suffix)) ||
      (word === 'key' && i > 0 && KEY_QUALIFIERS.has(words[i - 1]!)) ||
      (word === 'authorization' && i === words.length - 1),
  );
}

// ─── Text ───────────────────────────────────────────────────────────────────────────────────────

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@'"]+@/gi;

/** Secrets recognisable by their shape alone. */
const TOKEN_SHAPES: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\bhf_[A-Za-z0-9]{8,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{8,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{8,}/g,
  /\bglpat-[A-Za-z0-9_-]{8,}/g,
  // Kubernetes names are lower case: these need an upper-case letter, so a pod `sk-learn-…` stays.
  /\bnvapi-(?=[\w-]*[A-Z])[A-Za-z0-9_-]{8,}/g,
  /\bsk-(?=[\w-]*[A-Z])[A-Za-z0-9_-]{16,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{8,}/g,
  /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]+){0,2}/g,
];
// A header's credentials on any string: `Bearer` as HTTP writes it, followed by a token.
const BEARER = /\bBearer(\s+)[A-Za-z0-9._~+/=-]{4,}/g;
// In messages and command lines, any case and `Basic` / `Digest` too: the scheme stays, the credentials go.
const AUTH_SCHEME = /\b(Bearer|Basic|Digest)(\s+)([A-Za-z0-9._~+/=:-]+)/gi;
// A quick test before the replacements: most strings hold none of these.
const MAYBE_TOKEN =
  /:\/\/[^\s/]*@|PRIVATE KEY|hf_|gh[pousr]_|github_pat_|glpat-|nvapi-|sk-|xox|A[KSB]IA|ACCA|eyJ|Bearer/;

/**
 * URL userinfo removed and token-shaped secrets replaced: safe on any string (it never touches a
 * Kubernetes name, a label or a selector, which hold none of these shapes).
 */
export function redactTokens(text: string): string {
  if (!MAYBE_TOKEN.test(text)) return text;
  let out = text.replace(URL_USERINFO, '$1');
  for (const shape of TOKEN_SHAPES) out = out.replace(shape, REDACTED);
  return out.replace(BEARER, `Bearer$1${REDACTED}`);
}

// `password=x`, `"token": "x"`, `X-Api-Key: x`, `Authorization: Bearer x`: the value masked when the name says secret.
const KEY_VALUE =
  /(?<![A-Za-z0-9_.])(["']?)([A-Za-z][A-Za-z0-9_.-]*)\1(\s*[=:]\s*)((?:Bearer|Basic|Token|Digest)\s+)?("[^"]*"|'[^']*'|[^\s"',;&|)}\]]+)/gi;

// Cheap tests before the replacements: every name namesSecret accepts holds one of these.
const SECRET_HINT = /pass|pwd|secret|token|key|cred|auth|bearer/i;
const AUTH_HINT = /bearer|basic|digest/i;

/**
 * A message, a log line or a command-line word with its secrets masked and the rest of its text
 * kept (the diagnosis matches signatures such as `Failed to connect to NATS: timed out` on it).
 */
export function redactText(text: string): string {
  const tokensGone = redactTokens(text);
  const masked = !AUTH_HINT.test(tokensGone)
    ? tokensGone
    : tokensGone.replace(AUTH_SCHEME, (whole, scheme: string, space: string, value: string) =>
        // "Basic authentication failed" holds no credentials: a token has a digit or base64 padding.
        scheme.toLowerCase() === 'bearer' || /[0-9+/=]/.test(value) ? `${scheme}${space}${REDACTED}` : whole,
      );
  if (!SECRET_HINT.test(masked)) return masked;
  return masked.replace(
    KEY_VALUE,
    (whole, quote: string, name: string, separator: string, scheme: string | undefined, value: string) => {
      if (!namesSecret(name) || value.startsWith('//')) return whole;
      const masked = value.startsWith('"')
        ? `"${REDACTED}"`
        : value.startsWith("'")
          ? `'${REDACTED}'`
          : REDACTED;
      return `${quote}${name}${quote}${separator}${scheme ?? ''}${masked}`;
    },
  );
}

// ─── Command lines ──────────────────────────────────────────────────────────────────────────────

const ASSIGNMENT = /^(-{0,2}[A-Za-z0-9_.-]+)=(.*)$/s;
const FLAG = /^-{1,2}[A-Za-z][A-Za-z0-9_.-]*$/;
const MYSQL = new Set(['mysql', 'mariadb', 'mysqldump', 'mysqladmin']);

/** A shell word without its quotes, for judging it (`'--password'` is `--password`). */
const unquote = (word: string): string =>
  word.replace(
    /'([^']*)'|"((?:[^"\\]|\\.)*)"/g,
    (_, single: string | undefined, double: string | undefined) =>
      single !== undefined ? single : (double ?? ''),
  );

// The programs whose own flags carry passwords (redis-cli -a, mysql -p, curl -u).
const PROGRAMS = /(?:^|\/)(?:redis-cli|curl|mysql|mariadb|mysqldump|mysqladmin)$/;

/** Whether the word after `flag` is a secret, in the program being called. */
function secretAfter(flag: string, program: string, value: string): boolean {
  if (value.startsWith('-')) return false;
  if (FLAG.test(flag) && namesSecret(flag)) return true;
  if (flag === '-a' && program === 'redis-cli') return true;
  return (flag === '-u' || flag === '--user') && value.includes(':');
}

/** One list of words (argv, or the words of a `sh -c` script): secret values replaced. */
function redactWords(words: readonly string[]): string[] {
  let program = '';
  const bare = words.map((word) => (word.includes("'") || word.includes('"') ? unquote(word) : word));
  return words.map((word, i) => {
    const plain = bare[i]!;
    if (i > 0 && secretAfter(bare[i - 1]!, program, plain)) return REDACTED;
    if (PROGRAMS.test(plain)) {
      const name = plain.split('/').at(-1)!;
      if (name === 'redis-cli' || name === 'curl' || MYSQL.has(name)) program = name;
    }
    const assignment = plain.includes('=') ? ASSIGNMENT.exec(plain) : null;
    if (
      assignment &&
      (namesSecret(assignment[1]!) || (assignment[1] === '--user' && assignment[2]!.includes(':')))
    )
      return `${assignment[1]}=${REDACTED}`;
    if (MYSQL.has(program) && /^-p./.test(plain)) return `-p${REDACTED}`;
    if (program === 'curl' && /^-u[^-\s]*:/.test(plain)) return `-u${REDACTED}`;
    return redactText(word);
  });
}

// A shell word: unquoted runs and quoted strings, glued (`--x="a b"` is one word).
const SHELL_WORD = /(?:[^\s'"]+|'[^']*'|"(?:[^"\\]|\\.)*"|['"])+/g;

/** A script's words redacted in place, whitespace and quoting of the other words kept. */
function redactScript(script: string): string {
  const words = [...script.matchAll(SHELL_WORD)];
  const done = redactWords(words.map((m) => m[0]));
  let out = '';
  let at = 0;
  words.forEach((match, i) => {
    out += script.slice(at, match.index) + done[i]!;
    at = match.index + match[0].length;
  });
  // `"token": "x"` across two words: the text rules see the whole script once more.
  return redactText(out + script.slice(at));
}

/**
 * Command lines pass secrets too: the value of a flag or assignment whose name says secret (as
 * `--flag=value`, `--flag:value`, `-Dflag=value`, `NAME=value` or the next argument), the
 * password of `redis-cli -a` / `mysql -p`, `-u user:password`, URL userinfo, token-shaped text,
 * and the same inside a shell script argument (`sh -c "…"`). Other arguments stay: the analysis
 * reads flags such as `--kv-events-config` or the policy agent's `--enable-network-policy=true`.
 */
export function redactArgs(args: unknown[]): unknown[] {
  const strings = args.map((a) => (typeof a === 'string' ? a : ''));
  const redacted = redactWords(strings);
  return args.map((arg, i) => {
    if (typeof arg !== 'string') return arg;
    // A script (`sh -c "…"`) has its words judged one by one, unless it is a secret flag's value
    // (`--password`, `two words`) or a secret flag with its value (`--password=two words`);
    // `PGPASSWORD=x psql …` is a script.
    const whole = redacted[i]!;
    if (/\s/.test(arg) && whole !== REDACTED && !(whole.startsWith('-') && whole.endsWith(`=${REDACTED}`)))
      return redactScript(arg);
    return whole;
  });
}

// ─── Objects ────────────────────────────────────────────────────────────────────────────────────

/**
 * Env names whose values the analysis reads (src/requirements/context.ts, src/requirements/catalog.ts,
 * src/model/kubernetes.ts): Dynamo's planes, discovery and ports, NATS_SERVER, ETCD_ENDPOINTS, the
 * NIXL side-channel port and UCX transport settings, and the VPC CNI settings on aws-node. Nothing else.
 */
const KEPT_ENV: readonly RegExp[] = [
  /^DYN_(EVENT_PLANE|REQUEST_PLANE|DISCOVERY_BACKEND)$/,
  /^DYN_[A-Z0-9_]*_PORT$/,
  /^NATS_SERVER$/,
  /^ETCD_ENDPOINTS$/,
  // Disaggregated serving: the NIXL side-channel port and UCX's transports and TCP port range.
  /^VLLM_NIXL_SIDE_CHANNEL_PORT$/,
  /^UCX_(TLS|TCP_PORT_RANGE)$/,
  /^AWS_VPC_K8S_CNI_(CUSTOM_NETWORK_CFG|EXTERNALSNAT)$/,
  /^ENABLE_POD_ENI$/,
  /^ENABLE_IPv6$/,
  /^POD_SECURITY_GROUP_ENFORCING_MODE$/,
  /^DISABLE_TCP_EARLY_DEMUX$/,
  /^ENI_CONFIG_LABEL_DEF$/,
];

export function keepsEnvValue(name: string): boolean {
  return KEPT_ENV.some((pattern) => pattern.test(name)) && !namesSecret(name);
}

/** Annotations the analysis reads: a pod's branch ENI (security groups for pods), a node's ENIConfig. */
const KEPT_ANNOTATIONS: ReadonlySet<string> = new Set([
  'vpc.amazonaws.com/pod-eni',
  'k8s.amazonaws.com/eniConfig',
]);

function keptAnnotations(annotations: unknown): unknown {
  if (!isObject(annotations)) return annotations;
  return Object.fromEntries(Object.entries(annotations).filter(([key]) => KEPT_ANNOTATIONS.has(key)));
}

function cleanMetadata(metadata: unknown): unknown {
  if (!isObject(metadata)) return metadata;
  const { managedFields: _managed, ...rest } = metadata;
  if ('annotations' in rest) rest.annotations = keptAnnotations(rest.annotations);
  return rest;
}

/** `value` replaced unless kept; `valueFrom` stays, since it is only a reference (secret name + key). */
function redactEnv(env: unknown[]): unknown[] {
  return env.map((variable: unknown) => {
    if (!isObject(variable) || typeof variable.name !== 'string' || !('value' in variable)) return variable;
    if (!keepsEnvValue(variable.name)) return { ...variable, value: REDACTED };
    // Kept for its host and port (NATS_SERVER, ETCD_ENDPOINTS); credentials in the URL are not.
    return typeof variable.value === 'string' ? { ...variable, value: redactText(variable.value) } : variable;
  });
}

/** A probe or lifecycle hook: its exec command as a command line, every HTTP header value, the path's secrets. */
function redactHandler(handler: unknown): unknown {
  if (!isObject(handler)) return handler;
  const out: Json = { ...handler };
  if (isObject(out.exec) && Array.isArray(out.exec.command))
    out.exec = { ...out.exec, command: redactArgs(out.exec.command) };
  if (isObject(out.httpGet)) {
    const httpGet: Json = { ...out.httpGet };
    if (Array.isArray(httpGet.httpHeaders))
      httpGet.httpHeaders = httpGet.httpHeaders.map((header: unknown) =>
        isObject(header) && 'value' in header ? { ...header, value: REDACTED } : header,
      );
    if (typeof httpGet.path === 'string') httpGet.path = redactText(httpGet.path);
    out.httpGet = httpGet;
  }
  return out;
}

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

function redactContainer(container: unknown): unknown {
  if (!isObject(container)) return container;
  const out: Json = { ...container };
  if (Array.isArray(out.env)) out.env = redactEnv(out.env);
  // One command line: `--hf-token` may end the command and its value start the args.
  const command = Array.isArray(out.command) ? out.command : undefined;
  const args = Array.isArray(out.args) ? out.args : undefined;
  if (command || args) {
    const done = redactArgs([...(command ?? []), ...(args ?? [])]);
    if (command) out.command = done.slice(0, command.length);
    if (args) out.args = done.slice(command?.length ?? 0);
  }
  for (const probe of PROBES) if (probe in out) out[probe] = redactHandler(out[probe]);
  if (isObject(out.lifecycle)) {
    const lifecycle: Json = { ...out.lifecycle };
    for (const hook of ['postStart', 'preStop'])
      if (hook in lifecycle) lifecycle[hook] = redactHandler(lifecycle[hook]);
    out.lifecycle = lifecycle;
  }
  return out;
}

/** Fields of a volume source that say what it is without saying anything secret. */
const KEPT_VOLUME_FIELDS: ReadonlySet<string> = new Set([
  'driver',
  'fsType',
  'readOnly',
  'claimName',
  'path',
  'type',
  'medium',
  'sizeLimit',
  'defaultMode',
  'optional',
]);

/** Each volume keeps its name and source type; inside the source, only KEPT_VOLUME_FIELDS. */
function redactVolume(volume: unknown): unknown {
  if (!isObject(volume)) return volume;
  return Object.fromEntries(
    Object.entries(volume).map(([key, source]) => {
      if (key === 'name' || !isObject(source)) return [key, source];
      return [
        key,
        Object.fromEntries(
          Object.entries(source).map(([field, value]) => [
            field,
            KEPT_VOLUME_FIELDS.has(field) ? value : REDACTED,
          ]),
        ),
      ];
    }),
  );
}

function redactPodSpec(spec: unknown): unknown {
  if (!isObject(spec)) return spec;
  const out: Json = { ...spec };
  for (const key of ['containers', 'initContainers', 'ephemeralContainers']) {
    const containers = out[key];
    if (Array.isArray(containers)) out[key] = containers.map(redactContainer);
  }
  if (Array.isArray(out.volumes)) out.volumes = out.volumes.map(redactVolume);
  return out;
}

/**
 * A DynamoGraphDeployment's graph-wide and per-service `envs`, each service's probes and
 * annotations, and its `extraPodSpec` (a pod spec and a main container), as for pods.
 */
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
      if ('annotations' in copy) copy.annotations = keptAnnotations(copy.annotations);
      for (const probe of PROBES) if (probe in copy) copy[probe] = redactHandler(copy[probe]);
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

/** Every `message` under a status (termination, waiting, condition messages), secrets masked. */
function redactMessages(value: unknown): unknown {
  return mapLazily(value, (key, v) =>
    key === 'message' && typeof v === 'string' ? redactText(v) : redactMessages(v),
  );
}

/** Every string of a value through redactTokens; unchanged parts are the same objects. */
function redactStrings(value: unknown): unknown {
  if (typeof value === 'string') return redactTokens(value);
  return mapLazily(value, (_, v) => redactStrings(v));
}

/**
 * An object's or array's members through `map`, copied only where one changed (runs on every
 * field of every pod: no copies, entries or closures per member when nothing changes).
 */
function mapLazily(value: unknown, map: (key: string | number, member: unknown) => unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const member: unknown = value[i];
      const mapped = map(i, member);
      if (mapped !== member) (copy ??= value.slice())[i] = mapped;
    }
    return copy ?? value;
  }
  let copy: Json | undefined;
  for (const key in value) {
    const member = (value as Json)[key];
    const mapped = map(key, member);
    if (mapped !== member) (copy ??= { ...(value as Json) })[key] = mapped;
  }
  return copy ?? value;
}

/**
 * One Kubernetes object made safe to write: metadata cleaned everywhere it appears (object and pod
 * template), a Pod's and any workload template's containers, probes, hooks and volumes redacted, a
 * DynamoGraphDeployment's services too, status and event messages masked, and every other string
 * rid of token-shaped secrets.
 */
function withoutKey(object: Json, key: string): Json {
  const { [key]: _dropped, ...rest } = object;
  return rest;
}

export function redactObject<T>(object: T): T {
  if (!isObject(object)) return object;
  const out: Json = { ...object };
  if ('metadata' in out) out.metadata = cleanMetadata(out.metadata);
  if (out.kind === 'Pod') out.spec = redactPodSpec(out.spec);
  if (out.kind === 'DynamoGraphDeployment') out.spec = redactGraphSpec(out.spec);
  // Not read by the analysis: the CA bundles of webhooks and APIServices (bulky, and nobody's business).
  if (
    (out.kind === 'ValidatingWebhookConfiguration' || out.kind === 'MutatingWebhookConfiguration') &&
    Array.isArray(out.webhooks)
  )
    out.webhooks = out.webhooks.map((hook: unknown) =>
      isObject(hook) && isObject(hook.clientConfig)
        ? { ...hook, clientConfig: withoutKey(hook.clientConfig, 'caBundle') }
        : hook,
    );
  if (out.kind === 'APIService' && isObject(out.spec)) out.spec = withoutKey(out.spec, 'caBundle');
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
  if ('status' in out) out.status = redactMessages(out.status);
  if (out.kind === 'Event')
    for (const key of ['message', 'note'])
      if (typeof out[key] === 'string') out[key] = redactText(out[key] as string);
  return redactStrings(out) as T;
}
