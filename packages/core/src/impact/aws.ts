/**
 * AWS impact: would a guardrail's SCPs/RCPs have denied a CloudTrail event? The fragment's statements
 * are packed as deploy packs them (providers' packAwsPolicies) and each distinct request is evaluated
 * with the IAM policy simulator (aws-simulate.ts, the same code that proves the catalog's scenarios).
 *
 * Request context comes from the event only. When a statement that could apply to the event tests a key
 * the event does not carry (aws:ResourceTag/…, aws:PrincipalTag/… without principal facts,
 * aws:PrincipalOrgID of a principal outside the known organisation…), the verdict is `unjudgeable`
 * unless a statement whose keys are all known already denies (an explicit deny wins whatever else
 * matches — IAM policy evaluation logic,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 *
 * Events are assumed to come from the accounts the guardrail targets (the replay service filters
 * events by node before asking): the event's account (`nodeExternalId`) is where the SCPs/RCPs sit.
 */
import type { AuditEvent, PrincipalFacts } from "@parapet/providers/contract";
import { packAwsPolicies, type TAwsBoundStatement } from "@parapet/providers/aws/packing";
import type { TIamPolicyDocument } from "@parapet/providers/aws/types";
import { AwsSimulationRejected, simulateAwsRequest } from "./aws-simulate.ts";
import type { TImpactEvaluator, TImpactVerdict, TPreparedImpact } from "./types.ts";

/**
 * Services whose actions RCPs restrict — "List of AWS services that support RCPs", Resource control
 * policies (RCPs), AWS Organizations User Guide,
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#rcp-supported-services
 */
const RCP_SERVICES = new Set(["s3", "sts", "kms", "sqs", "secretsmanager", "cognito-identity", "logs", "dynamodb", "ecr", "aoss"]);

/**
 * CloudTrail event names of S3 that are not IAM action names: "Required permissions for Amazon S3 API
 * operations", Amazon S3 User Guide,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 */
const S3_ACTION_OF_EVENT: Readonly<Record<string, string>> = {
  "s3:ListObjects": "s3:ListBucket",
  "s3:ListObjectsV2": "s3:ListBucket",
  "s3:HeadBucket": "s3:ListBucket",
  "s3:HeadObject": "s3:GetObject",
  "s3:ListObjectVersions": "s3:ListBucketVersions",
  "s3:CreateMultipartUpload": "s3:PutObject",
  "s3:UploadPart": "s3:PutObject",
  "s3:UploadPartCopy": "s3:PutObject",
  "s3:CompleteMultipartUpload": "s3:PutObject",
  "s3:CopyObject": "s3:PutObject",
  "s3:DeleteObjects": "s3:DeleteObject",
  "s3:ListMultipartUploads": "s3:ListBucketMultipartUploads",
  "s3:ListParts": "s3:ListMultipartUploadParts",
};

/** Keys AWS sets only on requests they apply to; the parser reads them whenever the record logs them. */
const PRESENT_WHEN_APPLICABLE = new Set(["aws:viaawsmcpservice", "aws:calledviaawsmcp"]);

interface TStatementInfo {
  sid: string;
  type: "SCP" | "RCP";
  actions: RegExp[];
  notActions: RegExp[];
  /** Condition keys, lower-cased (condition key names are case-insensitive). */
  keys: string[];
  /** The same keys as the statement spells them, by lower-cased name. */
  spelled: Map<string, string>;
  bound: TAwsBoundStatement;
}

function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
}

const list = (v: unknown): string[] =>
  typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

function infoOf(b: TAwsBoundStatement): TStatementInfo {
  const s = b.statement as unknown as Record<string, unknown>;
  const spelled = new Map<string, string>();
  const cond = s.Condition;
  if (cond && typeof cond === "object") {
    for (const block of Object.values(cond as Record<string, unknown>)) {
      if (block && typeof block === "object") for (const k of Object.keys(block)) spelled.set(k.toLowerCase(), k);
    }
  }
  return {
    sid: String(s.Sid),
    type: b.policyType,
    actions: list(s.Action).map(glob),
    notActions: list(s.NotAction).map(glob),
    keys: [...spelled.keys()].sort(),
    spelled,
    bound: b,
  };
}

function actionMatches(info: TStatementInfo, action: string): boolean {
  if (info.notActions.length > 0) return !info.notActions.some((r) => r.test(action));
  return info.actions.some((r) => r.test(action));
}

/** aws:PrincipalType values — IAM global condition context keys page. */
const PRINCIPAL_TYPE: Readonly<Record<string, string>> = { role: "AssumedRole", user: "User", root: "Account" };

type TResolved = { known: true; value?: string | string[] } | { known: false };

function pack(
  workspaceId: string,
  targetId: string,
  statements: readonly TAwsBoundStatement[],
): { scps: TIamPolicyDocument[]; rcps: TIamPolicyDocument[] } {
  if (statements.length === 0) return { scps: [], rcps: [] };
  const packed = packAwsPolicies({ workspaceId, targets: [{ targetId, statements }] });
  if (packed.issues.length > 0) throw new Error(`guardrail does not pack: ${packed.issues.map((i) => i.message).join("; ")}`);
  return {
    scps: packed.policies.filter((p) => p.type === "SCP").map((p) => p.document),
    rcps: packed.policies.filter((p) => p.type === "RCP").map((p) => p.document),
  };
}

/**
 * When no statement names resources, an S3 object's key cannot change the verdict (only the bucket's
 * account and the resource type can), so data events on many objects share one judgement. Other ARNs
 * stay whole: the simulator checks them against each service's ARN formats (some have literal parts).
 */
function resourceShape(arn: string): string {
  const m = /^(arn:[^:]+:s3:::[^/]+)\/.+$/.exec(arn);
  return m ? `${m[1]}/object` : arn;
}

const CACHE_LIMIT = 200_000;

export const awsImpact: TImpactEvaluator<"aws"> = {
  cloud: "aws",
  prepare({ fragment, ctx }): TPreparedImpact {
    const { orgId, managementAccountId } = ctx.facts;
    const infos = fragment.statements.map(infoOf);
    const tested = new Map<string, string>();
    for (const i of infos) for (const [k, v] of i.spelled) if (!tested.has(k)) tested.set(k, v);
    const testsPrincipalTags = [...tested.keys()].some((k) => k.startsWith("aws:principaltag/"));
    const testsTime = tested.has("aws:currenttime") || tested.has("aws:epochtime");
    const namesResources = infos.some((i) => {
      const s = i.bound.statement as unknown as Record<string, unknown>;
      return s.NotResource !== undefined || list(s.Resource).some((r) => r !== "*");
    });
    const packTarget = managementAccountId;
    const packs = new Map<string, { scps: TIamPolicyDocument[]; rcps: TIamPolicyDocument[] }>();
    const packedFor = (subset: readonly TStatementInfo[]): { scps: TIamPolicyDocument[]; rcps: TIamPolicyDocument[] } => {
      const key = subset.map((s) => s.sid).join(",");
      let p = packs.get(key);
      if (!p) {
        p = pack(
          ctx.workspaceId,
          packTarget,
          subset.map((s) => s.bound),
        );
        packs.set(key, p);
      }
      return p;
    };
    packedFor(infos); // fail at prepare time, not per event, when the guardrail does not pack
    const verdicts = new Map<string, TImpactVerdict>();

    const iamAction = (e: AuditEvent): string => S3_ACTION_OF_EVENT[e.action] ?? e.action;
    const resourceAccount = (e: AuditEvent): string | undefined => {
      const v = e.context["aws:ResourceAccount"];
      return typeof v === "string" ? v : e.nodeExternalId;
    };

    /** Which of the guardrail's policy types can apply to this event at all. */
    const applicability = (e: AuditEvent): { scp: boolean; rcp: boolean } => {
      const node = e.nodeExternalId;
      if (!node || e.principal.type === "service") {
        // SCPs and RCPs do not restrict AWS service principals (SCPs page "Tasks and entities not
        // restricted by SCPs"; RCPs page "Resources and entities not restricted by RCPs").
        return { scp: false, rcp: false };
      }
      // SCPs never affect the management account nor service-linked roles
      // (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
      const slr = /:role\/aws-service-role\//.test(e.principal.id);
      const scp = !slr && e.principal.account === node && node !== managementAccountId;
      // RCPs: only resources of member accounts, only the supported services, not service-linked roles.
      const service = iamAction(e).split(":")[0] ?? "";
      const rAccount = resourceAccount(e);
      const rcp = !slr && RCP_SERVICES.has(service) && rAccount === node && node !== managementAccountId;
      return { scp, rcp };
    };

    const relevant = (e: AuditEvent, action: string): TStatementInfo[] => {
      const app = applicability(e);
      return infos.filter((i) => (i.type === "SCP" ? app.scp : app.rcp) && actionMatches(i, action));
    };

    const resolve = (key: string, e: AuditEvent, facts: ReadonlyMap<string, PrincipalFacts> | undefined): TResolved => {
      for (const [k, v] of Object.entries(e.context)) if (k.toLowerCase() === key) return { known: true, value: v };
      const p = e.principal;
      if (key === "aws:principalorgid") {
        // The event's account and the management account are in the connection's organisation; any
        // other account's organisation is not in the log.
        if (p.account && (p.account === e.nodeExternalId || p.account === managementAccountId)) return { known: true, value: orgId };
        return { known: false };
      }
      if (key === "aws:principaltype") {
        const t = PRINCIPAL_TYPE[p.type];
        return t ? { known: true, value: t } : { known: false };
      }
      if (key.startsWith("aws:principaltag/")) {
        const tag = key.slice("aws:principaltag/".length);
        // Session tags take precedence over the role's tags (IAM "Passing session tags in AWS STS").
        const session = Object.entries(p.tags ?? {}).find(([k]) => k.toLowerCase() === tag);
        if (session) return { known: true, value: session[1] };
        if (p.type === "root") return { known: true };
        const f = facts?.get(p.id);
        if (!f || !f.found) return { known: false };
        const t = Object.entries(f.tags ?? {}).find(([k]) => k.toLowerCase() === tag);
        return t ? { known: true, value: t[1] } : { known: true };
      }
      if (key === "aws:tagkeys" || key.startsWith("aws:requesttag/")) {
        // The parser reads tags from every logged request, so a logged request without them set none.
        return e.request ? { known: true } : { known: false };
      }
      if (key.startsWith("aws:calledvia")) {
        return e.context["aws:ViaAWSService"] === "false" || PRESENT_WHEN_APPLICABLE.has(key) ? { known: true } : { known: false };
      }
      if (PRESENT_WHEN_APPLICABLE.has(key)) return { known: true };
      if (key === "aws:currenttime") return { known: true, value: e.time };
      if (key === "aws:epochtime") return { known: true, value: String(Math.floor(Date.parse(e.time) / 1000)) };
      if (key === "aws:principalarn" && p.type !== "unknown") return { known: true, value: p.id };
      return { known: false };
    };

    const dedupKey = (e: AuditEvent): string => {
      const action = iamAction(e);
      const parts: unknown[] = [
        e.nodeExternalId ?? "",
        e.principal.id,
        e.principal.type,
        e.principal.account ?? "",
        action,
        namesResources ? e.resource : resourceShape(e.resource),
        e.request ? 1 : 0,
      ];
      if (testsTime) parts.push(e.time);
      const ctxLower = new Map(Object.entries(e.context).map(([k, v]) => [k.toLowerCase(), v]));
      for (const k of tested.keys()) parts.push(ctxLower.get(k) ?? null);
      if (testsPrincipalTags) parts.push(e.principal.tags ?? null);
      return JSON.stringify(parts);
    };

    const judgeAction = async (e: AuditEvent, action: string, facts: ReadonlyMap<string, PrincipalFacts>): Promise<TImpactVerdict> => {
      const rel = relevant(e, action);
      if (rel.length === 0) return { verdict: "allowed" };
      const unknown = new Set<string>();
      const context: Record<string, string | string[]> = {};
      for (const [k, spelling] of tested) {
        const r = resolve(k, e, facts);
        if (!r.known) {
          if (rel.some((i) => i.keys.includes(k))) unknown.add(spelling);
        } else if (r.value !== undefined) context[spelling] = r.value;
      }
      const usable = unknown.size === 0 ? rel : rel.filter((i) => ![...i.spelled.values()].some((k) => unknown.has(k)));
      const app = applicability(e);
      const docs = packedFor(usable);
      const node = e.nodeExternalId!;
      const principalArn = e.principal.type === "unknown" ? `arn:aws:iam::${e.principal.account ?? node}:root` : e.principal.id;
      let r;
      try {
        r = await simulateAwsRequest({
          principalArn,
          principalAccount: e.principal.account ?? node,
          action,
          resource: e.resource === "" ? "*" : namesResources ? e.resource : resourceShape(e.resource),
          resourceAccount: resourceAccount(e) ?? node,
          context,
          scps: app.scp ? docs.scps : null,
          rcps: app.rcp ? docs.rcps : [],
          // A call that reached the resource was allowed by whatever resource policy it has; only
          // Parapet's explicit denies are in question here.
          openResourcePolicy: e.principal.account !== (resourceAccount(e) ?? node),
        });
      } catch (err) {
        if (err instanceof AwsSimulationRejected)
          return { verdict: "unjudgeable", reason: "unsupported-action", detail: `${action}: ${err.message.slice(0, 300)}` };
        throw err;
      }
      if (r.raw === "ExplicitlyDenied") return { verdict: "denied", by: r.deniedBy.join(", ") || "unknown statement" };
      if (unknown.size > 0) return { verdict: "unjudgeable", reason: "missing-context", detail: [...unknown].sort().join(", ") };
      return { verdict: "allowed" };
    };

    return {
      principalsNeedingFacts(e) {
        if (!testsPrincipalTags || (e.principal.type !== "role" && e.principal.type !== "user")) return [];
        const needs = relevant(e, iamAction(e)).some((i) =>
          i.keys.some(
            (k) =>
              k.startsWith("aws:principaltag/") &&
              !Object.keys(e.principal.tags ?? {}).some((t) => `aws:principaltag/${t.toLowerCase()}` === k),
          ),
        );
        return needs ? [e.principal.id] : [];
      },
      dedupKey,
      async judge(e, facts) {
        if (!e.nodeExternalId)
          return { verdict: "unjudgeable", reason: "unknown-environment", detail: "the record names no recipient account" };
        let key = dedupKey(e);
        if (testsPrincipalTags) {
          const f = facts.get(e.principal.id);
          key += JSON.stringify(f ? [f.found, f.tags ?? null] : null);
        }
        const cached = verdicts.get(key);
        if (cached) return cached;
        const action = iamAction(e);
        let v = await judgeAction(e, action, facts);
        // Session tags passed on AssumeRole* are authorised as sts:TagSession on the same role
        // (IAM User Guide, "Passing session tags in AWS STS" — permissions required to add tags).
        if (v.verdict !== "denied" && /^sts:AssumeRole/.test(action) && e.context["aws:TagKeys"] !== undefined) {
          const tag = await judgeAction(e, "sts:TagSession", facts);
          if (tag.verdict === "denied" || (tag.verdict === "unjudgeable" && v.verdict === "allowed")) v = tag;
        }
        if (verdicts.size >= CACHE_LIMIT) verdicts.clear();
        verdicts.set(key, v);
        return v;
      },
    };
  },
};
