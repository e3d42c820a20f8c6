import { shortHash } from "@parapet/providers/aws/markers";
import { canonicalStatement, type TAwsBoundStatement } from "@parapet/providers/aws/packing";
import type { TAwsPolicyType, TIamConditionBlock, TIamStatement } from "@parapet/providers/aws/types";
import type { TAwsPrincipalSelector } from "../principals.ts";
import type { TAwsFragment, TCompileContext } from "../types.ts";

type TCtx = TCompileContext<"aws">;

/**
 * Stable Sid: `P` + 8 hex of the guardrail id + the purpose. Sids survive re-packing, so the
 * planner can tell "this statement moved to another policy" from "this statement changed".
 */
export function awsSid(ctx: TCtx, purpose: string): string {
  return `P${shortHash(ctx.guardrail.id, 8)}${purpose.replace(/[^A-Za-z0-9]/g, "")}`;
}

/** Condition blocks are ANDed; every block must use a distinct operator+key or meaning would change. */
export function mergeConditions(...blocks: (TIamConditionBlock | undefined)[]): TIamConditionBlock {
  const out: TIamConditionBlock = {};
  for (const block of blocks) {
    if (!block) continue;
    for (const [op, kv] of Object.entries(block)) {
      const target = (out[op] ??= {});
      for (const [k, v] of Object.entries(kv)) {
        if (k in target) throw new Error(`condition ${op} ${k} set twice; the compiler must not merge it`);
        target[k] = v;
      }
    }
  }
  return out;
}

/** Connector and break-glass roles: excluded from every deny Parapet compiles. */
export function awsExemptArns(ctx: TCtx): string[] {
  return [...new Set([...ctx.principals.connector.roleArnPatterns, ...ctx.principals.breakGlass.roleArnPatterns])].sort();
}

/** One condition block per way the selector can match (tag, ARN): a statement each, since blocks AND. */
export function selectorMatchers(sel: TAwsPrincipalSelector): { suffix: string; condition: TIamConditionBlock }[] {
  const out: { suffix: string; condition: TIamConditionBlock }[] = [];
  if (sel.tag) out.push({ suffix: "Tag", condition: { StringEquals: { [`aws:PrincipalTag/${sel.tag.key}`]: sel.tag.value } } });
  if (sel.roleArnPatterns.length > 0) out.push({ suffix: "Arn", condition: { ArnLike: { "aws:PrincipalARN": [...sel.roleArnPatterns] } } });
  return out;
}

export interface TAwsDenySpec {
  purpose: string;
  policyType: TAwsPolicyType;
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  condition?: TIamConditionBlock;
  /** Limit the deny to a principal class; omitted = everyone but the exempt principals. */
  subject?: TAwsPrincipalSelector;
  /** More ARN patterns that must never be denied (e.g. admins allowed to change guardrail tags). */
  alsoExempt?: string[];
}

export function awsDeny(ctx: TCtx, spec: TAwsDenySpec): TAwsBoundStatement[] {
  const exempt = [...new Set([...awsExemptArns(ctx), ...(spec.alsoExempt ?? [])])].sort();
  const base: TIamConditionBlock = { ArnNotLike: { "aws:PrincipalARN": exempt } };
  // RCPs see AWS service principals too; a perimeter must not break service-to-service calls.
  const rcp: TIamConditionBlock | undefined =
    spec.policyType === "RCP" ? { BoolIfExists: { "aws:PrincipalIsAWSService": "false" } } : undefined;
  const matchers = spec.subject ? selectorMatchers(spec.subject) : [{ suffix: "", condition: {} }];
  return matchers.map(({ suffix, condition }) => {
    const statement: TIamStatement = {
      Sid: awsSid(ctx, `${spec.purpose}${suffix}`),
      Effect: "Deny",
      ...(spec.policyType === "RCP" ? { Principal: "*" as const } : {}),
      ...(spec.actions ? { Action: [...spec.actions] } : {}),
      ...(spec.notActions ? { NotAction: [...spec.notActions] } : {}),
      Resource: spec.resources ? [...spec.resources] : "*",
      Condition: mergeConditions(spec.condition, condition, base, rcp),
    };
    return { policyType: spec.policyType, guardrailId: ctx.guardrail.id, statement: canonicalStatement(statement) };
  });
}

export function awsFragment(ctx: TCtx, statements: TAwsBoundStatement[]): TAwsFragment {
  const sorted = [...statements].sort((a, b) => ((a.statement.Sid ?? "") < (b.statement.Sid ?? "") ? -1 : 1));
  return { cloud: "aws", guardrailId: ctx.guardrail.id, attach: ctx.mode === "enforce", statements: sorted };
}
