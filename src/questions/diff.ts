/**
 * The `diff` question — "what will break if I upgrade": a comparison of two analyses of the same
 * cluster for two Dynamo versions. Pure over the two answers (Batfish-style differential question);
 * flows are matched by id (requirement × source class × destination class).
 */
import type { FlowEnd, FlowResult } from '../analyze/types.ts';
import type { AnalysisResult, Verdict } from './analyze.ts';
import type { Status } from '../reachability/types.ts';
import type { RequirementId } from '../requirements/catalog.ts';
import { fixesFor } from './source-classes.ts';
import { TOOL_VERSION } from '../base/version.ts';

export type Change = 'appears' | 'vanishes' | 'changes';

export interface FlowSide {
  readonly status: Status;
  readonly port: number | string;
  readonly reason: string;
}

export interface FlowDelta {
  readonly change: Change;
  readonly id: string;
  readonly requirement: RequirementId;
  readonly title: string;
  readonly source: FlowEnd;
  readonly destination: FlowEnd;
  readonly before?: FlowSide;
  readonly after?: FlowSide;
  /** Decided by same-node co-location (no security group applies), not by rules. */
  readonly sameNode: boolean;
  /** The upgrade makes this flow blocked (it appears blocked, or was not blocked before). */
  readonly breaks: boolean;
}

export interface VersionSide {
  readonly version: string;
  readonly source: string;
  readonly verdict: Verdict;
  readonly summary: AnalysisResult['summary'];
}

export interface UpgradeDiff {
  readonly tool: { readonly name: 'dynamo-netcheck'; readonly version: string };
  readonly cluster: AnalysisResult['cluster'];
  readonly from: VersionSide;
  readonly to: VersionSide;
  /** `breaks`: the upgrade blocks a flow; `inconclusive`: nothing new blocked, something new unknown. */
  readonly verdict: 'breaks' | 'inconclusive' | 'safe';
  readonly requirements: {
    readonly added: { id: RequirementId; title: string; why: string }[];
    readonly removed: { id: RequirementId; title: string }[];
  };
  /** Flows that appear, vanish or change status or port; unchanged ones are only counted. */
  readonly flows: FlowDelta[];
  readonly unchanged: number;
  /** Requirements one side could not evaluate (e.g. a target not deployed), with why. */
  readonly skipped: { readonly side: 'from' | 'to'; readonly title: string; readonly why: string }[];
  /** The rules, from the target version's analysis, that unblock what the upgrade breaks. */
  readonly fixes: { id: string; command: string }[];
  readonly securityGroupNames: Record<string, string>;
  readonly warnings: string[];
}

const side = (f: FlowResult): FlowSide => ({
  status: f.status,
  port: f.port,
  reason: f.coLocationMasks ?? f.reason,
});

const versionSide = (r: AnalysisResult): VersionSide => ({
  version: r.dynamo.version,
  source: r.dynamo.source,
  verdict: r.verdict,
  summary: r.summary,
});

/** What names a flow across the two analyses. */
const identity = (f: FlowResult) => ({
  id: f.id,
  requirement: f.requirement,
  title: f.title,
  source: f.source,
  destination: f.destination,
  sameNode: f.steps.some((s) => s.kind === 'same-node'),
});

const changeOrder: Record<Change, number> = { appears: 0, changes: 1, vanishes: 2 };

export function diffAnalyses(from: AnalysisResult, to: AnalysisResult): UpgradeDiff {
  const before = new Map(from.flows.map((f) => [f.id, f]));
  const after = new Map(to.flows.map((f) => [f.id, f]));
  const flows: FlowDelta[] = [];
  let unchanged = 0;
  for (const f of to.flows) {
    const old = before.get(f.id);
    if (!old) {
      flows.push({ ...identity(f), change: 'appears', after: side(f), breaks: f.status === 'blocked' });
    } else if (old.status !== f.status || String(old.port) !== String(f.port)) {
      flows.push({
        ...identity(f),
        change: 'changes',
        before: side(old),
        after: side(f),
        breaks: f.status === 'blocked' && old.status !== 'blocked',
      });
    } else unchanged += 1;
  }
  for (const f of from.flows) {
    if (!after.has(f.id)) flows.push({ ...identity(f), change: 'vanishes', before: side(f), breaks: false });
  }
  flows.sort((a, b) => Number(b.breaks) - Number(a.breaks) || changeOrder[a.change] - changeOrder[b.change]);

  const newlyUnknown = flows.some(
    (d) => d.after?.status === 'unknown' && (d.change === 'appears' || d.before?.status === 'allowed'),
  );
  const breaking = flows.filter((d) => d.breaks).map((d) => after.get(d.id)!);
  const requirementsBefore = new Set(from.requirements.map((r) => r.id));
  const requirementsAfter = new Set(to.requirements.map((r) => r.id));
  return {
    tool: { name: 'dynamo-netcheck', version: TOOL_VERSION },
    cluster: to.cluster,
    from: versionSide(from),
    to: versionSide(to),
    verdict: breaking.length > 0 ? 'breaks' : newlyUnknown ? 'inconclusive' : 'safe',
    requirements: {
      added: to.requirements
        .filter((r) => !requirementsBefore.has(r.id))
        .map((r) => ({ id: r.id, title: r.title, why: r.why })),
      removed: from.requirements
        .filter((r) => !requirementsAfter.has(r.id))
        .map((r) => ({ id: r.id, title: r.title })),
    },
    flows,
    unchanged,
    skipped: [
      ...from.skipped.map((s) => ({ side: 'from' as const, title: s.title, why: s.why })),
      ...to.skipped.map((s) => ({ side: 'to' as const, title: s.title, why: s.why })),
    ],
    fixes: fixesFor(to, breaking),
    securityGroupNames: { ...from.securityGroupNames, ...to.securityGroupNames },
    warnings: [...new Set([...from.warnings, ...to.warnings])],
  };
}
