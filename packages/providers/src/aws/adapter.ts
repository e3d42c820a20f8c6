import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  ListTargetsForPolicyCommand,
  TagResourceCommand,
  UpdatePolicyCommand,
  type Account,
  type PolicySummary,
  type PolicyType,
  type Root,
} from "@aws-sdk/client-organizations";
import { z } from "zod";
import { publicMessage } from "../contract/public-message.ts";
import { isProviderError, ProviderError } from "../contract/errors.ts";
import { CallRecorder } from "../contract/instrumentation.ts";
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from "../contract/retry.ts";
import type {
  ApplyResult,
  ArtifactKind,
  CallStats,
  Change,
  CloudAdapter,
  DesiredArtifact,
  Difference,
  DiscoveredNode,
  Hierarchy,
  ObservedArtifact,
  ObservedState,
  ObserveRequest,
  PermissionCheck,
  VerifyResult,
} from "../contract/types.ts";
import type { EgressGuard } from "../egress/guard.ts";
import { createAwsClients, type AwsClients } from "./client.ts";
import { awsPolicyBodyFromCloud, awsPolicyTypeFromApi, canonicalDocument, compareAwsPolicy, type TAwsObservedPolicy } from "./compare.ts";
import { ZAwsAdapterFacts, ZAwsCredentials, type TAwsAdapterFacts, type TAwsCredentials } from "./credentials.ts";
import { awsErrorCode, classifyAwsError, isAwsThrottle } from "./errors.ts";
import { AWS_NAME_PREFIX, AWS_OWNER_TAG_KEY, awsOwnerTags, isOwnedByWorkspaceAws, workspaceShort } from "./markers.ts";
import { minimumPermissions } from "./permissions.ts";
import { AWS_DEFAULT_RATE_LIMITS, mapLimit, RateLimiter, type TAwsRateLimits } from "./rate.ts";
import { AWS_DEFAULT_LIMITS, AWS_POLICY_TYPE_API_NAME, awsTypeLimits, type TAwsOrgPolicy, type TAwsPolicyLimits, type TAwsPolicyType } from "./types.ts";

export { ZAwsCredentials, type TAwsCredentials } from "./credentials.ts";
export { minimumPermissions } from "./permissions.ts";

export interface AwsAdapterConfig {
  workspaceId: string;
  credentials: TAwsCredentials;
  /** Overrides the Organizations and STS endpoints (simulator, FIPS or sovereign endpoints). */
  endpoint?: string | null;
  /** Which hosts and addresses the SDK may connect to; default: AWS's own hosts only, no allowlist. */
  egress?: EgressGuard;
  /** Signing region; Organizations answers in us-east-1 in the aws partition. */
  region?: string;
  /** What core stored about the organization (orgId, managementAccountId); verify() checks them. */
  facts?: unknown;
  /** Per-connection quotas (SCP size); defaults are AWS's since May 2026. */
  limits?: Partial<TAwsPolicyLimits> | null;
  retry?: RetryPolicy;
  recorder?: CallRecorder;
  /** Reads in flight at once during discover/observe (default 4). */
  concurrency?: number;
  /** Client-side pacing per operation or family; `false` turns it off (tests against a fast simulator). */
  rateLimits?: TAwsRateLimits | false;
  /** MaxResults for list calls, 1..20 (default 20, the API maximum). */
  pageSize?: number;
  requestTimeoutMs?: number;
  /** Seconds an assumed-role session lasts (default 3600). */
  sessionSeconds?: number;
}

const AWS_KINDS: Record<TAwsPolicyType, ArtifactKind> = { SCP: "aws.scp", RCP: "aws.rcp" };
const KIND_TYPE: Partial<Record<ArtifactKind, TAwsPolicyType>> = { "aws.scp": "SCP", "aws.rcp": "RCP" };
const FULL_AWS_ACCESS_ID = "p-FullAWSAccess";
/**
 * The policy id the write probes name, so they hit "not found" and change nothing. The API reference
 * allows `p-` plus 8 to 128 of [0-9a-zA-Z_]; AWS mints `p-` plus 8 lowercase letters or digits, and
 * emulators (moto: `p-[a-z0-9]{8}`) accept only that form and answer InvalidInputException otherwise,
 * which verify would misread as a refusal. So: the minted form, in a value nobody is likely to hold
 * (one chance in 36^8 per policy of the organisation).
 */
export const PROBE_POLICY_ID = "p-parapet0";
const INACTIVE_ACCOUNT_STATES = new Set(["SUSPENDED", "PENDING_CLOSURE", "CLOSED"]);

const ZAwsOrgPolicyBody = z.object({
  name: z.string().min(1).max(128),
  description: z.string().max(512),
  type: z.enum(["SCP", "RCP"]),
  content: z.string().min(1).max(1_000_000),
  tags: z.record(z.string().max(128), z.string().max(256)).default({}),
});

type Expected = ObserveRequest["expected"][number];

interface DescribedPolicy {
  id: string;
  name: string;
  description: string;
  type: TAwsPolicyType;
  content: string;
  awsManaged: boolean;
}

function invalid(operation: string, message: string, code: string): ProviderError {
  return new ProviderError("invalid", message, false, operation, code);
}

function notOwned(operation: string, what: string): ProviderError {
  return new ProviderError(
    "invalid",
    `Parapet refuses to change ${what}: it does not carry the ownership marker of this workspace (name prefix '${AWS_NAME_PREFIX}' and tag '${AWS_OWNER_TAG_KEY}').`,
    false,
    operation,
    "NOT_OWNED",
  );
}

// Shown to users (plan "unknown" entries): the classified text, never the cloud's raw answer.
const reasonOf = (e: unknown): string => publicMessage(e);
const tagRecord = (tags: readonly { Key?: string; Value?: string }[] | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? "";
  return out;
};
const isCode = (e: unknown, ...codes: string[]): boolean =>
  isProviderError(e) ? codes.some((c) => e.code === c || e.code?.startsWith(`${c}:`)) : codes.includes(awsErrorCode(e));

/**
 * AWS Organizations adapter: SCPs and RCPs Parapet owns, through @aws-sdk/client-organizations.
 *
 * Ownership is the name prefix `parapet-` plus the tag `parapet:managed=<workspaceId>`, read from AWS
 * (ListTagsForResource) right before every update, detach or delete — never taken from the request.
 * Observe skips that tag read for policies whose id Parapet recorded when it created them (or whose
 * tag this adapter already read), and reads recorded policies by id without listing, which keeps a
 * steady-state observe at two calls per owned policy (DescribePolicy + ListTargetsForPolicy),
 * independent of the number of accounts; the unrecorded ones (first adoption, a crash between CreatePolicy and recording it, a
 * look-alike someone else created) get their tag read before they are reported as owned.
 */
class AwsAdapter implements CloudAdapter {
  readonly cloud = "aws" as const;
  private readonly recorder: CallRecorder;
  private readonly retry: RetryPolicy;
  private readonly ws: string;
  private readonly wsPrefix: string;
  private readonly facts: TAwsAdapterFacts;
  private readonly limits: TAwsPolicyLimits;
  private readonly concurrency: number;
  private readonly pageSize: number;
  private readonly limiter: RateLimiter;
  private readonly clients: AwsClients;
  /** Policy ids whose ownership tag this adapter read from AWS (or wrote at creation). */
  private readonly verifiedOwned = new Set<string>();

  constructor(config: AwsAdapterConfig) {
    const parsed = ZAwsCredentials.safeParse(config.credentials);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid("configure", `AWS credentials: ${issue ? `${issue.path.join(".") || "credentials"} ${issue.message}` : "invalid"}`, "INVALID_CREDENTIALS");
    }
    // The workspace id is the ownership tag's value; Organizations caps tag values at 256 characters.
    if (!config.workspaceId || config.workspaceId.length > 256) {
      throw invalid("configure", "workspaceId must be 1-256 characters: it is written as the parapet:managed tag value.", "INVALID_CONFIG");
    }
    const facts = ZAwsAdapterFacts.safeParse(config.facts ?? {});
    this.facts = facts.success ? facts.data : {};
    this.ws = config.workspaceId;
    this.wsPrefix = `${AWS_NAME_PREFIX}${workspaceShort(config.workspaceId)}-`;
    this.limits = { ...AWS_DEFAULT_LIMITS, ...(config.limits ?? {}) };
    this.retry = config.retry ?? DEFAULT_RETRY;
    this.recorder = config.recorder ?? new CallRecorder();
    this.concurrency = Math.max(1, Math.min(config.concurrency ?? 4, 32));
    this.pageSize = Math.max(1, Math.min(config.pageSize ?? 20, 20));
    this.limiter = new RateLimiter(config.rateLimits === undefined ? AWS_DEFAULT_RATE_LIMITS : config.rateLimits);
    this.clients = createAwsClients({
      credentials: parsed.data,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.egress ? { egress: config.egress } : {}),
      ...(config.region ? { region: config.region } : {}),
      sessionName: `parapet-${workspaceShort(config.workspaceId)}`,
      ...(config.sessionSeconds ? { sessionSeconds: config.sessionSeconds } : {}),
      ...(config.requestTimeoutMs ? { requestTimeoutMs: config.requestTimeoutMs } : {}),
      run: (op, write, fn) => this.call(op, write, fn),
    });
  }

  // ---- plumbing -------------------------------------------------------------------------------------

  /**
   * One API call: paced, recorded (every attempt, so throttles are counted), classified, and retried
   * with full-jitter backoff when retryable. Expired sessions are dropped so the retry re-assumes.
   */
  private async call<T>(operation: string, write: boolean, fn: () => Promise<T>): Promise<T> {
    const isSts = operation.startsWith("sts:");
    // Credentials are resolved first so an AssumeRole failure surfaces as itself, not inside another call.
    if (!isSts) await this.clients.credentials();
    return withRetry(
      async () => {
        if (!isSts) await this.limiter.take(operation, write);
        return this.recorder.call(
          operation,
          write,
          async () => {
            try {
              return await fn();
            } catch (e) {
              throw classifyAwsError(e, operation);
            }
          },
          isAwsThrottle,
        );
      },
      this.retry,
      (e) => {
        if (isProviderError(e) && e.kind === "auth" && e.retryable) this.clients.invalidate();
      },
    );
  }

  /** Follows NextToken to the end; AWS may answer empty pages that still carry a token. */
  private async paged<T>(operation: string, fetch: (token: string | undefined) => Promise<{ items: T[] | undefined; next: string | undefined }>): Promise<T[]> {
    const out: T[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      const t = token;
      const page = await this.call(operation, false, () => fetch(t));
      out.push(...(page.items ?? []));
      token = page.next || undefined;
      if (token !== undefined) {
        if (seen.has(token)) throw new ProviderError("unavailable", `AWS Organizations returned a repeating page token for ${operation}.`, true, operation, "PAGING_LOOP");
        seen.add(token);
      }
    } while (token !== undefined);
    return out;
  }

  private listPolicies(type: TAwsPolicyType): Promise<PolicySummary[]> {
    return this.paged("ListPolicies", async (NextToken) => {
      const r = await this.clients.org.send(new ListPoliciesCommand({ Filter: AWS_POLICY_TYPE_API_NAME[type] as PolicyType, MaxResults: this.pageSize, NextToken }));
      return { items: r.Policies, next: r.NextToken };
    });
  }

  private async describePolicy(id: string): Promise<DescribedPolicy> {
    const r = await this.call("DescribePolicy", false, () => this.clients.org.send(new DescribePolicyCommand({ PolicyId: id })));
    const s = r.Policy?.PolicySummary;
    const type = awsPolicyTypeFromApi(s?.Type);
    if (!s?.Id || !s.Name || !type) throw new ProviderError("invalid", `DescribePolicy answered without a usable policy summary for ${id}.`, false, "DescribePolicy", "BAD_RESPONSE");
    return { id: s.Id, name: s.Name, description: s.Description ?? "", type, content: r.Policy?.Content ?? "", awsManaged: s.AwsManaged === true };
  }

  private listTargets(policyId: string): Promise<string[]> {
    return this.paged("ListTargetsForPolicy", async (NextToken) => {
      const r = await this.clients.org.send(new ListTargetsForPolicyCommand({ PolicyId: policyId, MaxResults: this.pageSize, NextToken }));
      return { items: (r.Targets ?? []).map((t) => t.TargetId ?? "").filter((x) => x !== ""), next: r.NextToken };
    });
  }

  private async listTags(resourceId: string): Promise<Record<string, string>> {
    const tags = await this.paged("ListTagsForResource", async (NextToken) => {
      const r = await this.clients.org.send(new ListTagsForResourceCommand({ ResourceId: resourceId, NextToken }));
      return { items: r.Tags, next: r.NextToken };
    });
    return tagRecord(tags);
  }

  /**
   * Reads the ownership marker from AWS (never from the request): the policy's current name must carry
   * the `parapet-` prefix and its tags `parapet:managed=<this workspace>`. Returns the described policy.
   */
  private async assertOwned(operation: string, policyId: string): Promise<DescribedPolicy> {
    const [p, tags] = await settleAll([this.describePolicy(policyId), this.listTags(policyId)] as const);
    if (p.awsManaged || !isOwnedByWorkspaceAws({ name: p.name, tags }, this.ws)) {
      this.verifiedOwned.delete(policyId);
      throw notOwned(operation, `policy ${p.name} (${policyId})`);
    }
    this.verifiedOwned.add(policyId);
    return p;
  }

  // ---- verify ---------------------------------------------------------------------------------------

  async verify(): Promise<VerifyResult> {
    const checks: PermissionCheck[] = [];
    const missing: string[] = [];
    let identity: string | undefined;
    let callerAccount: string | undefined;
    try {
      const who = await this.clients.callerIdentity();
      identity = who.arn;
      callerAccount = who.account;
      checks.push({ permission: "sts:GetCallerIdentity", ok: true, detail: who.arn });
    } catch (e) {
      const pe = classifyAwsError(e, "sts:GetCallerIdentity");
      const assume = pe.operation === "sts:AssumeRole";
      const perm = assume ? "sts:AssumeRole" : "sts:GetCallerIdentity";
      checks.push({ permission: perm, ok: false, detail: publicMessage(pe) });
      if (assume && pe.kind === "auth") missing.push("sts:AssumeRole (the role's trust policy must allow Parapet with this external id)");
      return { ok: false, checks, missing, error: publicMessage(pe) };
    }

    let rootId: string | undefined;
    let error: string | undefined;
    const probe = async (action: string, fn: () => Promise<unknown>, okCodes: string[] = []): Promise<void> => {
      try {
        await fn();
        checks.push({ permission: `organizations:${action}`, ok: true });
      } catch (e) {
        const pe = classifyAwsError(e, action);
        // A probe of a write answers "not found" / "malformed" only after IAM allowed the call.
        if (okCodes.some((c) => isCode(pe, c))) {
          checks.push({ permission: `organizations:${action}`, ok: true });
        } else if (pe.kind === "auth") {
          checks.push({ permission: `organizations:${action}`, ok: false, detail: "access denied" });
          missing.push(`organizations:${action}`);
        } else {
          checks.push({ permission: `organizations:${action}`, ok: false, detail: `could not be checked: ${publicMessage(pe)}` });
          error ??= `Some permissions could not be checked (${action}: ${publicMessage(pe)}).`;
        }
      }
    };

    const org = this.clients.org;
    await probe("DescribeOrganization", async () => {
      const r = await this.call("DescribeOrganization", false, () => org.send(new DescribeOrganizationCommand({})));
      const o = r.Organization;
      if (this.facts.orgId && o?.Id && o.Id !== this.facts.orgId) {
        error = `These credentials reach organization ${o.Id}, but this connection is for ${this.facts.orgId}.`;
      }
      if (this.facts.managementAccountId && o?.MasterAccountId && o.MasterAccountId !== this.facts.managementAccountId) {
        error = `The organization's management account is ${o.MasterAccountId}, but this connection expects ${this.facts.managementAccountId}.`;
      }
      if (o?.MasterAccountId && callerAccount && o.MasterAccountId !== callerAccount) {
        checks.push({
          permission: "management-account",
          ok: true,
          detail: `credentials are in account ${callerAccount}, not the management account ${o.MasterAccountId}: policy writes need a delegated administrator for Organizations policies`,
        });
      }
    });
    let scpEnabled = false;
    await probe("ListRoots", async () => {
      const roots = await this.paged("ListRoots", async (NextToken) => {
        const r = await org.send(new ListRootsCommand({ MaxResults: this.pageSize, NextToken }));
        return { items: r.Roots, next: r.NextToken };
      });
      const root = roots[0];
      rootId = root?.Id;
      const enabled = new Set((root?.PolicyTypes ?? []).filter((t) => t.Status === "ENABLED").map((t) => t.Type));
      scpEnabled = enabled.has("SERVICE_CONTROL_POLICY");
      checks.push({ permission: "policy-type:SERVICE_CONTROL_POLICY", ok: scpEnabled, ...(scpEnabled ? {} : { detail: "service control policies are not enabled on the root" }) });
      const rcp = enabled.has("RESOURCE_CONTROL_POLICY");
      checks.push({ permission: "policy-type:RESOURCE_CONTROL_POLICY", ok: rcp, ...(rcp ? {} : { detail: "resource control policies are not enabled on the root; RCP guardrails cannot deploy" }) });
    });
    const root = rootId ?? this.facts.rootId;
    if (!root) return { ok: false, identity, checks, missing, error: error ?? "The organization's root could not be read." };

    const write = <T>(op: string, fn: () => Promise<T>): Promise<T> => this.call(op, true, fn);
    const read = <T>(op: string, fn: () => Promise<T>): Promise<T> => this.call(op, false, fn);
    const probes: Array<[string, () => Promise<unknown>, string[]?]> = [
      ["ListOrganizationalUnitsForParent", () => read("ListOrganizationalUnitsForParent", () => org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: root, MaxResults: 1 })))],
      ["ListAccounts", () => read("ListAccounts", () => org.send(new ListAccountsCommand({ MaxResults: 1 })))],
      ["ListAccountsForParent", () => read("ListAccountsForParent", () => org.send(new ListAccountsForParentCommand({ ParentId: root, MaxResults: 1 })))],
      ["ListTagsForResource", () => read("ListTagsForResource", () => org.send(new ListTagsForResourceCommand({ ResourceId: root })))],
      ["ListPolicies", () => read("ListPolicies", () => org.send(new ListPoliciesCommand({ Filter: "SERVICE_CONTROL_POLICY", MaxResults: 1 })))],
      ["DescribePolicy", () => read("DescribePolicy", () => org.send(new DescribePolicyCommand({ PolicyId: FULL_AWS_ACCESS_ID }))), ["PolicyNotFoundException"]],
      ["ListTargetsForPolicy", () => read("ListTargetsForPolicy", () => org.send(new ListTargetsForPolicyCommand({ PolicyId: FULL_AWS_ACCESS_ID, MaxResults: 1 }))), ["PolicyNotFoundException"]],
      ["ListPoliciesForTarget", () => read("ListPoliciesForTarget", () => org.send(new ListPoliciesForTargetCommand({ TargetId: root, Filter: "SERVICE_CONTROL_POLICY", MaxResults: 1 })))],
      // Writes are probed with requests IAM authorizes first and the service then rejects: a malformed
      // document, a policy id that cannot exist. Nothing changes; CloudTrail records failed calls.
      [
        "CreatePolicy",
        async () => {
          const r = await write("CreatePolicy", () =>
            org.send(new CreatePolicyCommand({ Name: `${this.wsPrefix}permission-probe`, Description: "Parapet permission probe", Type: "SERVICE_CONTROL_POLICY", Content: "{}", Tags: [{ Key: AWS_OWNER_TAG_KEY, Value: this.ws }] })),
          );
          // An endpoint that accepted "{}" got a policy; remove it again.
          const id = r.Policy?.PolicySummary?.Id;
          if (id) await write("DeletePolicy", () => org.send(new DeletePolicyCommand({ PolicyId: id })));
        },
        ["MalformedPolicyDocumentException", "DuplicatePolicyException", "InvalidInputException"],
      ],
      ["TagResource", () => write("TagResource", () => org.send(new TagResourceCommand({ ResourceId: PROBE_POLICY_ID, Tags: [{ Key: AWS_OWNER_TAG_KEY, Value: this.ws }] }))), ["TargetNotFoundException", "PolicyNotFoundException"]],
      ["UpdatePolicy", () => write("UpdatePolicy", () => org.send(new UpdatePolicyCommand({ PolicyId: PROBE_POLICY_ID, Description: "Parapet permission probe" }))), ["PolicyNotFoundException"]],
      ["AttachPolicy", () => write("AttachPolicy", () => org.send(new AttachPolicyCommand({ PolicyId: PROBE_POLICY_ID, TargetId: root }))), ["PolicyNotFoundException", "TargetNotFoundException"]],
      ["DetachPolicy", () => write("DetachPolicy", () => org.send(new DetachPolicyCommand({ PolicyId: PROBE_POLICY_ID, TargetId: root }))), ["PolicyNotFoundException", "TargetNotFoundException", "PolicyNotAttachedException"]],
      ["DeletePolicy", () => write("DeletePolicy", () => org.send(new DeletePolicyCommand({ PolicyId: PROBE_POLICY_ID }))), ["PolicyNotFoundException"]],
    ];
    await mapLimit(probes, Math.min(this.concurrency, 4), ([action, fn, ok]) => probe(action, fn, ok));

    // Every permission the adapter uses must have been probed above; a new one without a probe shows up here.
    const probed = new Set(checks.map((c) => c.permission));
    for (const p of minimumPermissions) {
      if (!probed.has(p.permission)) checks.push({ permission: p.permission, ok: false, detail: "not probed" });
    }
    checks.sort((a, b) => (a.permission < b.permission ? -1 : a.permission > b.permission ? 1 : 0));
    return {
      ok: missing.length === 0 && error === undefined && scpEnabled,
      identity,
      rootId: root,
      checks,
      missing,
      ...(error ? { error } : !scpEnabled ? { error: "Service control policies are not enabled on the organization root." } : {}),
    };
  }

  // ---- discover -------------------------------------------------------------------------------------

  /**
   * The whole organization. OUs: ListOrganizationalUnitsForParent per root/OU (there is no flat OU
   * listing). Accounts: one flat ListAccounts scan, placed by the `Paths` each account carries —
   * ⌈accounts/20⌉ calls instead of at least one ListAccountsForParent per container (2,000 OUs would
   * cost ≥ 2,001 calls) or ListParents per account (10,000). When an account arrives without a path
   * (older API behaviour, or it moved into an OU created after the OU walk) discovery falls back to
   * ListAccountsForParent per container. Labels need ListTagsForResource per node: with 10,000
   * accounts that is the dominant cost, so it runs `concurrency` wide, paced below AWS's rate limit.
   * A failed tag read fails discovery: silently empty labels would move accounts out of label scopes.
   */
  async discover(): Promise<Hierarchy> {
    const org = this.clients.org;
    const roots = await this.paged<Root>("ListRoots", async (NextToken) => {
      const r = await org.send(new ListRootsCommand({ MaxResults: this.pageSize, NextToken }));
      return { items: r.Roots, next: r.NextToken };
    });
    const root = roots[0];
    if (!root?.Id) throw new ProviderError("invalid", "The organization has no root.", false, "ListRoots", "NO_ROOT");
    const nodes: DiscoveredNode[] = [{ externalId: root.Id, kind: "root", name: root.Name ?? "Root", parentExternalId: null, isEnvironment: false, labels: {} }];
    const containers = new Set<string>([root.Id]);

    let level = [root.Id];
    while (level.length) {
      const children = await mapLimit(level, this.concurrency, (parentId) =>
        this.paged("ListOrganizationalUnitsForParent", async (NextToken) => {
          const r = await org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, MaxResults: this.pageSize, NextToken }));
          return { items: (r.OrganizationalUnits ?? []).map((ou) => ({ ou, parentId })), next: r.NextToken };
        }),
      );
      level = [];
      for (const { ou, parentId } of children.flat()) {
        if (!ou.Id || containers.has(ou.Id)) continue;
        containers.add(ou.Id);
        level.push(ou.Id);
        nodes.push({ externalId: ou.Id, kind: "ou", name: ou.Name ?? ou.Id, parentExternalId: parentId, isEnvironment: false, labels: {} });
      }
    }

    const accounts = await this.paged<Account>("ListAccounts", async (NextToken) => {
      const r = await org.send(new ListAccountsCommand({ MaxResults: this.pageSize, NextToken }));
      return { items: r.Accounts, next: r.NextToken };
    });
    const parentOf = new Map<string, string>();
    let placed = true;
    for (const a of accounts) {
      const parent = a.Id ? parentFromPaths(a.Paths, a.Id) : undefined;
      if (!a.Id || !parent || !containers.has(parent)) {
        placed = false;
        break;
      }
      parentOf.set(a.Id, parent);
    }
    let accountList = accounts;
    if (!placed) {
      parentOf.clear();
      const perParent = await mapLimit([...containers], this.concurrency, (parentId) =>
        this.paged("ListAccountsForParent", async (NextToken) => {
          const r = await org.send(new ListAccountsForParentCommand({ ParentId: parentId, MaxResults: this.pageSize, NextToken }));
          return { items: (r.Accounts ?? []).map((a) => ({ a, parentId })), next: r.NextToken };
        }),
      );
      accountList = [];
      for (const { a, parentId } of perParent.flat()) {
        if (!a.Id || parentOf.has(a.Id)) continue;
        parentOf.set(a.Id, parentId);
        accountList.push(a);
      }
    }
    const seenAccounts = new Set<string>();
    for (const a of accountList) {
      const parent = a.Id ? parentOf.get(a.Id) : undefined;
      if (!a.Id || !parent || seenAccounts.has(a.Id)) continue;
      seenAccounts.add(a.Id);
      const state = a.State ?? a.Status ?? "ACTIVE";
      nodes.push({
        externalId: a.Id,
        kind: "account",
        name: a.Name ?? a.Id,
        parentExternalId: parent,
        // Suspended and closing accounts run nothing; counting them as uncovered environments would be noise.
        isEnvironment: !INACTIVE_ACCOUNT_STATES.has(state),
        labels: {},
      });
    }

    await mapLimit(nodes, this.concurrency, async (n) => {
      n.labels = await this.listTags(n.externalId);
    });
    return { rootExternalId: root.Id, nodes };
  }

  // ---- observe --------------------------------------------------------------------------------------

  /**
   * Reads Parapet's SCPs/RCPs and their attachments: per policy DescribePolicy + ListTargetsForPolicy.
   *
   * Which policies: by recorded id when every expected artifact has one (steady state). The
   * ListPolicies sweep (paged, names filtered here: the API has no name filter) runs only when some
   * expected artifact has no id yet (first deploy, adoption) or the caller asks for it (`sweep`), and
   * then also finds anything named with this workspace's prefix (an orphan of a crash between
   * CreatePolicy and recording it). A recorded id that no longer exists is simply missing.
   *
   * Foreign slots: ListPoliciesForTarget only on requested targets where an expected artifact is not
   * attached yet, i.e. where applying could take a new slot. A target whose expected policies are all
   * attached already holds them within AWS's limit, and packing uses free slots only to refuse, never
   * to lay documents out differently, so its occupancy cannot change the plan.
   *
   * Steady-state calls: Σ_owned (1 + ⌈targets/20⌉) — two per owned policy, whatever the number of
   * accounts. On top when needed: ⌈SCPs/20⌉ + ⌈RCPs/20⌉ for the sweep, a tag read per policy whose
   * ownership is not established (see class comment), Σ_new-targets Σ_types ⌈policies on target/20⌉.
   */
  async observe(req: ObserveRequest): Promise<ObservedState> {
    const state: ObservedState = { artifacts: [], foreignSlots: {}, unreadable: [] };
    const expected = req.expected.filter((e) => KIND_TYPE[e.kind] !== undefined);
    const byId = new Map<string, Expected>();
    const byName = new Map<string, Expected>();
    for (const e of expected) {
      if (e.externalId) byId.set(e.externalId, e);
      byName.set(`${e.kind}|${e.name}`, e);
    }

    const candidates = new Map<string, { kind: ArtifactKind; name: string }>();
    for (const [id, e] of byId) candidates.set(id, { kind: e.kind, name: e.name });
    const sweep = req.sweep === true || expected.some((e) => !e.externalId);
    if (sweep) {
      await Promise.all(
        (["SCP", "RCP"] as const).map(async (type) => {
          const kind = AWS_KINDS[type];
          try {
            for (const s of await this.listPolicies(type)) {
              if (!s.Id || !s.Name || s.AwsManaged) continue;
              if (byId.has(s.Id) || byName.has(`${kind}|${s.Name}`) || s.Name.startsWith(this.wsPrefix)) candidates.set(s.Id, { kind, name: s.Name });
            }
          } catch (e) {
            for (const x of expected) if (x.kind === kind && !x.externalId) state.unreadable.push({ kind, name: x.name, reason: reasonOf(e) });
          }
        }),
      );
    }

    const ownedIds = new Set<string>();
    await mapLimit([...candidates.entries()], this.concurrency, async ([id, c]) => {
      const recorded = byId.get(id)?.kind === c.kind || this.verifiedOwned.has(id);
      try {
        const [p, targets, tags] = await settleAll([
          this.describePolicy(id),
          this.listTargets(id),
          recorded ? Promise.resolve(undefined) : this.listTags(id),
        ] as const);
        // The recorded kind is a claim; the cloud's type is the fact.
        const kind = AWS_KINDS[p.type];
        const owned = !p.awsManaged && (tags ? isOwnedByWorkspaceAws({ name: p.name, tags }, this.ws) : p.name.startsWith(AWS_NAME_PREFIX));
        if (tags) {
          if (owned) this.verifiedOwned.add(id);
          else this.verifiedOwned.delete(id);
        }
        if (owned) ownedIds.add(id);
        // Without a fresh tag read the tags shown are the marker Parapet wrote when it created the policy.
        const body: TAwsObservedPolicy = awsPolicyBodyFromCloud({ ...p, tags: tags ?? awsOwnerTags(this.ws) });
        state.artifacts.push({ kind, name: p.name, externalId: id, body, attachments: [...new Set(targets)].sort(), owned });
      } catch (e) {
        // Deleted (between the listing and the read, or since Parapet recorded its id): it is missing,
        // which is a fact, not a failed read.
        if (isCode(e, "PolicyNotFoundException")) return;
        state.unreadable.push({ kind: c.kind, name: c.name, reason: reasonOf(e) });
      }
    });
    state.artifacts.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

    // Targets where applying could take a slot: an expected artifact wants to be attached there and
    // is not (new attachment, new policy, or an out-of-band detach to repair).
    const attachedNow = new Set<string>();
    for (const a of state.artifacts) if (a.owned) for (const t of a.attachments) attachedNow.add(`${a.kind}|${a.name}|${t}`);
    const unreadableNames = new Set(state.unreadable.filter((u) => u.name).map((u) => `${u.kind}|${u.name}`));
    const typesAt = new Map<string, Set<TAwsPolicyType>>();
    for (const e of expected) {
      for (const t of e.attachments ?? []) {
        if (attachedNow.has(`${e.kind}|${e.name}|${t}`)) continue;
        // Unknown whether it is attached: no write will be planned from that read, so no slot either.
        if (unreadableNames.has(`${e.kind}|${e.name}`)) continue;
        typesAt.set(t, (typesAt.get(t) ?? new Set()).add(KIND_TYPE[e.kind]!));
      }
    }
    const targets = [...new Set(req.targets ?? [])].filter((t) => typesAt.has(t)).sort();
    const jobs = targets.flatMap((t) => [...typesAt.get(t)!].sort().map((type) => ({ t, type })));
    const failed = new Set<string>();
    await mapLimit(jobs, this.concurrency, async ({ t, type }) => {
      try {
        const attached = await this.paged("ListPoliciesForTarget", async (NextToken) => {
          const r = await this.clients.org.send(
            new ListPoliciesForTargetCommand({ TargetId: t, Filter: AWS_POLICY_TYPE_API_NAME[type] as PolicyType, MaxResults: this.pageSize, NextToken }),
          );
          return { items: r.Policies, next: r.NextToken };
        });
        const foreign = attached.filter((p) => p.Id && !ownedIds.has(p.Id)).length;
        (state.foreignSlots[t] ??= {})[AWS_KINDS[type]] = foreign;
      } catch (e) {
        // RCPs not enabled: nothing of that type can be attached there, so no slot is taken either.
        if (type === "RCP" && isCode(e, "PolicyTypeNotEnabledException")) return;
        if (!failed.has(t)) state.unreadable.push({ target: t, reason: reasonOf(e) });
        failed.add(t);
      }
    });
    for (const t of failed) delete state.foreignSlots[t];
    return state;
  }

  compare(desired: DesiredArtifact, observed: ObservedArtifact): Difference {
    const d = ZAwsOrgPolicyBody.safeParse(desired.body);
    if (!d.success) return { equal: false, kind: "modified", detail: "the desired body is not an AWS Organizations policy" };
    const want: TAwsOrgPolicy = { ...d.data, document: canonicalDocument(d.data.content) ?? { Version: "2012-10-17", Statement: [] } };
    return compareAwsPolicy(want, observed.body as TAwsObservedPolicy);
  }

  // ---- apply ----------------------------------------------------------------------------------------

  async apply(change: Change): Promise<ApplyResult> {
    const kind = "artifact" in change ? change.artifact.kind : change.kind;
    const type = KIND_TYPE[kind];
    if (!type) throw invalid(change.op, `The AWS adapter does not manage ${kind}.`, "UNSUPPORTED_KIND");
    switch (change.op) {
      case "create":
        return this.create(type, change.artifact);
      case "update":
        return this.update(type, change.artifact, change.externalId);
      case "attach":
        return this.attach(change.externalId, change.target);
      case "detach":
        return this.detach(change.externalId, change.target);
      case "delete":
        return this.remove(change.externalId);
    }
  }

  private desiredBody(operation: string, type: TAwsPolicyType, a: DesiredArtifact): z.infer<typeof ZAwsOrgPolicyBody> {
    const b = ZAwsOrgPolicyBody.safeParse(a.body);
    if (!b.success) throw invalid(operation, `The desired ${a.kind} body is not an Organizations policy: ${b.error.issues[0]?.message ?? "invalid"}.`, "INVALID_BODY");
    if (b.data.type !== type) throw invalid(operation, `${a.name} is an ${b.data.type} but was sent as ${a.kind}.`, "INVALID_BODY");
    if (b.data.name !== a.name) throw invalid(operation, `The policy body is named ${b.data.name}, the artifact ${a.name}.`, "INVALID_BODY");
    // Without the prefix the policy could never be recognised as Parapet's again.
    if (!a.name.startsWith(AWS_NAME_PREFIX)) throw invalid(operation, `Parapet's policy names start with '${AWS_NAME_PREFIX}'; got ${a.name}.`, "INVALID_NAME");
    if (!canonicalDocument(b.data.content)) throw invalid(operation, `${a.name} is not a valid IAM policy document.`, "INVALID_BODY");
    const maxChars = awsTypeLimits(this.limits, type).chars;
    if (b.data.content.length > maxChars) {
      throw new ProviderError(
        "limit",
        `${a.name} is ${b.data.content.length} characters, over this organization's ${maxChars}-character ${type} size limit.`,
        false,
        operation,
        "POLICY_CONTENT_LIMIT_EXCEEDED",
      );
    }
    return b.data;
  }

  private async create(type: TAwsPolicyType, a: DesiredArtifact): Promise<ApplyResult> {
    const body = this.desiredBody("CreatePolicy", type, a);
    const tags = { ...body.tags, ...awsOwnerTags(this.ws) };
    try {
      const r = await this.call("CreatePolicy", true, () =>
        this.clients.org.send(
          new CreatePolicyCommand({
            Name: a.name,
            Description: body.description,
            Content: body.content,
            Type: AWS_POLICY_TYPE_API_NAME[type] as PolicyType,
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        ),
      );
      const id = r.Policy?.PolicySummary?.Id;
      if (!id) throw new ProviderError("unavailable", "CreatePolicy answered without a policy id.", true, "CreatePolicy", "BAD_RESPONSE");
      this.verifiedOwned.add(id);
      return { externalId: id };
    } catch (e) {
      // Created before (a lost response, or a crash before Parapet recorded it): adopt it if it is ours.
      if (isCode(e, "DuplicatePolicyException")) return this.adopt(type, a, body);
      throw e;
    }
  }

  private async adopt(type: TAwsPolicyType, a: DesiredArtifact, body: z.infer<typeof ZAwsOrgPolicyBody>): Promise<ApplyResult> {
    const found = (await this.listPolicies(type)).find((s) => s.Name === a.name);
    if (!found?.Id) {
      throw new ProviderError("conflict", `A policy named ${a.name} was reported to exist but is no longer listed; retry.`, true, "CreatePolicy", "DUPLICATE_VANISHED");
    }
    const p = await this.assertOwned("CreatePolicy", found.Id);
    const updated = await this.updateIfDifferent(p, a.name, body);
    return { externalId: p.id, ...(updated ? {} : { noop: true }) };
  }

  private async updateIfDifferent(p: DescribedPolicy, name: string, body: z.infer<typeof ZAwsOrgPolicyBody>): Promise<boolean> {
    const want = canonicalDocument(body.content);
    const have = canonicalDocument(p.content);
    const contentSame = want !== undefined && have !== undefined && JSON.stringify(want) === JSON.stringify(have);
    if (contentSame && p.name === name && p.description === body.description) return false;
    await this.call("UpdatePolicy", true, () =>
      this.clients.org.send(
        new UpdatePolicyCommand({
          PolicyId: p.id,
          ...(p.name !== name ? { Name: name } : {}),
          ...(p.description !== body.description ? { Description: body.description } : {}),
          ...(contentSame ? {} : { Content: body.content }),
        }),
      ),
    );
    return true;
  }

  private async update(type: TAwsPolicyType, a: DesiredArtifact, policyId: string): Promise<ApplyResult> {
    const body = this.desiredBody("UpdatePolicy", type, a);
    const p = await this.assertOwned("UpdatePolicy", policyId);
    if (p.type !== type) throw invalid("UpdatePolicy", `${p.name} is an ${p.type}, not an ${type}.`, "TYPE_MISMATCH");
    const updated = await this.updateIfDifferent(p, a.name, body);
    return { externalId: p.id, ...(updated ? {} : { noop: true }) };
  }

  private async attach(policyId: string, target: string): Promise<ApplyResult> {
    if (!policyId) throw invalid("AttachPolicy", "attach needs the policy id (create it first).", "MISSING_ID");
    // Attaching changes no one else's artifact, so ownership read once in this adapter's life is enough.
    if (!this.verifiedOwned.has(policyId)) await this.assertOwned("AttachPolicy", policyId);
    try {
      await this.call("AttachPolicy", true, () => this.clients.org.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: target })));
      return { externalId: policyId };
    } catch (e) {
      if (isCode(e, "DuplicatePolicyAttachmentException")) return { externalId: policyId, noop: true };
      throw e;
    }
  }

  private async detach(policyId: string, target: string): Promise<ApplyResult> {
    try {
      await this.assertOwned("DetachPolicy", policyId);
    } catch (e) {
      if (isCode(e, "PolicyNotFoundException")) return { noop: true };
      throw e;
    }
    try {
      await this.call("DetachPolicy", true, () => this.clients.org.send(new DetachPolicyCommand({ PolicyId: policyId, TargetId: target })));
      return { externalId: policyId };
    } catch (e) {
      if (isCode(e, "PolicyNotAttachedException", "PolicyNotFoundException", "TargetNotFoundException")) return { externalId: policyId, noop: true };
      throw e;
    }
  }

  private async remove(policyId: string): Promise<ApplyResult> {
    try {
      await this.assertOwned("DeletePolicy", policyId);
    } catch (e) {
      if (isCode(e, "PolicyNotFoundException")) return { noop: true };
      throw e;
    }
    const del = () => this.call("DeletePolicy", true, () => this.clients.org.send(new DeletePolicyCommand({ PolicyId: policyId })));
    try {
      await del();
    } catch (e) {
      if (isCode(e, "PolicyNotFoundException")) return { noop: true };
      if (!isCode(e, "PolicyInUseException")) throw e;
      // Still attached somewhere (the plan's detaches raced a person's attach): detach, then delete.
      for (const t of await this.listTargets(policyId)) await this.detach(policyId, t);
      try {
        await del();
      } catch (e2) {
        if (isCode(e2, "PolicyNotFoundException")) return { noop: true };
        throw e2;
      }
    }
    this.verifiedOwned.delete(policyId);
    return { externalId: policyId };
  }

  stats(): CallStats {
    return this.recorder.stats();
  }

  resetStats(): void {
    this.recorder.reset();
  }

  async close(): Promise<void> {
    this.clients.destroy();
  }
}

/**
 * Promise.all that waits for every call to finish before rejecting, so no read is still in flight
 * (and being recorded) after the operation that started it has returned.
 */
async function settleAll<T extends readonly unknown[]>(ps: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const rs = await Promise.allSettled(ps);
  const failed = rs.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return rs.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** `o-…/r-…/ou-…/ou-…/<account>/` → the last container before the account itself. */
export function parentFromPaths(paths: string[] | undefined, accountId: string): string | undefined {
  const path = paths?.[0];
  if (!path) return undefined;
  const parts = path.split("/").filter((p) => p !== "");
  if (parts[parts.length - 1] !== accountId || parts.length < 3) return undefined;
  return parts[parts.length - 2];
}

/** Creates the AWS adapter for one connection. Throws ProviderError(invalid) for unusable config. */
export function createAwsAdapter(config: AwsAdapterConfig): CloudAdapter {
  return new AwsAdapter(config);
}
