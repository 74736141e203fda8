/**
 * Pure part of the loader: turns the text of input files into a validated, merged Snapshot.
 * Files are recognised by content, never by name (except that a prefix-list `Entries` file may
 * carry its list id only in its name, as `get-managed-prefix-list-entries` output does).
 * Validation never throws: problems are collected as InputIssues with file and JSON path.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import YAML from 'yaml';
import type { z } from 'zod';
import {
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
};

class FileParser {
  constructor(
    private readonly file: string,
    private readonly out: Builder,
    private readonly issues: InputIssue[],
  ) {}

  private issue(path: string, message: string): void {
    this.issues.push({ file: this.file, path, message });
  }

  /** Validates `value` at `path`; pushes it with its origin on success, issues on failure. */
  private take<T>(schema: z.ZodType<T>, value: unknown, path: string, into: Located<T>[]): boolean {
    const result = schema.safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) this.issue(joinPath(path, issue.path), issue.message);
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
    if (typeof record.kind === 'string' && typeof record.apiVersion === 'string') {
      return this.parseKubernetes(record, base);
    }
    let recognised = false;
    for (const { key, kind, schema, into } of awsArrays) {
      if (!(key in record)) continue;
      recognised = true;
      this.out.captured.add(kind);
      this.eachOf(record[key], joinPath(base, [key]), (item, path) =>
        this.take(schema, item, path, this.list(into)),
      );
    }
    if ('Reservations' in record) {
      recognised = true;
      this.out.captured.add('Reservations');
      this.eachOf(record.Reservations, joinPath(base, ['Reservations']), (item, path) => {
        const parsed = Reservation.safeParse(item);
        if (!parsed.success) {
          for (const issue of parsed.error.issues) this.issue(joinPath(path, issue.path), issue.message);
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
      this.out.captured.add('EksCluster');
      this.take(EksCluster, record.cluster, joinPath(base, ['cluster']), this.out.clusters);
    }
    if ('nodegroup' in record && record.nodegroup && typeof record.nodegroup === 'object') {
      recognised = true;
      this.out.captured.add('EksNodegroup');
      this.take(EksNodegroup, record.nodegroup, joinPath(base, ['nodegroup']), this.out.nodegroups);
    }
    return recognised;
  }

  /** Documents this tool writes itself: captured logs and the snapshot manifest. */
  private parseOwn(record: Record<string, unknown>, base: string): boolean {
    if (record.kind === 'PodLogs') {
      this.out.captured.add('PodLogs');
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
      this.out.captured.add('SnapshotManifest');
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
    if (!prefixListId) {
      this.issue(
        path,
        'prefix-list entries need their list id: name the file after it (pl-….json) or add "PrefixListId"',
      );
      return;
    }
    this.out.captured.add('PrefixListEntries');
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

  /**
   * Policy kinds of other engines share names with Kubernetes kinds (Calico's `NetworkPolicy`), so
   * they are told apart by API group: projectcalico.org / crd.projectcalico.org and cilium.io.
   */
  private parseKubernetesObject(record: Record<string, unknown>, path: string, apiVersion?: string): boolean {
    const kind = record.kind as string;
    const group = apiVersion?.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    const ignore = (): false => {
      this.out.ignored.push({
        file: this.file,
        reason: `${path || 'document'}: kind ${kind} of ${apiVersion ?? 'no apiVersion'} is not used by the analysis`,
      });
      return false;
    };
    if (CALICO_GROUPS.includes(group)) {
      if (kind !== 'NetworkPolicy' && kind !== 'GlobalNetworkPolicy') return ignore();
      this.out.captured.add(kind === 'NetworkPolicy' ? 'CalicoNetworkPolicy' : 'CalicoGlobalNetworkPolicy');
      this.take(CalicoPolicy, { ...record, apiVersion }, path, this.out.calicoPolicies);
      return true;
    }
    if (group === CILIUM_GROUP) {
      if (kind !== 'CiliumNetworkPolicy' && kind !== 'CiliumClusterwideNetworkPolicy') return ignore();
      this.out.captured.add(kind);
      this.take(CiliumPolicy, { ...record, apiVersion }, path, this.out.ciliumPolicies);
      return true;
    }
    // A NetworkPolicy of some other group (Antrea's crd.antrea.io, say) is not Kubernetes'.
    if (kind === 'NetworkPolicy' && group !== '' && group !== 'networking.k8s.io' && group !== 'extensions')
      return ignore();
    if (!(kind in kubernetesKinds)) {
      this.out.ignored.push({
        file: this.file,
        reason: `${path || 'document'}: kind ${kind} is not used by the analysis`,
      });
      return false;
    }
    const known = kind as KubernetesKind;
    this.out.captured.add(known);
    this.take(kubernetesKinds[known] as z.ZodType, record, path, this.list(kindTargets[known]));
    return true;
  }
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

function parseText(file: InputFile): { docs: unknown[] } | { issue: InputIssue } {
  const isYaml = /\.ya?ml$/i.test(file.path);
  if (!isYaml) {
    try {
      return { docs: [JSON.parse(file.text)] };
    } catch (err) {
      const message = (err as Error).message;
      return {
        issue: {
          file: file.path,
          path: jsonErrorPlace(file.text, message),
          message: `invalid JSON: ${message}`,
        },
      };
    }
  }
  const documents = YAML.parseAllDocuments(file.text, { uniqueKeys: false });
  const docs: unknown[] = [];
  for (const doc of documents) {
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
      return {
        issue: {
          file: file.path,
          path: '',
          message: `invalid YAML${where}: ${error.message.split('\n')[0]}`,
        },
      };
    }
    docs.push(doc.toJS({ maxAliasCount: 100 }));
  }
  return { docs };
}

/** Input files as bytes, before decoding: the loader's whole input, for tests and fuzzing. */
export interface InputBytes {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/**
 * Parses files one at a time and merges them; all-or-nothing: any issue means no snapshot. Feeding
 * files one by one lets the loader drop each file's bytes and text before reading the next, so a
 * 400 MB snapshot never holds all its raw text and its parsed documents at once.
 */
export class SnapshotParser {
  private readonly out = emptySnapshot() as Builder;
  private readonly issues: InputIssue[] = [];

  /** Decodes UTF-8 strictly (a BOM is dropped); bytes that are not UTF-8 are an issue, never mojibake. */
  addBytes(file: InputBytes): void {
    // isUtf8 is a native check; Buffer's decoder is much faster than a fatal TextDecoder on 100 MB.
    if (!isUtf8(file.bytes)) {
      this.issues.push({ file: file.path, path: '', message: 'not valid UTF-8 text' });
      return;
    }
    const buffer = Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength);
    const text = buffer.toString('utf8');
    this.addText({ path: file.path, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text });
  }

  addText(file: InputFile): void {
    const parsed = parseText(file);
    if ('issue' in parsed) {
      this.issues.push(parsed.issue);
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
    return this.issues.length > 0 ? { ok: false, issues: this.issues } : { ok: true, snapshot: this.out };
  }
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
