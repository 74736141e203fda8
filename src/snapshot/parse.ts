/**
 * Pure part of the loader: turns the text of input files into a validated, merged Snapshot.
 * Files are recognised by content, never by name: JSON or YAML whatever the file is called (a
 * prefix-list `Entries` file may carry its list id only in its name, as
 * `get-managed-prefix-list-entries` output does). A name ending in .json, .yaml or .yml only says
 * that the file is meant to be data, so that content which cannot be read is an error rather than
 * a skipped file. Every file not used is listed with its reason; earlier reports of this tool are
 * recognised and skipped. Validation never throws: problems are collected as InputIssues with file
 * and JSON path.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import type { z } from 'zod';
import {
  awsIdPattern,
  CALICO_GROUPS,
  CILIUM_GROUP,
  CalicoPolicy,
  CiliumPolicy,
  EksCluster,
  EksNodegroup,
  type Instance,
  NetworkAcl,
  NetworkInterface,
  PrefixList,
  PodLogs,
  PrefixListEntry,
  Reservation,
  SnapshotManifest,
  TOOL_API_VERSION,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
  Vpc,
  kubernetesKinds,
  type KubernetesKind,
} from './schemas.ts';
import { nestingProblem } from '../base/nesting.ts';
import { fastCheckFor } from './fast-check.ts';
import { readYaml } from '../base/yaml.ts';
import { emptySnapshot, type DataKind, type InputIssue, type Located, type Snapshot } from './types.ts';

export interface InputFile {
  /** Path relative to the snapshot root, used in every message. */
  readonly path: string;
  readonly text: string;
}

export type ParseResult = { ok: true; snapshot: Snapshot } | { ok: false; issues: InputIssue[] };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Builder = Mutable<Snapshot> & { captured: Set<DataKind> };

/** JSON-path rendering in the style `SecurityGroups[3].IpPermissions`. */
export function joinPath(base: string, segments: readonly PropertyKey[]): string {
  let out = base;
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment))
      out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const awsArrays: { key: string; kind: DataKind; schema: z.ZodType; into: keyof Snapshot }[] = [
  { key: 'SecurityGroups', kind: 'SecurityGroups', schema: SecurityGroup, into: 'securityGroups' },
  {
    key: 'SecurityGroupRules',
    kind: 'SecurityGroupRules',
    schema: SecurityGroupRule,
    into: 'securityGroupRules',
  },
  {
    key: 'NetworkInterfaces',
    kind: 'NetworkInterfaces',
    schema: NetworkInterface,
    into: 'networkInterfaces',
  },
  { key: 'NetworkAcls', kind: 'NetworkAcls', schema: NetworkAcl, into: 'networkAcls' },
  { key: 'Subnets', kind: 'Subnets', schema: Subnet, into: 'subnets' },
  { key: 'Vpcs', kind: 'Vpcs', schema: Vpc, into: 'vpcs' },
  { key: 'PrefixLists', kind: 'PrefixLists', schema: PrefixList, into: 'prefixLists' },
];

const kindTargets: Record<KubernetesKind, keyof Snapshot> = {
  Node: 'nodes',
  Pod: 'pods',
  Service: 'services',
  EndpointSlice: 'endpointSlices',
  Endpoints: 'endpoints',
  ENIConfig: 'eniConfigs',
  SecurityGroupPolicy: 'securityGroupPolicies',
  DynamoGraphDeployment: 'dynamoGraphDeployments',
  DaemonSet: 'daemonSets',
  Namespace: 'namespaces',
  NetworkPolicy: 'networkPolicies',
  Event: 'events',
  ValidatingWebhookConfiguration: 'webhookConfigurations',
  MutatingWebhookConfiguration: 'webhookConfigurations',
  APIService: 'apiServices',
};

/**
 * Whether `schema` accepts `value`: its fast check (fast-check.ts) when it has one and that says
 * yes, else zod itself. Callers run zod again for the issues of a value found invalid.
 */
function valid(schema: z.ZodType, value: unknown): boolean {
  return fastCheckFor(schema)?.(value) === true || schema.safeParse(value).success;
}

class FileParser {
  constructor(
    private readonly file: string,
    private readonly out: Builder,
    private readonly issues: InputIssue[],
  ) {}

  private issue(path: string, message: string): void {
    this.issues.push({ file: this.file, path, message });
  }

  /** Records that this file holds data of `kind` (even none of it: an empty list is a capture). */
  private capture(kind: DataKind): void {
    this.out.captured.add(kind);
    const byFile = this.out.kindsByFile as Map<string, Set<DataKind>>;
    let kinds = byFile.get(this.file);
    if (!kinds) byFile.set(this.file, (kinds = new Set()));
    kinds.add(kind);
  }

  /** A capture cut short: later pages or chunks are missing. A warning, never fatal. */
  private incomplete(path: string, message: string): void {
    this.out.warnings.push({ file: this.file, path, message });
  }

  /** Validates `value` at `path`; pushes it with its origin on success, issues on failure. */
  private take<T>(schema: z.ZodType<T>, value: unknown, path: string, into: Located<T>[]): boolean {
    if (!valid(schema, value)) {
      for (const issue of schema.safeParse(value).error!.issues)
        this.issue(joinPath(path, issue.path), issue.message);
      return false;
    }
    // Keep the parsed input itself, not zod's copy: the schemas only check (no defaults or
    // transforms), and holding one copy of a 250 MB snapshot instead of two is what bounds memory.
    into.push({ value: value as T, origin: { file: this.file, path } });
    return true;
  }

  private list(into: keyof Snapshot): Located<unknown>[] {
    return this.out[into] as Located<unknown>[];
  }

  /** Returns whether the document was recognised. */
  parseDocument(doc: unknown, base: string): boolean {
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
      if (Array.isArray(doc)) return false;
      return false;
    }
    const record = doc as Record<string, unknown>;
    if (record.apiVersion === TOOL_API_VERSION) return this.parseOwn(record, base);
    const cut = cutShortList(record);
    if (cut) {
      this.issue(base, cut);
      return true;
    }
    if (typeof record.kind === 'string' && typeof record.apiVersion === 'string') {
      return this.parseKubernetes(record, base);
    }
    if (typeof record.NextToken === 'string' && record.NextToken !== '') {
      this.incomplete(
        joinPath(base, ['NextToken']),
        'incomplete capture: it ends with a NextToken, so the AWS CLI stopped before the last page (--max-items or --no-paginate) and what is on later pages is missing; capture it again without them',
      );
    }
    let recognised = false;
    for (const { key, kind, schema, into } of awsArrays) {
      if (!(key in record)) continue;
      recognised = true;
      this.capture(kind);
      this.eachOf(record[key], joinPath(base, [key]), (item, path) =>
        this.take(schema, item, path, this.list(into)),
      );
    }
    if ('Reservations' in record) {
      recognised = true;
      this.capture('Reservations');
      this.eachOf(record.Reservations, joinPath(base, ['Reservations']), (item, path) => {
        if (!valid(Reservation, item)) {
          for (const issue of Reservation.safeParse(item).error!.issues)
            this.issue(joinPath(path, issue.path), issue.message);
          return;
        }
        // The input's instances, not zod's copies (which drop the fields the schema does not check).
        (item as { Instances: Instance[] }).Instances.forEach((instance, i) =>
          this.out.instances.push({
            value: instance,
            origin: { file: this.file, path: joinPath(path, ['Instances', i]) },
          }),
        );
      });
    }
    if ('Entries' in record && !('NetworkAclId' in record)) {
      recognised = true;
      this.parsePrefixListEntries(record, base);
    }
    if ('cluster' in record && record.cluster && typeof record.cluster === 'object') {
      recognised = true;
      this.capture('EksCluster');
      this.take(EksCluster, record.cluster, joinPath(base, ['cluster']), this.out.clusters);
    }
    if ('nodegroup' in record && record.nodegroup && typeof record.nodegroup === 'object') {
      recognised = true;
      this.capture('EksNodegroup');
      this.take(EksNodegroup, record.nodegroup, joinPath(base, ['nodegroup']), this.out.nodegroups);
    }
    return recognised;
  }

  /** Documents this tool writes itself: captured logs and the snapshot manifest. */
  private parseOwn(record: Record<string, unknown>, base: string): boolean {
    if (record.kind === 'PodLogs') {
      this.capture('PodLogs');
      const logs: Located<PodLogs>[] = [];
      if (this.take(PodLogs, record, base, logs)) {
        logs[0]!.value.items.forEach((item, i) =>
          this.out.podLogs.push({
            value: item,
            origin: { file: this.file, path: joinPath(base, ['items', i]) },
          }),
        );
      }
      return true;
    }
    if (record.kind === 'SnapshotManifest') {
      this.capture('SnapshotManifest');
      this.take(SnapshotManifest, record, base, this.out.manifests);
      return true;
    }
    return false;
  }

  private eachOf(value: unknown, path: string, visit: (item: unknown, path: string) => void): void {
    if (!Array.isArray(value)) {
      this.issue(path, `expected array, received ${describeType(value)}`);
      return;
    }
    value.forEach((item, i) => visit(item, `${path}[${i}]`));
  }

  private parsePrefixListEntries(record: Record<string, unknown>, base: string): void {
    const fromWrapper = typeof record.PrefixListId === 'string' ? record.PrefixListId : undefined;
    const fromName = /\b(pl-[0-9a-f]+)\b/.exec(this.file)?.[1];
    const prefixListId = fromWrapper ?? fromName;
    const path = joinPath(base, ['Entries']);
    if (fromWrapper !== undefined && !awsIdPattern('pl').test(fromWrapper)) {
      this.issue(
        joinPath(base, ['PrefixListId']),
        'expected an id of the form pl-… (lowercase letters and digits, like pl-0123456789abcdef0)',
      );
      return;
    }
    if (!prefixListId) {
      this.issue(
        path,
        'prefix-list entries need their list id: name the file after it (pl-….json) or add "PrefixListId"',
      );
      return;
    }
    this.capture('PrefixListEntries');
    const entries: Located<PrefixListEntry>[] = [];
    this.eachOf(record.Entries, path, (item, itemPath) =>
      this.take(PrefixListEntry, item, itemPath, entries),
    );
    this.out.prefixListEntries.push({
      value: { prefixListId, entries: entries.map((e) => e.value) },
      origin: { file: this.file, path },
    });
  }

  private parseKubernetes(record: Record<string, unknown>, base: string): boolean {
    const kind = record.kind as string;
    if (kind === 'List' || kind.endsWith('List')) {
      const path = joinPath(base, ['items']);
      if (!('items' in record)) {
        // kubectl always writes `items` (`[]` for none): a list without it lost its objects.
        this.issue(
          base,
          `a ${kind} without items: kubectl always writes them (\`items: []\` for none), so the capture was cut short; capture it again`,
        );
        return true;
      }
      const listMeta = record.metadata as { continue?: unknown } | undefined;
      if (typeof listMeta?.continue === 'string' && listMeta.continue !== '') {
        this.incomplete(
          joinPath(base, ['metadata', 'continue']),
          'incomplete capture: the list has a continue token, so it is one chunk of a longer list and the rest is missing; capture it again with kubectl get (which reads every chunk)',
        );
      }
      let recognisedAny = false;
      this.eachOf(record.items ?? [], path, (item, itemPath) => {
        if (item && typeof item === 'object' && !Array.isArray(item)) {
          // Typed lists (`PodList`) omit kind/apiVersion on their items.
          const itemRecord = item as Record<string, unknown>;
          const itemKind =
            typeof itemRecord.kind === 'string' ? itemRecord.kind : kind.slice(0, -'List'.length);
          // Typed-list items get their kind written in place: copying 200k pods costs seconds of GC.
          if (itemRecord.kind !== itemKind) itemRecord.kind = itemKind;
          // …and their apiVersion from the list (a `NetworkPolicyList` of projectcalico.org/v3).
          const apiVersion =
            typeof itemRecord.apiVersion === 'string'
              ? itemRecord.apiVersion
              : kind !== 'List' && typeof record.apiVersion === 'string'
                ? record.apiVersion
                : undefined;
          if (this.parseKubernetesObject(itemRecord, itemPath, apiVersion)) recognisedAny = true;
        } else {
          this.issue(itemPath, `expected object, received ${describeType(item)}`);
        }
      });
      // An empty list is a capture of "none of these": it still counts as recognised.
      return recognisedAny || (Array.isArray(record.items) && record.items.length === 0) || kind !== 'List';
    }
    return this.parseKubernetesObject(record, base, record.apiVersion as string);
  }

  /** A kind of another group that the analysis does not use (a method: no closure per object). */
  private ignoreKind(kind: string, path: string, apiVersion: string | undefined): false {
    this.out.ignored.push({
      file: this.file,
      reason: `${path || 'document'}: kind ${kind} of ${apiVersion ?? 'no apiVersion'} is not used by the analysis`,
    });
    return false;
  }

  /**
   * Policy kinds of other engines share names with Kubernetes kinds (Calico's `NetworkPolicy`), so
   * they are told apart by API group: projectcalico.org / crd.projectcalico.org and cilium.io.
   */
  private parseKubernetesObject(record: Record<string, unknown>, path: string, apiVersion?: string): boolean {
    const kind = record.kind as string;
    const group = apiVersion?.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    if (CALICO_GROUPS.includes(group)) {
      if (kind !== 'NetworkPolicy' && kind !== 'GlobalNetworkPolicy')
        return this.ignoreKind(kind, path, apiVersion);
      this.out.captured.add(kind === 'NetworkPolicy' ? 'CalicoNetworkPolicy' : 'CalicoGlobalNetworkPolicy');
      this.take(CalicoPolicy, { ...record, apiVersion }, path, this.out.calicoPolicies);
      return true;
    }
    if (group === CILIUM_GROUP) {
      if (kind !== 'CiliumNetworkPolicy' && kind !== 'CiliumClusterwideNetworkPolicy')
        return this.ignoreKind(kind, path, apiVersion);
      this.out.captured.add(kind);
      this.take(CiliumPolicy, { ...record, apiVersion }, path, this.out.ciliumPolicies);
      return true;
    }
    // A NetworkPolicy of some other group (Antrea's crd.antrea.io, say) is not Kubernetes'.
    if (kind === 'NetworkPolicy' && group !== '' && group !== 'networking.k8s.io' && group !== 'extensions')
      return this.ignoreKind(kind, path, apiVersion);
    if (!(kind in kubernetesKinds)) {
      const hint = kind === 'RecipeResult' ? ' (give it with --recipe)' : '';
      this.out.ignored.push({
        file: this.file,
        reason: `${path || 'document'}: kind ${kind} is not used by the analysis${hint}`,
        unusedKind: kind,
      });
      return false;
    }
    const known = kind as KubernetesKind;
    this.capture(known);
    this.take(kubernetesKinds[known] as z.ZodType, record, path, this.list(kindTargets[known]));
    return true;
  }
}

/**
 * kubectl writes a list's keys in order — apiVersion, items, kind, metadata — so a capture cut
 * short keeps its apiVersion and loses `kind: List` (all of it, or its end): what came after the
 * cut is missing, and reading the rest would make those objects vanish.
 */
function cutShortList(record: Record<string, unknown>): string | undefined {
  if (typeof record.apiVersion !== 'string') return undefined;
  const keys = Object.keys(record);
  if (keys.length === 1)
    return 'only an apiVersion: a kubectl capture cut short after its first line; capture it again';
  const kind = record.kind;
  if ('items' in record && (typeof kind !== 'string' || /^(L|Li|Lis)?$/.test(kind)))
    return 'a Kubernetes list without its kind: kubectl writes `kind: List` after `items`, so the capture was cut short and objects after the cut are missing; capture it again';
  return undefined;
}

/** `line L, column C` of a JSON.parse error that gives its offset ("at position N"), else ''. */
function jsonErrorPlace(text: string, message: string): string {
  const at = /at position (\d+)/.exec(message);
  if (!at) return '';
  const offset = Math.min(Number(at[1]), text.length);
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

/** What a name says the file is meant to be; content decides what it is. */
function dataName(path: string): 'json' | 'yaml' | undefined {
  if (/\.json$/i.test(path)) return 'json';
  if (/\.ya?ml$/i.test(path)) return 'yaml';
  return undefined;
}

const REPORT = 'an earlier report of dynamo-netcheck, not cluster data';

/**
 * Earlier reports of this tool recognised from their text. `fix` output is not among them: its
 * NetworkPolicies dropped into a snapshot are read as applied, the what-if the docs describe.
 */
function ownTextOutput(text: string): string | undefined {
  const head = text.slice(0, 4096);
  if (/^dynamo-netcheck (analyze|diagnose|placement|diff|probe|dial|requirements)\b/.test(head))
    return `${REPORT} (${/^dynamo-netcheck (\w+)/.exec(head)![1]})`;
  if (/^#{1,6} dynamo-netcheck: /.test(head)) return `${REPORT} (Markdown)`;
  if (/^(<\?xml[^>]*\?>\s*)?<testsuites name="dynamo-netcheck"/.test(head)) return `${REPORT} (JUnit XML)`;
  if (/^<!doctype html>/i.test(head) && /<meta name="generator" content="dynamo-netcheck\b/.test(head))
    return `${REPORT} (HTML)`;
  return undefined;
}

/** Earlier output of this tool, or another tool's test report, recognised from its one document. */
function reportDocument(doc: unknown): string | undefined {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
  const record = doc as Record<string, unknown>;
  const toolName = (value: unknown): unknown =>
    value && typeof value === 'object' ? (value as { name?: unknown }).name : undefined;
  if (record.reportFormat === 'CTRF') {
    const results = record.results as { tool?: unknown } | undefined;
    return record.generatedBy === 'dynamo-netcheck' || toolName(results?.tool) === 'dynamo-netcheck'
      ? `${REPORT} (CTRF)`
      : 'a CTRF test report, not cluster data (diagnose reads it with --ctrf)';
  }
  if (toolName(record.tool) === 'dynamo-netcheck') return `${REPORT} (JSON)`;
  return undefined;
}

/** Prose beside the data: a Markdown document (its first line a heading) that is not YAML data. */
function isMarkdown(text: string): boolean {
  return /^\s*#{1,6} \S/.test(text);
}

type Classified =
  | { kind: 'data'; docs: unknown[] }
  | { kind: 'skip'; reason: string; expected?: boolean }
  | { kind: 'text' }
  | { kind: 'issue'; issue: InputIssue };

function jsonIssue(file: InputFile, err: unknown): InputIssue {
  const message = (err as Error).message;
  return { file: file.path, path: jsonErrorPlace(file.text, message), message: `invalid JSON: ${message}` };
}

/** Top-level keys kubectl and the AWS CLI start a YAML capture with. */
const CAPTURE_KEYS = new Set([
  'apiVersion',
  'kind',
  'items',
  'metadata',
  ...awsArrays.map((a) => a.key),
  'Reservations',
  'Entries',
  'PrefixListId',
  'NextToken',
  'cluster',
  'nodegroup',
]);

/**
 * YAML that fails to parse is prose only when it does not start like a capture: a first line such
 * as `apiVersion: v1` or `SecurityGroups:` says it is data, damaged, whatever the file is called.
 */
function looksLikeCapture(text: string): boolean {
  const first = /^(?:[ \t]*(?:#.*)?\r?\n)*(?:---[ \t]*\r?\n)?([A-Za-z]+):(?:[ \t]|\r?\n|$)/.exec(text);
  return first !== null && CAPTURE_KEYS.has(first[1]!);
}

/** Objects or arrays, not a string, number or nothing: what any capture is made of. */
const structured = (docs: readonly unknown[]): boolean =>
  docs.some((doc) => doc !== null && typeof doc === 'object');

/**
 * JSON when the text starts like JSON (or the name says JSON), else YAML — whatever the name.
 * Content that is neither is an error in a file named as data, and a skipped file otherwise.
 */
function classify(file: InputFile): Classified {
  const named = dataName(file.path);
  if (!/\S/.test(file.text)) return { kind: 'skip', reason: 'empty file' };
  const own = ownTextOutput(file.text);
  if (own) return { kind: 'skip', reason: own, expected: true };
  // Hostile YAML or JSON (an alias bomb, nesting past the limit) is an error whatever the name.
  const yamlIssue = (error: string): Classified => ({
    kind: 'issue',
    issue: { file: file.path, path: '', message: error },
  });
  if (/^\s*[[{]/.test(file.text) || named === 'json') {
    let doc: unknown;
    try {
      doc = JSON.parse(file.text);
    } catch (err) {
      // Flow-style YAML in a .yaml file, or block YAML in a file named .json, is still data;
      // JSON cut short is not retried as YAML (slow on a large file, and never better).
      if (named === 'yaml' || !/^\s*[[{]/.test(file.text)) {
        const yaml = readYaml(file.text);
        if ('docs' in yaml && structured(yaml.docs)) return { kind: 'data', docs: yaml.docs };
        if ('error' in yaml && (named === 'yaml' || yaml.limit)) return yamlIssue(yaml.error);
      }
      return { kind: 'issue', issue: jsonIssue(file, err) };
    }
    const problem = nestingProblem(doc);
    if (problem) return { kind: 'issue', issue: { file: file.path, path: '', message: `JSON ${problem}` } };
    return { kind: 'data', docs: [doc] };
  }
  const yaml = readYaml(file.text);
  if ('error' in yaml) {
    if (named === 'yaml' || yaml.limit || looksLikeCapture(file.text)) return yamlIssue(yaml.error);
    return { kind: 'text' };
  }
  if (!named && !structured(yaml.docs)) return { kind: 'text' };
  return { kind: 'data', docs: yaml.docs };
}

/** Input files as bytes, before decoding: the loader's whole input, for tests and fuzzing. */
export interface InputBytes {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** Text in UTF-8 (a BOM dropped), or UTF-16 with its BOM (PowerShell's `>`); undefined when neither. */
function decode(bytes: Uint8Array): string | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length >= 2 && buffer[0] === 0xff && buffer[1] === 0xfe && buffer.length % 2 === 0)
    return buffer.subarray(2).toString('utf16le');
  if (buffer.length >= 2 && buffer[0] === 0xfe && buffer[1] === 0xff && buffer.length % 2 === 0)
    return Buffer.from(buffer.subarray(2)).swap16().toString('utf16le');
  // isUtf8 is a native check; Buffer's decoder is much faster than a fatal TextDecoder on 100 MB.
  if (!isUtf8(bytes)) return undefined;
  const text = buffer.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Why bytes that are not text were not read. */
export function binaryReason(bytes: Uint8Array): string {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip-compressed: decompress it to have it read';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return 'a zip archive: extract it to have it read';
  return 'binary, not text';
}

/**
 * Parses files one at a time and merges them; all-or-nothing: any issue means no snapshot. Feeding
 * files one by one lets the loader drop each file's bytes and text before reading the next, so a
 * 400 MB snapshot never holds all its raw text and its parsed documents at once.
 */
export class SnapshotParser {
  private readonly out = emptySnapshot() as Builder;
  private readonly issues: InputIssue[] = [];

  /** Decodes strictly; bytes that are not text are an issue in a file named as data, else skipped. */
  addBytes(file: InputBytes): void {
    const text = decode(file.bytes);
    if (text === undefined) {
      if (dataName(file.path))
        this.issues.push({ file: file.path, path: '', message: 'not valid UTF-8 text' });
      else this.skip(file.path, binaryReason(file.bytes));
      return;
    }
    this.addText({ path: file.path, text });
  }

  /** A file the loader did not read (symlinked out of the directory, the run's own output, …). */
  skip(path: string, reason: string, expected = false): void {
    this.out.ignored.push({ file: path, reason, ...(expected ? { expected } : {}) });
  }

  addText(file: InputFile): void {
    const parsed = classify(file);
    if (parsed.kind === 'issue') {
      this.issues.push(parsed.issue);
      return;
    }
    if (parsed.kind === 'skip') {
      this.skip(file.path, parsed.reason, parsed.expected);
      return;
    }
    if (parsed.kind === 'text') {
      if (isMarkdown(file.text)) this.out.documentation.push(file.path);
      else this.skip(file.path, 'text that is neither JSON nor YAML data');
      return;
    }
    const report = parsed.docs.length === 1 ? reportDocument(parsed.docs[0]) : undefined;
    if (report) {
      this.skip(file.path, report, report.startsWith(REPORT));
      return;
    }
    const parser = new FileParser(file.path, this.out, this.issues);
    let recognised = false;
    parsed.docs.forEach((doc, i) => {
      const base = parsed.docs.length > 1 ? `document[${i}]` : '';
      if (doc === null || doc === undefined) return;
      if (parser.parseDocument(doc, base)) recognised = true;
    });
    if (!recognised && !this.out.ignored.some((entry) => entry.file === file.path)) {
      this.out.ignored.push({ file: file.path, reason: 'not a recognised AWS or Kubernetes document' });
    }
  }

  result(): ParseResult {
    this.issues.push(
      ...conflictingDuplicates(this.out.securityGroups, 'security group', (g) => g.GroupId),
      ...conflictingDuplicates(
        this.out.securityGroupRules,
        'security group rule',
        (r) => r.SecurityGroupRuleId,
      ),
      ...conflictingDuplicates(this.out.networkAcls, 'network ACL', (a) => a.NetworkAclId),
    );
    return this.issues.length > 0 ? { ok: false, issues: this.issues } : { ok: true, snapshot: this.out };
  }
}

/** JSON with object keys sorted: equal for the same content, whatever order a capture wrote. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/**
 * The same object captured twice (a re-run capture, a paginated one) merges when both copies say
 * the same; when they differ, which one is right cannot be told, and taking the first by file
 * name would let file names decide the verdict: an input error naming both.
 */
function conflictingDuplicates<T>(
  items: readonly Located<T>[],
  what: string,
  idOf: (item: T) => string | undefined,
): InputIssue[] {
  const first = new Map<string, Located<T>>();
  const issues: InputIssue[] = [];
  for (const item of items) {
    const id = idOf(item.value);
    if (id === undefined) continue;
    const earlier = first.get(id);
    if (!earlier) {
      first.set(id, item);
      continue;
    }
    if (canonical(earlier.value) !== canonical(item.value))
      issues.push({
        file: item.origin.file,
        path: item.origin.path,
        message: `${what} ${id} is captured twice with different content (also ${earlier.origin.file}${earlier.origin.path ? `: ${earlier.origin.path}` : ''}); keep one capture of it`,
      });
  }
  return issues;
}

/** Every file as bytes (see SnapshotParser.addBytes). */
export function parseSnapshotBytes(files: readonly InputBytes[]): ParseResult {
  const parser = new SnapshotParser();
  for (const file of files) parser.addBytes(file);
  return parser.result();
}

/** Every file as text (see SnapshotParser). */
export function parseSnapshot(files: readonly InputFile[]): ParseResult {
  const parser = new SnapshotParser();
  for (const file of files) parser.addText(file);
  return parser.result();
}
