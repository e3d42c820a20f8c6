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
function awsSid(ctx: TCtx, purpose: string): string {
  return `P${shortHash(ctx.guardrail.id, 8)}${purpose.replace(/[^A-Za-z0-9]/g, "")}`;
}

/** Condition blocks are ANDed; every block must use a distinct operator+key or meaning would change. */
function mergeConditions(...blocks: (TIamConditionBlock | undefined)[]): TIamConditionBlock {
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

/**
 * Connector and break-glass roles: excluded from every deny Parapet compiles; and the principals an approved
 * exemption spares from this guardrail (exact ARNs, tested with `aws:PrincipalArn`, which for a role session
 * is the role's ARN: IAM global condition context keys, aws:PrincipalArn).
 */
function awsExemptArns(ctx: TCtx): string[] {
  return [
    ...new Set([...ctx.principals.connector.roleArnPatterns, ...ctx.principals.breakGlass.roleArnPatterns, ...ctx.exemptPrincipals]),
  ].sort();
}

/**
 * The global request key AWS sets on every call made through its MCP server (IAM global condition keys;
 * Agent Toolkit for AWS, "Troubleshooting AWS MCP Server identity and access": deny with
 * `Bool aws:ViaAWSMCPService true`). `aws:CalledViaAWSMCP` names which MCP service made the call; this
 * key is true for all of them, which is what an agent class means.
 */
const AWS_VIA_MCP_KEY = "aws:ViaAWSMCPService";

/** One condition block per way the selector can match (tag, ARN, MCP-marked call): a statement each, since blocks AND. */
function selectorMatchers(sel: TAwsPrincipalSelector & { viaAwsMcp?: boolean }): { suffix: string; condition: TIamConditionBlock }[] {
  const out: { suffix: string; condition: TIamConditionBlock }[] = [];
  if (sel.tag) out.push({ suffix: "Tag", condition: { StringEquals: { [`aws:PrincipalTag/${sel.tag.key}`]: sel.tag.value } } });
  if (sel.roleArnPatterns.length > 0) out.push({ suffix: "Arn", condition: { ArnLike: { "aws:PrincipalARN": [...sel.roleArnPatterns] } } });
  if (sel.viaAwsMcp) out.push({ suffix: "Mcp", condition: { Bool: { [AWS_VIA_MCP_KEY]: "true" } } });
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
  subject?: TAwsPrincipalSelector & { viaAwsMcp?: boolean };
  /** More ARN patterns that must never be denied (e.g. admins allowed to change guardrail tags). */
  alsoExempt?: string[];
  /** Also spare the connection's `admins` class (its tag and its ARN patterns). SCPs only. */
  spareAdmins?: boolean;
}

/**
 * True when the statement's own condition only denies callers outside the organisation: connector and
 * break-glass live inside it, so the org condition already admits them.
 */
function deniesOnlyOutsiders(condition: TIamConditionBlock | undefined, orgId: string): boolean {
  const orgs = condition?.StringNotEqualsIfExists?.["aws:PrincipalOrgID"] ?? condition?.StringNotEquals?.["aws:PrincipalOrgID"];
  return orgs !== undefined && (Array.isArray(orgs) ? orgs.includes(orgId) : orgs === orgId);
}

/**
 * Deny statements for one purpose. Exemptions:
 * - SCPs only ever see principals of the organisation's own accounts, so `ArnNotLike aws:PrincipalARN`
 *   on `arn:aws:iam::*:role/<name>` spares exactly the org's roles of that name.
 * - RCPs also see principals of every other account (Organizations RCP docs), where anyone can create
 *   a role named like the break-glass role. An RCP exemption therefore never stands alone: a statement
 *   that only denies outsiders needs none (connector and break-glass are members); any other statement
 *   gets a twin that denies the exempt names when the caller is not of this organisation.
 */
export function awsDeny(ctx: TCtx, spec: TAwsDenySpec): TAwsBoundStatement[] {
  const rcp = spec.policyType === "RCP";
  if (rcp && spec.spareAdmins) throw new Error("an RCP cannot spare admins by principal tag: an outside account sets its own tags");
  const admins = spec.spareAdmins ? ctx.principals.admins : undefined;
  const exempt = [...new Set([...awsExemptArns(ctx), ...(spec.alsoExempt ?? []), ...(admins?.roleArnPatterns ?? [])])].sort();
  const spareByTag: TIamConditionBlock | undefined = admins?.tag
    ? { StringNotEquals: { [`aws:PrincipalTag/${admins.tag.key}`]: admins.tag.value } }
    : undefined;
  // RCPs see AWS service principals too; a perimeter must not break service-to-service calls.
  const services: TIamConditionBlock | undefined = rcp ? { BoolIfExists: { "aws:PrincipalIsAWSService": "false" } } : undefined;
  const perimeterOnly = rcp && deniesOnlyOutsiders(spec.condition, ctx.facts.orgId);
  const matchers = spec.subject ? selectorMatchers(spec.subject) : [{ suffix: "", condition: {} }];
  const build = (purpose: string, condition: TIamConditionBlock): TAwsBoundStatement => {
    const statement: TIamStatement = {
      Sid: awsSid(ctx, purpose),
      Effect: "Deny",
      ...(rcp ? { Principal: "*" as const } : {}),
      ...(spec.actions ? { Action: [...spec.actions] } : {}),
      ...(spec.notActions ? { NotAction: [...spec.notActions] } : {}),
      Resource: spec.resources ? [...spec.resources] : "*",
      Condition: condition,
    };
    return { policyType: spec.policyType, guardrailId: ctx.guardrail.id, statement: canonicalStatement(statement) };
  };
  return matchers.flatMap(({ suffix, condition }) => {
    if (perimeterOnly) return [build(`${spec.purpose}${suffix}`, mergeConditions(spec.condition, condition, services))];
    const spared = build(
      `${spec.purpose}${suffix}`,
      mergeConditions(spec.condition, condition, { ArnNotLike: { "aws:PrincipalARN": exempt } }, spareByTag, services),
    );
    if (!rcp) return [spared];
    // StringLike, not ArnLike: the subject's own ARN matcher may already hold ArnLike on the same key.
    const lookAlikes = build(
      `${spec.purpose}${suffix}Outsider`,
      mergeConditions(
        spec.condition,
        condition,
        { StringLike: { "aws:PrincipalARN": exempt }, StringNotEqualsIfExists: { "aws:PrincipalOrgID": ctx.facts.orgId } },
        services,
      ),
    );
    return [spared, lookAlikes];
  });
}

export function awsFragment(ctx: TCtx, statements: TAwsBoundStatement[]): TAwsFragment {
  const sorted = [...statements].sort((a, b) => ((a.statement.Sid ?? "") < (b.statement.Sid ?? "") ? -1 : 1));
  return { cloud: "aws", guardrailId: ctx.guardrail.id, attach: ctx.mode === "enforce", statements: sorted };
}
