/**
 * Replay: streams pages of audit events through a prepared evaluator and keeps only what people read —
 * counts, the denied calls grouped by principal × action × environment with a few samples each, the
 * events that could not be judged grouped by reason, and any call by a protected principal (the
 * connector, break-glass) the guardrail would have denied. Memory stays bounded however long the
 * window: events are dropped once counted, verdicts are cached per distinct request up to a cap, and
 * groups beyond a cap are counted, not kept.
 */
import type { AuditEvent, AuditPage, PrincipalFacts } from "@parapet/providers/contract";
import type { TImpactVerdict, TPreparedImpact } from "./types.ts";

export type TProtectedClass = "connector" | "break-glass";

/** Where an event happened relative to the guardrail's scope (after exemptions). */
export type TEventScope = "in" | "out" | "unknown";

interface TImpactSample {
  id: string;
  time: string;
  principal: string;
  action: string;
  resource: string;
  environment: string;
  /** What the cloud itself did with the call. */
  outcome: AuditEvent["outcome"];
  /** The statement/rule that would have denied it. */
  by?: string;
}

interface TImpactGroup {
  principal: string;
  action: string;
  environment: string;
  /** Parapet's node id of the environment (what an exemption names). */
  environmentId?: string;
  count: number;
  /** Statements/rules that decided, distinct. */
  by: string[];
  samples: TImpactSample[];
}

interface TUnjudgeable {
  reason: string;
  detail?: string;
  count: number;
  sample: TImpactSample;
}

interface TLockout {
  class: TProtectedClass;
  principal: string;
  action: string;
  count: number;
  sample: TImpactSample;
}

export interface TImpactSummary {
  /** Events the reader returned (after its own skips). */
  events: number;
  /** Entries the reader could not normalise, by reason. */
  skippedByReader: Record<string, number>;
  /** Events in environments the guardrail does not cover (or exempted). */
  outOfScope: number;
  /** Events whose environment is not in the connection's hierarchy (or not logged). */
  unknownEnvironment: number;
  /** In-scope events asked about. */
  judged: number;
  /** Distinct requests among them: the evaluator ran once per distinct request. */
  distinctRequests: number;
  denied: number;
  allowed: number;
  unjudgeable: number;
  deniedPrincipals: number;
  deniedActions: number;
  deniedEnvironments: number;
  /** Largest groups first. */
  groups: TImpactGroup[];
  /** Denied events in groups beyond the kept ones (counted in `denied`, not listed). */
  groupsOmitted: number;
  unjudgeableReasons: TUnjudgeable[];
  lockouts: TLockout[];
}

export interface TReplayInput {
  prepared: TPreparedImpact;
  pages: AsyncIterable<AuditPage>;
  scopeOf(event: AuditEvent): TEventScope;
  /** The event's environment as people read it (node name) and its node id, for groups and samples. */
  environmentOf(event: AuditEvent): { name: string; id?: string };
  /** Whether the caller is the connector or a break-glass principal (a denied call of theirs is a lockout). */
  protectedClass(event: AuditEvent, facts: ReadonlyMap<string, PrincipalFacts>): TProtectedClass | null;
  lookupPrincipals?: (ids: readonly string[]) => Promise<PrincipalFacts[]>;
  limits?: Partial<TReplayLimits>;
}

interface TReplayLimits {
  /** Distinct requests whose verdict is remembered (oldest forgotten first, then judged again). */
  verdictCache: number;
  /** Denied groups kept (principal × action × environment); beyond, counted in `groupsOmitted`. */
  groups: number;
  samplesPerGroup: number;
  /** Distinct principals whose facts are remembered. */
  factsCache: number;
}

const DEFAULT_LIMITS: TReplayLimits = { verdictCache: 200_000, groups: 5_000, samplesPerGroup: 3, factsCache: 50_000 };
/** What the stored summary lists: the first groups by size (all are counted). */
const GROUPS_SHOWN = 200;

function sampleOf(e: AuditEvent, environment: string, by?: string): TImpactSample {
  return {
    id: e.id,
    time: e.time,
    principal: e.principal.name ? `${e.principal.name} (${e.principal.id})` : e.principal.id,
    action: e.action,
    resource: e.resource,
    environment,
    outcome: e.outcome,
    ...(by ? { by } : {}),
  };
}

/** Map with a size cap that forgets the oldest entry first (insertion order). */
function remember<K, V>(m: Map<K, V>, k: K, v: V, cap: number): void {
  if (m.size >= cap) {
    const oldest = m.keys().next();
    if (!oldest.done) m.delete(oldest.value);
  }
  m.set(k, v);
}

export async function replayImpact(input: TReplayInput): Promise<TImpactSummary> {
  const limits = { ...DEFAULT_LIMITS, ...input.limits };
  const verdicts = new Map<string, TImpactVerdict>();
  const facts = new Map<string, PrincipalFacts>();
  const groups = new Map<string, TImpactGroup>();
  const unjudgeable = new Map<string, TUnjudgeable>();
  const lockouts = new Map<string, TLockout>();
  const deniedPrincipals = new Set<string>();
  const deniedActions = new Set<string>();
  const deniedEnvironments = new Set<string>();
  const s: TImpactSummary = {
    events: 0,
    skippedByReader: {},
    outOfScope: 0,
    unknownEnvironment: 0,
    judged: 0,
    distinctRequests: 0,
    denied: 0,
    allowed: 0,
    unjudgeable: 0,
    deniedPrincipals: 0,
    deniedActions: 0,
    deniedEnvironments: 0,
    groups: [],
    groupsOmitted: 0,
    unjudgeableReasons: [],
    lockouts: [],
  };

  const factsFor = async (ids: string[]): Promise<ReadonlyMap<string, PrincipalFacts>> => {
    const missing = ids.filter((id) => !facts.has(id));
    if (missing.length > 0 && input.lookupPrincipals) {
      const got = await input.lookupPrincipals(missing);
      for (const f of got) remember(facts, f.id, f, limits.factsCache);
    }
    const out = new Map<string, PrincipalFacts>();
    for (const id of ids) {
      const f = facts.get(id);
      if (f) out.set(id, f);
    }
    return out;
  };

  for await (const page of input.pages) {
    for (const [reason, n] of Object.entries(page.skipped ?? {})) s.skippedByReader[reason] = (s.skippedByReader[reason] ?? 0) + n;
    for (const e of page.events) {
      s.events++;
      const scope = input.scopeOf(e);
      if (scope === "out") {
        s.outOfScope++;
        continue;
      }
      if (scope === "unknown") {
        s.unknownEnvironment++;
        continue;
      }
      s.judged++;
      const needed = input.prepared.principalsNeedingFacts(e);
      const known = needed.length > 0 ? await factsFor(needed) : new Map<string, PrincipalFacts>();
      // Facts change the verdict, so they are part of the request's identity.
      const key =
        needed.length > 0 ? `${input.prepared.dedupKey(e)}\u0000${JSON.stringify([...known.entries()])}` : input.prepared.dedupKey(e);
      let v = verdicts.get(key);
      if (!v) {
        v = await input.prepared.judge(e, known);
        s.distinctRequests++;
        remember(verdicts, key, v, limits.verdictCache);
      }
      const where = input.environmentOf(e);
      const env = where.name;
      if (v.verdict === "allowed") {
        s.allowed++;
      } else if (v.verdict === "unjudgeable") {
        s.unjudgeable++;
        const k = `${v.reason}\u0000${v.detail ?? ""}`;
        const u = unjudgeable.get(k);
        if (u) u.count++;
        else unjudgeable.set(k, { reason: v.reason, ...(v.detail ? { detail: v.detail } : {}), count: 1, sample: sampleOf(e, env) });
      } else {
        s.denied++;
        deniedPrincipals.add(e.principal.id);
        deniedActions.add(e.action);
        deniedEnvironments.add(e.nodeExternalId ?? "");
        const cls = input.protectedClass(e, known);
        if (cls) {
          const k = `${cls}\u0000${e.principal.id}\u0000${e.action}`;
          const l = lockouts.get(k);
          if (l) l.count++;
          else lockouts.set(k, { class: cls, principal: e.principal.id, action: e.action, count: 1, sample: sampleOf(e, env, v.by) });
        }
        const gk = `${e.principal.id}\u0000${e.action}\u0000${e.nodeExternalId ?? ""}`;
        const g = groups.get(gk);
        if (g) {
          g.count++;
          if (!g.by.includes(v.by)) g.by.push(v.by);
          if (g.samples.length < limits.samplesPerGroup) g.samples.push(sampleOf(e, env, v.by));
        } else if (groups.size < limits.groups) {
          groups.set(gk, {
            principal: e.principal.id,
            action: e.action,
            environment: env,
            ...(where.id ? { environmentId: where.id } : {}),
            count: 1,
            by: [v.by],
            samples: [sampleOf(e, env, v.by)],
          });
        } else {
          s.groupsOmitted++;
        }
      }
    }
  }
  s.deniedPrincipals = deniedPrincipals.size;
  s.deniedActions = deniedActions.size;
  s.deniedEnvironments = deniedEnvironments.size;
  const sorted = [...groups.values()].sort((a, b) => b.count - a.count || (a.principal < b.principal ? -1 : 1));
  s.groups = sorted.slice(0, GROUPS_SHOWN);
  s.groupsOmitted += sorted.slice(GROUPS_SHOWN).reduce((n, g) => n + g.count, 0);
  s.unjudgeableReasons = [...unjudgeable.values()].sort((a, b) => b.count - a.count);
  s.lockouts = [...lockouts.values()].sort((a, b) => b.count - a.count);
  return s;
}
