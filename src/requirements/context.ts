/** Settles the facts requirements depend on, in order of authority: flags, recipe, cluster, catalog default. */
import semver from 'semver';
import type { PodModel } from '../model/types.ts';
import type { DeclaredComponent } from '../model/dynamo-graph.ts';
import { commandWords } from '../model/disaggregation.ts';
import {
  declaredDynamoVersions,
  declaredEnvSetting,
  detectDynamoVersion,
  dynamoRole,
  envSetting,
  workerStage,
  type Evidence,
} from './detect.ts';
import { families, type ConformanceCheck, type DynamoFamily } from './catalog.ts';
import type { RequirementContext } from './resolve.ts';
import { customMetricsCall, operatorWebhookCall, type ControlPlaneEvidence } from './control-plane.ts';
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
  /** Names of the components the recipe installs (componentRefs). */
  readonly components?: readonly string[];
  /** Each component's namespace, where the recipe names one. */
  readonly componentNamespaces?: Readonly<Record<string, string>>;
  /** The dynamo-platform component's value overrides, as the recipe gives them. */
  readonly dynamoValues?: Readonly<Record<string, unknown>>;
}

export interface ContextOptions {
  readonly dynamoVersion?: string;
  readonly recipe?: RecipeInfo;
  /** Force the conformance check on or off (e.g. `--no-conformance`). */
  readonly conformance?: boolean;
  /** NetworkPolicies exist and are enforced (from the model; not a user option). */
  readonly networkPolicies?: boolean;
  /** Whether the nodes have EFA interfaces, and which one says so (from the model; not a user option). */
  readonly efa?: { readonly value: boolean; readonly source: string };
  /** The components DynamoGraphDeployments declare (from the model; not a user option). */
  readonly declared?: readonly DeclaredComponent[];
  /** Webhook configurations, APIServices and Services the API server calls (from the model; not a user option). */
  readonly controlPlane?: ControlPlaneEvidence;
  /** Whether pods get their own security groups, and what says so (from the model; not a user option). */
  readonly podSecurityGroups?: { readonly value: boolean; readonly source: string };
}

export interface ContextResult {
  readonly context: RequirementContext;
  readonly notes: string[];
}

/**
 * NATS_SERVER like nats://dynamo-platform-nats.dynamo-system.svc.cluster.local:4222 → service,
 * namespace, port; credentials before the host (`nats://user:pw@…`, `nats://TOKEN@…`) are skipped.
 */
export function parseServiceUrl(
  url: string,
): { service: string; namespace?: string; port?: number; badPort?: string } | undefined {
  const match = /^[a-z]+:\/\/(?:[^/@\s]*@)?([^/:,@]+)(?::(\d+))?/i.exec(url.trim());
  if (!match) return undefined;
  const [service, namespace] = match[1]!.split('.');
  const port = match[2] === undefined ? undefined : Number(match[2]);
  // A TCP port is 1-65535 (0 is "any" to bind, never a port to dial): another number is no port.
  const valid = port !== undefined && Number.isInteger(port) && port >= 1 && port <= 65535;
  return {
    service: service!,
    ...(namespace && namespace !== 'svc' ? { namespace } : {}),
    ...(valid ? { port } : {}),
    ...(port !== undefined && !valid ? { badPort: match[2]! } : {}),
  };
}

export function buildRequirementContext(pods: readonly PodModel[], options: ContextOptions): ContextResult {
  const notes: string[] = [];
  const dynamoPods = pods.filter((p) => dynamoRole(p) !== undefined);
  // The graphs' env is what the user declared: it holds across an upgrade, unlike the pods' env
  // (which the running operator injects), so it counts in a what-if too.
  const declared = options.declared ?? [];

  let dynamoVersion: string;
  let versionSource: string;
  const detected = [...detectDynamoVersion(pods), ...declaredDynamoVersions(declared)];
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

  const family = familyOf(dynamoVersion);
  if (semver.gt(dynamoVersion, newestDynamoVersion))
    notes.push(
      `Dynamo ${dynamoVersion} is newer than the catalog (newest ${newestDynamoVersion}): the ${family.id} family's defaults are assumed`,
    );
  // What is deployed speaks for the version being analysed only when it is that version: asked
  // about another release (an upgrade what-if), the running pods' settings are not evidence.
  const deployedIsAnalysed = !detected[0] || detected[0].value === dynamoVersion;
  const evidence: PlaneEvidence = {
    dynamoPods: deployedIsAnalysed ? dynamoPods : [],
    pods: deployedIsAnalysed ? pods : [],
    declared,
    recipe: options.recipe,
    family,
  };
  const eventDecision = decideEventPlane(evidence);
  const etcdDecision = decideEtcd(evidence);
  const dcgm = decideDcgmExporter(pods, options.recipe);
  const setting = (name: string): Evidence | undefined =>
    envSetting(evidence.dynamoPods, name) ?? declaredEnvSetting(declared, name);
  const requestEnv = setting('DYN_REQUEST_PLANE');
  const requestValue = requestEnv?.value.toLowerCase();
  const requestPlane = requestValue === 'nats' || requestValue === 'http' ? requestValue : 'tcp';

  // Whether a conformance check runs: the flag, else the recipe's list, else AICR's inference
  // recipes, which run both checks.
  const checkRuns = (name: ConformanceCheck): { runs: boolean; source: string } =>
    options.conformance !== undefined
      ? { runs: options.conformance, source: options.conformance ? '--conformance' : '--no-conformance' }
      : options.recipe?.checks
        ? {
            runs: options.recipe.checks.includes(name),
            source: `recipe ${options.recipe.name} ${options.recipe.checks.includes(name) ? 'lists' : 'does not list'} ${name}`,
          }
        : { runs: true, source: 'the default for AICR inference recipes' };
  const conformanceChecks = {
    'ai-service-metrics': checkRuns('ai-service-metrics'),
    'accelerator-metrics': checkRuns('accelerator-metrics'),
  };
  const conformance = conformanceChecks['ai-service-metrics'].runs;
  const conformanceSource = conformanceChecks['ai-service-metrics'].source;

  const portEnv: Record<string, { value: string; source: string }> = {};
  for (const name of ['DYN_TCP_RPC_PORT', 'DYN_TCP_RESPONSE_STREAM_PORT']) {
    const found = setting(name);
    if (found) portEnv[name] = found;
  }
  const workers = evidence.dynamoPods.filter((p) => dynamoRole(p) === 'worker');
  const declaredWorkers = declared.filter((c) => c.role === 'worker');
  const kvEventPort =
    envSetting(workers, 'DYN_VLLM_KV_EVENT_PORT') ??
    kvEventsConfigPort(workerArgs(workers)) ??
    declaredEnvSetting(declaredWorkers, 'DYN_VLLM_KV_EVENT_PORT') ??
    kvEventsConfigPort(declaredArgs(declaredWorkers));
  if (kvEventPort) portEnv.DYN_VLLM_KV_EVENT_PORT = kvEventPort;
  // The workers' system port (metrics): the operator sets it on every worker (DynamoSystemPort in
  // every release that has one), so running workers of another release still say it across an
  // upgrade what-if; a graph may set it too.
  const systemPort =
    envSetting(
      dynamoPods.filter((p) => dynamoRole(p) === 'worker'),
      'DYN_SYSTEM_PORT',
    ) ?? declaredEnvSetting(declaredWorkers, 'DYN_SYSTEM_PORT');
  if (systemPort) portEnv.DYN_SYSTEM_PORT = systemPort;
  const dataParallel =
    dataParallelSize(workerArgs(workers)) ?? dataParallelSize(declaredArgs(declaredWorkers));
  const disaggregation = decideDisaggregation(evidence.dynamoPods, declared);
  const sideChannel = disaggregation.prefill.pods.length + disaggregation.prefill.declared.length > 0;
  const prefillLines = [
    ...workerArgs(disaggregation.prefill.pods),
    ...declaredArgs(disaggregation.prefill.declared),
  ];
  const sideChannelPort =
    envSetting(disaggregation.prefill.pods, 'VLLM_NIXL_SIDE_CHANNEL_PORT') ??
    declaredEnvSetting(disaggregation.prefill.declared, 'VLLM_NIXL_SIDE_CHANNEL_PORT');
  if (sideChannel && sideChannelPort) portEnv.VLLM_NIXL_SIDE_CHANNEL_PORT = sideChannelPort;
  const nixlRanks = sideChannel ? nixlRankCount(prefillLines) : undefined;
  const nixlLauncherRange = sideChannel ? launcherPortRange(prefillLines) : undefined;
  // UCX over TCP: the workers' UCX_TLS (unset: UCX picks every transport it has, tcp included),
  // unless EFA interfaces carry the transfer (efa-srd).
  const ucxTls = setting('UCX_TLS');
  const tlsAllowsTcp = !ucxTls || ucxTlsHasTcp(ucxTls.value);
  const ucxTcp = {
    ucxTcp: sideChannel && !(options.efa?.value ?? false) && tlsAllowsTcp,
    ucxTcpSource: options.efa?.value
      ? `${options.efa.source}: the KV cache moves over EFA (efa-srd), not UCX's tcp transport`
      : ucxTls
        ? `${ucxTls.source}${tlsAllowsTcp ? ': tcp is among the transports' : ': tcp is not among the transports'}`
        : 'no EFA interface, and UCX_TLS unset: UCX moves the KV cache over tcp',
  };
  const ucxRange = setting('UCX_TCP_PORT_RANGE');
  if (sideChannel && ucxRange) portEnv.UCX_TCP_PORT_RANGE = ucxRange;

  const targetOverrides: RequirementContext['targetOverrides'] = {};
  const overrides = targetOverrides as Record<
    string,
    { namespace?: string; service?: string; port?: number; source: string }
  >;
  const natsEnv = setting('NATS_SERVER');
  const serviceUrl = (env: { value: string; source: string }, value: string) => {
    const parsed = parseServiceUrl(value);
    if (!parsed?.badPort) return parsed;
    const { badPort, ...rest } = parsed;
    notes.push(
      `${env.source} names port ${badPort}, which is not a TCP port (1-65535): ignored, the default port is used`,
    );
    return rest;
  };
  const natsUrl = natsEnv ? serviceUrl(natsEnv, natsEnv.value) : undefined;
  if (natsUrl && natsEnv) overrides.nats = { ...natsUrl, source: natsEnv.source };
  else if (options.recipe?.dynamoNamespace)
    overrides.nats = { namespace: options.recipe.dynamoNamespace, source: `recipe ${options.recipe.name}` };
  const etcdEnv = setting('ETCD_ENDPOINTS');
  const etcdUrl = etcdEnv ? serviceUrl(etcdEnv, etcdEnv.value.split(',')[0]!) : undefined;
  if (etcdUrl && etcdEnv) overrides.etcd = { ...etcdUrl, source: etcdEnv.source };
  if (options.recipe?.prometheusNamespace) {
    overrides.prometheus = {
      namespace: options.recipe.prometheusNamespace,
      source: `recipe ${options.recipe.name}`,
    };
  }

  // The API server's own calls into the pods: the captured webhook configurations and APIServices
  // decide; else what is deployed or the recipe predicts them.
  // Without a cluster (`requirements`), what a Dynamo install with AICR's components calls.
  const controlPlaneCalls: RequirementContext['controlPlaneCalls'] = {
    'operator-webhook': operatorWebhookCall(options.controlPlane, options.recipe),
    'custom-metrics-api': customMetricsCall(
      options.controlPlane,
      options.recipe,
      options.recipe?.componentNamespaces?.['prometheus-adapter'],
    ),
  };
  for (const [id, call] of Object.entries(controlPlaneCalls)) {
    if (call.applies && call.target) overrides[id] = call.target;
  }

  return {
    context: {
      dynamoVersion,
      versionSource,
      family,
      eventPlane: eventDecision.value,
      eventPlaneSource: eventDecision.source,
      etcd: etcdDecision.value,
      etcdSource: etcdDecision.source,
      dcgmExporter: dcgm.value,
      dcgmExporterSource: dcgm.source,
      dynamoMetrics: systemPort !== undefined,
      dynamoMetricsSource: systemPort
        ? systemPort.source
        : workers.length > 0
          ? 'no Dynamo worker pod sets DYN_SYSTEM_PORT'
          : 'no Dynamo worker pod or DynamoGraphDeployment worker sets DYN_SYSTEM_PORT',
      frontendOn: family.frontendOn,
      frontendSource: `Dynamo ${family.id}: ${family.frontendSource}`,
      whatIf: !deployedIsAnalysed,
      requestPlane,
      requestPlaneSource: requestEnv
        ? requestEnv.source
        : 'DYN_REQUEST_PLANE unset: tcp is the default since 1.2, AICR does not override it',
      conformance,
      conformanceSource,
      conformanceChecks,
      controlPlaneCalls,
      networkPolicies: options.networkPolicies ?? false,
      portEnv,
      ...(dataParallel ? { dataParallel } : {}),
      disaggregated: sideChannel,
      disaggregatedSource: disaggregation.source,
      ...(nixlRanks ? { nixlRanks } : {}),
      ...(nixlLauncherRange ? { nixlLauncherRange } : {}),
      efa: options.efa?.value ?? false,
      efaSource: options.efa?.source ?? 'no EFA interface in the snapshot',
      ...ucxTcp,
      podSecurityGroups: options.podSecurityGroups?.value ?? false,
      podSecurityGroupsSource:
        options.podSecurityGroups?.source ??
        'no cluster read: no SecurityGroupPolicy gives pods their own security groups',
      targetOverrides,
    },
    notes,
  };
}

interface PlaneEvidence {
  /** Dynamo pods of the version analysed (none when asked about another version). */
  readonly dynamoPods: readonly PodModel[];
  readonly pods: readonly PodModel[];
  /** What the DynamoGraphDeployments declare: after the running pods, before the operator and recipe. */
  readonly declared: readonly DeclaredComponent[];
  readonly recipe: RecipeInfo | undefined;
  readonly family: DynamoFamily;
}

interface Decision<T> {
  readonly value: T;
  /** The evidence that decided it, for the report ("because …"). */
  readonly source: string;
}

export function familyOf(version: string): DynamoFamily {
  return (
    families.find((f) => semver.satisfies(version, f.versions, { includePrerelease: true })) ??
    families[families.length - 1]!
  );
}

/** `--natsAddr=nats://…` or `--natsAddr nats://…` in any container's args of any pod. */
function operatorFlag(pods: readonly PodModel[], flag: string): Decision<string> | undefined {
  for (const pod of pods) {
    for (const container of pod.raw.spec.containers) {
      const args = container.args ?? [];
      for (let i = 0; i < args.length; i++) {
        const arg = args[i]!;
        const value = arg.startsWith(`${flag}=`)
          ? arg.slice(flag.length + 1)
          : arg === flag
            ? args[i + 1]
            : undefined;
        if (value) return { value, source: `arg ${flag}=${value} of pod ${pod.namespace}/${pod.name}` };
      }
    }
  }
  return undefined;
}

/** A pod labelled like the bundled NATS / etcd (app.kubernetes.io/name), any namespace. */
function deployedPod(pods: readonly PodModel[], name: string): PodModel | undefined {
  return pods.find(
    (p) => p.labels['app.kubernetes.io/name'] === name && p.phase !== 'Succeeded' && p.phase !== 'Failed',
  );
}

/** A boolean in the recipe's dynamo-platform overrides, at the first of these paths present. */
function recipeSwitch(
  recipe: RecipeInfo | undefined,
  paths: readonly string[],
): Decision<boolean> | undefined {
  const values = recipe?.dynamoValues;
  if (!values) return undefined;
  for (const path of paths) {
    let at: unknown = values;
    for (const key of path.split('.'))
      at =
        at && typeof at === 'object' && Object.hasOwn(at, key)
          ? (at as Record<string, unknown>)[key]
          : undefined;
    if (typeof at === 'boolean')
      return { value: at, source: `recipe ${recipe.name}: dynamo-platform ${path}: ${at}` };
  }
  return undefined;
}

/**
 * The event plane, from the strongest evidence down: the Dynamo pods' DYN_EVENT_PLANE, their
 * NATS_SERVER; before install the operator's --natsAddr, the recipe's platform values, a NATS pod;
 * then the family default.
 */
export function decideEventPlane(e: PlaneEvidence): Decision<'nats' | 'zmq' | 'none'> {
  const withoutNats: 'zmq' | 'none' = e.family.eventPlane === 'none' ? 'none' : 'zmq';
  const planeEnv = envSetting(e.dynamoPods, 'DYN_EVENT_PLANE');
  const plane = planeEnv?.value.toLowerCase();
  if (planeEnv && (plane === 'nats' || plane === 'zmq')) return { value: plane, source: planeEnv.source };
  const natsEnv = envSetting(e.dynamoPods, 'NATS_SERVER');
  if (natsEnv) return { value: 'nats', source: `${natsEnv.source}: the runtime connects to NATS` };
  if (e.dynamoPods.length > 0)
    return {
      value: e.family.eventPlane,
      source: `the Dynamo pods set neither DYN_EVENT_PLANE nor NATS_SERVER: ${e.family.eventPlane === 'none' ? 'no NATS event plane' : e.family.eventPlane} is the Dynamo ${e.family.id} default`,
    };
  const declaredPlane = declaredEnvSetting(e.declared, 'DYN_EVENT_PLANE');
  const declaredValue = declaredPlane?.value.toLowerCase();
  if (declaredPlane && (declaredValue === 'nats' || declaredValue === 'zmq'))
    return { value: declaredValue, source: declaredPlane.source };
  const declaredNats = declaredEnvSetting(e.declared, 'NATS_SERVER');
  if (declaredNats) return { value: 'nats', source: `${declaredNats.source}: the runtime connects to NATS` };
  const natsAddr = operatorFlag(e.pods, '--natsAddr');
  if (natsAddr) return { value: 'nats', source: natsAddr.source };
  const recipe = recipeSwitch(e.recipe, ['global.nats.install', 'nats.enabled']);
  if (recipe) return { value: recipe.value ? 'nats' : withoutNats, source: recipe.source };
  const natsPod = deployedPod(e.pods, 'nats');
  if (natsPod) return { value: 'nats', source: `NATS pod ${natsPod.namespace}/${natsPod.name} is deployed` };
  return {
    value: e.family.eventPlane,
    source: `nothing deployed says: ${e.family.eventPlane === 'none' ? 'no NATS event plane' : e.family.eventPlane} is the Dynamo ${e.family.id} default`,
  };
}

/** Whether Dynamo keeps discovery in etcd: ETCD_ENDPOINTS / DYN_DISCOVERY_BACKEND, --etcdAddr, the recipe, an etcd pod, the family. */
export function decideEtcd(e: PlaneEvidence): Decision<boolean> {
  const setting = (name: string): Evidence | undefined =>
    envSetting(e.dynamoPods, name) ??
    (e.dynamoPods.length > 0 ? undefined : declaredEnvSetting(e.declared, name));
  const backend = setting('DYN_DISCOVERY_BACKEND');
  if (backend) return { value: backend.value.toLowerCase() === 'etcd', source: backend.source };
  const endpoints = setting('ETCD_ENDPOINTS');
  if (endpoints) return { value: true, source: endpoints.source };
  const etcdAddr = e.dynamoPods.length > 0 ? undefined : operatorFlag(e.pods, '--etcdAddr');
  if (etcdAddr) return { value: true, source: etcdAddr.source };
  const recipe =
    e.dynamoPods.length > 0 ? undefined : recipeSwitch(e.recipe, ['etcd.enabled', 'global.etcd.install']);
  if (recipe) return recipe;
  const etcdPod = e.dynamoPods.length > 0 ? undefined : deployedPod(e.pods, 'etcd');
  if (etcdPod) return { value: true, source: `etcd pod ${etcdPod.namespace}/${etcdPod.name} is deployed` };
  return {
    value: e.family.etcd,
    source: `Dynamo ${e.family.id} ${e.family.etcd ? 'keeps discovery in etcd' : 'needs no etcd'} by default`,
  };
}

/** A pod of the NVIDIA GPU operator's stack (its namespace or its labels). */
function isGpuOperatorPod(pod: PodModel): boolean {
  return (
    pod.namespace === 'gpu-operator' ||
    pod.labels['app.kubernetes.io/component'] === 'gpu-operator' ||
    pod.labels.app === 'gpu-operator'
  );
}

/** dcgm-exporter pods (any namespace), else a recipe that installs gpu-operator, else before install AICR's default. */
function decideDcgmExporter(pods: readonly PodModel[], recipe: RecipeInfo | undefined): Decision<boolean> {
  const pod = pods.find((p) => p.labels.app === 'nvidia-dcgm-exporter');
  if (pod) return { value: true, source: `dcgm-exporter pod ${pod.namespace}/${pod.name}` };
  if (recipe?.components)
    return recipe.components.includes('gpu-operator')
      ? { value: true, source: `recipe ${recipe.name} installs gpu-operator` }
      : { value: false, source: `recipe ${recipe.name} does not install gpu-operator` };
  // Before install (no Dynamo pod, no GPU operator yet) the recipe that will run is AICR's, as
  // for the conformance check: it installs gpu-operator. Once either runs, what is there decides.
  const installed = pods.find((p) => dynamoRole(p) !== undefined || isGpuOperatorPod(p));
  if (!installed)
    return {
      value: true,
      source: `${pods.length === 0 ? 'no cluster data' : 'neither Dynamo nor the GPU operator is installed yet'}: AICR's inference recipes install gpu-operator with its dcgm-exporter ServiceMonitor (NVIDIA/aicr recipes/components/gpu-operator/values.yaml)`,
    };
  return {
    value: false,
    source: `no dcgm-exporter pod in the cluster although pod ${installed.namespace}/${installed.name} runs, and no recipe that installs gpu-operator`,
  };
}

/** The command line of each worker, with where it comes from. */
interface CommandLine {
  readonly words: readonly string[];
  readonly where: string;
}

function workerArgs(pods: readonly PodModel[]): CommandLine[] {
  return pods.flatMap((pod) =>
    pod.raw.spec.containers.map((c) => ({
      words: [...(c.command ?? []), ...(c.args ?? [])],
      where: `pod ${pod.namespace}/${pod.name}`,
    })),
  );
}

function declaredArgs(components: readonly DeclaredComponent[]): CommandLine[] {
  return components.map((c) => ({
    words: c.args,
    where: `DynamoGraphDeployment ${c.graph} service ${c.service}`,
  }));
}

/** The value of `--flag N` / `--flag=N` on these command lines. */
function argValue(
  lines: readonly CommandLine[],
  flags: readonly string[],
): { value: string; flag: string; where: string } | undefined {
  for (const line of lines) {
    // `sh -c "python3 -m dynamo.vllm … --data-parallel-size 2"`: look inside the script too.
    const words = commandWords(line.words);
    for (let i = 0; i < words.length; i++) {
      for (const flag of flags) {
        const word = words[i]!;
        const value = word.startsWith(`${flag}=`)
          ? word.slice(flag.length + 1)
          : word === flag
            ? words[i + 1]
            : undefined;
        if (value !== undefined) return { value, flag, where: line.where };
      }
    }
  }
  return undefined;
}

/** vLLM's `--data-parallel-size` (`-dp`) on the workers: each rank publishes KV events on port + rank. */
function dataParallelSize(lines: readonly CommandLine[]): { size: number; source: string } | undefined {
  const found = argValue(lines, ['--data-parallel-size', '-dp']);
  const size = found ? Number(found.value) : NaN;
  return found && Number.isInteger(size) && size >= 1 && size <= 1024
    ? { size, source: `arg ${found.flag} ${found.value} on ${found.where}` }
    : undefined;
}

/** The port of `--kv-events-config '{"publisher":"zmq","endpoint":"tcp://*:5557",…}'` on the workers. */
function kvEventsConfigPort(lines: readonly CommandLine[]): Evidence | undefined {
  const found = argValue(lines, ['--kv-events-config']);
  if (!found) return undefined;
  let endpoint: unknown;
  try {
    endpoint = (JSON.parse(found.value) as { endpoint?: unknown }).endpoint;
  } catch {
    return undefined;
  }
  const port = typeof endpoint === 'string' ? /:(\d{1,5})$/.exec(endpoint)?.[1] : undefined;
  return port
    ? { value: port, source: `--kv-events-config endpoint ${String(endpoint)} on ${found.where}` }
    : undefined;
}

/**
 * Disaggregated serving: prefill workers running (of the version analysed), else declared by a
 * DynamoGraphDeployment. Decode workers are the other workers; they need not say so.
 */
function decideDisaggregation(
  dynamoPods: readonly PodModel[],
  declared: readonly DeclaredComponent[],
): {
  prefill: { pods: PodModel[]; declared: DeclaredComponent[] };
  source: string;
} {
  const pods = dynamoPods.filter(
    (p) => p.phase !== 'Succeeded' && p.phase !== 'Failed' && workerStage(p)?.value === 'prefill',
  );
  if (pods.length > 0)
    return { prefill: { pods, declared: [] }, source: `prefill worker: ${workerStage(pods[0]!)!.source}` };
  const graphs = declared.filter((c) => c.stage?.value === 'prefill' && c.replicas > 0);
  if (graphs.length > 0)
    return {
      prefill: { pods: [], declared: graphs },
      source: `prefill worker declared: DynamoGraphDeployment ${graphs[0]!.graph} service ${graphs[0]!.service} (${graphs[0]!.stage!.source})`,
    };
  return {
    prefill: { pods: [], declared: [] },
    source:
      dynamoPods.length > 0 || declared.length > 0
        ? 'no prefill worker deployed or declared (no nvidia.com/dynamo-sub-component-type=prefill, --disaggregation-mode prefill or --is-prefill-worker): aggregated serving'
        : 'no Dynamo workers deployed or declared: nothing says the serving is disaggregated',
  };
}

/**
 * How many side-channel ports a prefill worker opens: data-parallel size × tensor-parallel size
 * (vLLM's NIXL connector listens on base + dp_rank·tp_size + tp_rank), when its flags say them.
 */
function nixlRankCount(lines: readonly CommandLine[]): { count: number; source: string } | undefined {
  const dp = dataParallelSize(lines);
  const tpFound = argValue(lines, ['--tensor-parallel-size', '-tp']);
  const tpValue = tpFound ? Number(tpFound.value) : NaN;
  const tp =
    tpFound && Number.isInteger(tpValue) && tpValue >= 1 && tpValue <= 1024
      ? { size: tpValue, source: `arg ${tpFound.flag} ${tpFound.value} on ${tpFound.where}` }
      : undefined;
  const count = (dp?.size ?? 1) * (tp?.size ?? 1);
  if (count <= 1) return undefined;
  return {
    count,
    source: [
      dp ? `${dp.size} data-parallel ranks (${dp.source})` : '',
      tp ? `${tp.size} tensor-parallel ranks (${tp.source})` : '',
    ]
      .filter(Boolean)
      .join(' × '),
  };
}

/**
 * Does a UCX_TLS list let UCX use its tcp transport? A comma list of transports (`all` = every
 * one); a leading `^` makes it the transports to leave out (UCX documentation, "UCX_TLS").
 */
function ucxTlsHasTcp(value: string): boolean {
  const text = value.trim().toLowerCase();
  const negated = text.startsWith('^');
  const names = (negated ? text.slice(1) : text).split(',').map((n) => n.trim());
  return negated ? !names.includes('tcp') : names.includes('all') || names.includes('tcp');
}

/**
 * An older Dynamo vLLM launcher (ai-dynamo/dynamo components/src/dynamo/vllm/args.py with
 * configure_ports and ports.py) allocated each worker's NIXL side-channel ports itself from
 * `--dynamo-port-min`..`--dynamo-port-max` (default 20000-30000) and overwrote
 * VLLM_NIXL_SIDE_CHANNEL_PORT; only that launcher takes those flags, so they are the evidence.
 */
function launcherPortRange(
  lines: readonly CommandLine[],
): { from: number; to: number; source: string } | undefined {
  const min = argValue(lines, ['--dynamo-port-min']);
  const max = argValue(lines, ['--dynamo-port-max']);
  if (!min && !max) return undefined;
  const from = min ? Number(min.value) : 20000;
  const to = max ? Number(max.value) : 30000;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1 || from > to || to > 65535)
    return undefined;
  const flags = [min, max].flatMap((f) => (f ? [`${f.flag} ${f.value}`] : [])).join(', ');
  return {
    from,
    to,
    source: `${flags} on ${(min ?? max)!.where}: that Dynamo launcher allocates the side-channel ports from ${from}-${to}`,
  };
}
