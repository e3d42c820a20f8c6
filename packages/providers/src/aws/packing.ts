import { awsOwnerTags, awsPolicyName } from "./markers.ts";
import {
  AWS_DEFAULT_LIMITS,
  awsTypeLimits,
  type TAwsOrgPolicy,
  type TAwsPolicyLimits,
  type TAwsPolicyType,
  type TIamPolicyDocument,
  type TIamStatement,
} from "./types.ts";

/**
 * SCP/RCP packing. Organizations caps both the number of policies attached to one root/OU/account
 * and the size of each policy, and other tools (Control Tower, Landing Zone Accelerator,
 * FullAWSAccess itself) take slots too. Parapet therefore never maps "one guardrail → one policy":
 * it packs every statement bound to a target into as few documents as fit, shares documents
 * between targets that need the same statements, and reports at plan time, with names, when a
 * target cannot hold what it needs.
 */

/** A statement bound for a target, with the guardrail that produced it (for error messages). */
export interface TAwsBoundStatement {
  policyType: TAwsPolicyType;
  guardrailId: string;
  /** Must carry a Sid; the Sid is the statement's identity across runs. */
  statement: TIamStatement;
}

export interface TAwsPackTarget {
  /** Root (`r-…`), OU (`ou-…`) or account id. */
  targetId: string;
  statements: readonly TAwsBoundStatement[];
  /**
   * Attachments of each type on this target that Parapet does not own and must leave in place:
   * FullAWSAccess / RCPFullAWSAccess and other tools' policies. Defaults to 1 of each.
   */
  slotsTaken?: Partial<Record<TAwsPolicyType, number>>;
}

export interface TAwsPackInput {
  workspaceId: string;
  targets: readonly TAwsPackTarget[];
  limits?: Partial<TAwsPolicyLimits>;
}

interface TAwsAttachment {
  targetId: string;
  policyName: string;
  policyType: TAwsPolicyType;
}

type TAwsPackingIssue =
  | {
      code: "STATEMENT_TOO_LARGE";
      policyType: TAwsPolicyType;
      sid: string;
      guardrailIds: string[];
      targetIds: string[];
      size: number;
      limit: number;
      message: string;
    }
  | {
      code: "TARGET_SLOTS_EXCEEDED";
      policyType: TAwsPolicyType;
      targetId: string;
      needed: number;
      free: number;
      limit: number;
      slotsTaken: number;
      guardrailIds: string[];
      message: string;
    }
  | {
      code: "CONFLICTING_SID";
      policyType: TAwsPolicyType;
      sid: string;
      targetId: string;
      guardrailIds: string[];
      message: string;
    };

export interface TAwsPackResult {
  /** Unique documents, sorted by name. A document shared by several targets appears once. */
  policies: TAwsOrgPolicy[];
  /** Sorted by target, type, policy name. */
  attachments: TAwsAttachment[];
  /** Empty when everything fits; otherwise nothing above may be applied. */
  issues: TAwsPackingIssue[];
}

const STATEMENT_KEY_ORDER = ["Sid", "Effect", "Principal", "Action", "NotAction", "Resource", "NotResource", "Condition"] as const;

function sortedList(v: string | string[]): string | string[] {
  if (typeof v === "string") return v;
  const uniq = [...new Set(v)].sort();
  return uniq.length === 1 ? (uniq[0] as string) : uniq;
}

/**
 * Canonical form: fixed key order, sorted and de-duplicated value lists, sorted condition
 * operators and keys, single-element lists collapsed. Same meaning, same bytes.
 */
export function canonicalStatement(s: TIamStatement): TIamStatement {
  const out: Record<string, unknown> = {};
  for (const key of STATEMENT_KEY_ORDER) {
    const v = s[key];
    if (v === undefined) continue;
    if (key === "Condition") {
      const cond: Record<string, Record<string, string | string[]>> = {};
      for (const op of Object.keys(v as object).sort()) {
        const block = (v as Record<string, Record<string, string | string[]>>)[op] ?? {};
        const ordered: Record<string, string | string[]> = {};
        for (const k of Object.keys(block).sort()) ordered[k] = sortedList(block[k] as string | string[]);
        cond[op] = ordered;
      }
      out.Condition = cond;
    } else if (key === "Action" || key === "NotAction" || key === "Resource" || key === "NotResource") {
      out[key] = sortedList(v as string | string[]);
    } else {
      out[key] = v;
    }
  }
  return out as unknown as TIamStatement;
}

export function minifiedStatement(s: TIamStatement): string {
  return JSON.stringify(canonicalStatement(s));
}

const DOC_PREFIX = '{"Version":"2012-10-17","Statement":[';
const DOC_SUFFIX = "]}";
/** Characters of an empty document: what every packed policy pays before its first statement. */
export const AWS_DOCUMENT_OVERHEAD = DOC_PREFIX.length + DOC_SUFFIX.length;

interface TPrepared {
  sid: string;
  text: string;
  guardrailIds: Set<string>;
}

interface TBin {
  items: TPrepared[];
  size: number;
}

/** First-fit decreasing; ties broken by Sid so the outcome never depends on input order. */
function firstFitDecreasing(items: TPrepared[], capacity: number): TBin[] {
  const sorted = [...items].sort((a, b) => b.text.length - a.text.length || (a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0));
  const bins: TBin[] = [];
  for (const item of sorted) {
    const cost = item.text.length;
    let placed = false;
    for (const bin of bins) {
      // +1 for the comma separating it from the previous statement.
      if (bin.size + 1 + cost <= capacity) {
        bin.items.push(item);
        bin.size += 1 + cost;
        placed = true;
        break;
      }
    }
    if (!placed) bins.push({ items: [item], size: AWS_DOCUMENT_OVERHEAD + cost });
  }
  for (const bin of bins) bin.items.sort((a, b) => (a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0));
  bins.sort((a, b) => (a.items[0]!.sid < b.items[0]!.sid ? -1 : 1));
  return bins;
}

function binContent(bin: TBin): string {
  return DOC_PREFIX + bin.items.map((i) => i.text).join(",") + DOC_SUFFIX;
}

/**
 * Packs the statements bound to each target into as few SCPs and RCPs as possible.
 * Deterministic: the same input always yields byte-identical policies, names and ordering.
 */
export function packAwsPolicies(input: TAwsPackInput): TAwsPackResult {
  const limits: TAwsPolicyLimits = { ...AWS_DEFAULT_LIMITS, ...input.limits };
  const issues: TAwsPackingIssue[] = [];
  const policies = new Map<string, TAwsOrgPolicy>();
  const attachments: TAwsAttachment[] = [];
  // Identical statement sets are packed once: big orgs attach the same guardrails to many OUs.
  const packCache = new Map<string, TBin[]>();
  const oversize = new Map<string, Extract<TAwsPackingIssue, { code: "STATEMENT_TOO_LARGE" }>>();

  const targets = [...input.targets].sort((a, b) => (a.targetId < b.targetId ? -1 : a.targetId > b.targetId ? 1 : 0));
  for (const target of targets) {
    for (const policyType of ["SCP", "RCP"] as const) {
      const bySid = new Map<string, TPrepared>();
      let conflict = false;
      for (const bound of target.statements) {
        if (bound.policyType !== policyType) continue;
        const sid = bound.statement.Sid ?? "";
        const text = minifiedStatement(bound.statement);
        const prev = bySid.get(sid);
        if (prev) {
          if (prev.text !== text) {
            conflict = true;
            issues.push({
              code: "CONFLICTING_SID",
              policyType,
              sid,
              targetId: target.targetId,
              guardrailIds: [...new Set([...prev.guardrailIds, bound.guardrailId])].sort(),
              message: `${policyType} statement Sid "${sid}" on target ${target.targetId} has two different contents (guardrails ${[...prev.guardrailIds, bound.guardrailId].join(", ")}); Sids must identify one statement.`,
            });
          }
          prev.guardrailIds.add(bound.guardrailId);
          continue;
        }
        bySid.set(sid, { sid, text, guardrailIds: new Set([bound.guardrailId]) });
      }
      if (bySid.size === 0 || conflict) continue;

      const items = [...bySid.values()].sort((a, b) => (a.sid < b.sid ? -1 : 1));
      const { chars: capacity, perTarget } = awsTypeLimits(limits, policyType);
      let tooLarge = false;
      for (const item of items) {
        const size = AWS_DOCUMENT_OVERHEAD + item.text.length;
        if (size > capacity) {
          tooLarge = true;
          const key = `${policyType}|${item.sid}`;
          const existing = oversize.get(key);
          if (existing) {
            existing.targetIds.push(target.targetId);
          } else {
            const guardrailIds = [...item.guardrailIds].sort();
            oversize.set(key, {
              code: "STATEMENT_TOO_LARGE",
              policyType,
              sid: item.sid,
              guardrailIds,
              targetIds: [target.targetId],
              size,
              limit: capacity,
              message: `${policyType} statement "${item.sid}" of guardrail ${guardrailIds.join(", ")} is ${size} characters once minified, over the ${capacity}-character policy size limit; it cannot be packed on its own.`,
            });
          }
        }
      }
      if (tooLarge) continue;

      const setKey = `${policyType}\n${items.map((i) => i.text).join("\n")}`;
      let bins = packCache.get(setKey);
      if (bins === undefined) {
        bins = firstFitDecreasing(items, capacity);
        packCache.set(setKey, bins);
      }

      const taken = target.slotsTaken?.[policyType] ?? 1;
      const free = Math.max(0, perTarget - taken);
      if (bins.length > free) {
        const guardrailIds = [...new Set(items.flatMap((i) => [...i.guardrailIds]))].sort();
        issues.push({
          code: "TARGET_SLOTS_EXCEEDED",
          policyType,
          targetId: target.targetId,
          needed: bins.length,
          free,
          limit: perTarget,
          slotsTaken: taken,
          guardrailIds,
          message: `Target ${target.targetId} needs ${bins.length} ${policyType}s of at most ${capacity} characters but only ${free} of its ${perTarget} ${policyType} slots are free (${taken} taken by policies Parapet does not own); guardrails involved: ${guardrailIds.join(", ")}.`,
        });
        continue;
      }

      for (const bin of bins) {
        const content = binContent(bin);
        const name = awsPolicyName(input.workspaceId, content);
        if (!policies.has(name)) {
          const guardrailIds = [...new Set(bin.items.flatMap((i) => [...i.guardrailIds]))].sort();
          const document: TIamPolicyDocument = JSON.parse(content) as TIamPolicyDocument;
          policies.set(name, {
            name,
            description: truncate(`Parapet ${policyType}: ${guardrailIds.join(", ")}`, 512),
            type: policyType,
            document,
            content,
            tags: awsOwnerTags(input.workspaceId),
          });
        }
        attachments.push({ targetId: target.targetId, policyName: name, policyType });
      }
    }
  }
  issues.push(...[...oversize.values()].map((i) => ({ ...i, targetIds: [...i.targetIds].sort() })));
  issues.sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));

  attachments.sort((a, b) =>
    a.targetId !== b.targetId
      ? a.targetId < b.targetId
        ? -1
        : 1
      : a.policyType !== b.policyType
        ? a.policyType < b.policyType
          ? -1
          : 1
        : a.policyName < b.policyName
          ? -1
          : a.policyName > b.policyName
            ? 1
            : 0,
  );
  return {
    policies: [...policies.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    attachments,
    issues,
  };
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
