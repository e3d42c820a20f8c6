import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLargeError, readBody, sendJson, tryParseJson } from "../common/http.ts";
import { checkAppendedRecord } from "./cloudtrail-history.ts";
import { checkConfig } from "./config.ts";
import { AwsError } from "./errors.ts";
import type { AwsCredentialSpec, AwsRoleSpec } from "./iam.ts";
import type { Output } from "./organizations-api.ts";
import type { PolicyType } from "./policy-doc.ts";
import { seedAwsDemo, seedAwsOrg, type AwsSeedOptions } from "./seed.ts";
import type { AwsSimulator } from "./simulator.ts";

/**
 * Out-of-band changes "as a human would make them in the console": each goes through the same validation
 * and limits as the API and emits the same CloudTrail event, with a person (IAM Identity Center session)
 * as the identity. `person` defaults to jane.doe@example.com.
 */
export class AwsAdmin {
  constructor(private readonly sim: AwsSimulator) {}

  summary(): Record<string, unknown> {
    const st = this.sim.state;
    const byType: Record<string, { customer: number; awsManaged: number }> = {};
    let attachments = 0;
    for (const p of st.policies.values()) {
      const b = (byType[p.type] ??= { customer: 0, awsManaged: 0 });
      if (p.awsManaged) b.awsManaged++;
      else b.customer++;
      attachments += p.targets.size;
    }
    return {
      organization: { id: st.orgId, arn: st.orgArn, managementAccountId: st.managementAccountId },
      root: { id: st.root.id, policyTypes: [...st.root.policyTypes] },
      counts: { accounts: st.accounts.size, ous: st.ous.size, attachments },
      policies: byType,
      limits: st.limits,
      credentials: this.sim.iam.listCredentials().filter((c) => !c.temporary),
      roles: this.sim.iam.listRoles(),
      webhook: { delivered: this.sim.emitter.delivered, dropped: this.sim.emitter.dropped },
    };
  }

  /** The whole hierarchy as nested names and ids, with attached customer policies; meant for small orgs. */
  tree(): Record<string, unknown> {
    const st = this.sim.state;
    const pols = (ids: Iterable<string>) => [...ids].map((id) => st.policies.get(id)?.name ?? id);
    const node = (id: string): Record<string, unknown> => {
      const c = st.container(id)!;
      return {
        id,
        name: c.name,
        policies: pols(c.policies),
        tags: Object.fromEntries(c.tags),
        accounts: [...c.accounts].map((aid) => {
          const a = st.accounts.get(aid)!;
          return { id: a.id, name: a.name, tags: Object.fromEntries(a.tags), policies: pols(a.policies) };
        }),
        ous: [...c.ous].map(node),
      };
    };
    return node(st.root.id);
  }

  /** Finds an OU by name or slash path ("Workloads/Prod"), or an account by name. */
  find(q: { ou?: string; account?: string; policy?: string }): string | undefined {
    const st = this.sim.state;
    if (q.ou !== undefined) {
      let cur: string = st.root.id;
      for (const part of q.ou.split("/")) {
        const c = st.container(cur)!;
        const next = [...c.ous].find((id) => st.ous.get(id)?.name === part);
        if (!next) {
          if (!q.ou.includes("/")) for (const o of st.ous.values()) if (o.name === q.ou) return o.id;
          return undefined;
        }
        cur = next;
      }
      return cur;
    }
    if (q.account !== undefined) for (const a of st.accounts.values()) if (a.name === q.account || a.id === q.account) return a.id;
    if (q.policy !== undefined) {
      return st.findPolicyByName("SERVICE_CONTROL_POLICY", q.policy)?.id ?? st.findPolicyByName("RESOURCE_CONTROL_POLICY", q.policy)?.id;
    }
    return undefined;
  }

  createAccount(
    a: { name: string; email?: string; parentId?: string; tags?: Record<string, string> },
    person?: string,
  ): { accountId: string } {
    const out = this.sim.asHuman(
      "CreateAccount",
      {
        AccountName: a.name,
        Email: a.email ?? `aws+${a.name.replace(/[^A-Za-z0-9._-]/g, "-")}@example.com`,
        ...(a.tags ? { Tags: tagList(a.tags) } : {}),
      },
      person,
    );
    const accountId = (out.CreateAccountStatus as Output).AccountId as string;
    if (a.parentId && a.parentId !== this.sim.state.root.id) {
      this.moveAccount({ accountId, destinationParentId: a.parentId }, person);
    }
    return { accountId };
  }

  createOu(o: { parentId: string; name: string; tags?: Record<string, string> }, person?: string): { ouId: string } {
    const out = this.sim.asHuman(
      "CreateOrganizationalUnit",
      { ParentId: o.parentId, Name: o.name, ...(o.tags ? { Tags: tagList(o.tags) } : {}) },
      person,
    );
    return { ouId: (out.OrganizationalUnit as Output).Id as string };
  }

  moveAccount(m: { accountId: string; destinationParentId: string; sourceParentId?: string }, person?: string): void {
    const src = m.sourceParentId ?? this.sim.state.accounts.get(m.accountId)?.parentId ?? "";
    this.sim.asHuman("MoveAccount", { AccountId: m.accountId, SourceParentId: src, DestinationParentId: m.destinationParentId }, person);
  }

  createPolicy(
    p: { name: string; content: string; type?: PolicyType; description?: string; tags?: Record<string, string> },
    person?: string,
  ): { policyId: string } {
    const out = this.sim.asHuman(
      "CreatePolicy",
      {
        Name: p.name,
        Content: p.content,
        Type: p.type ?? "SERVICE_CONTROL_POLICY",
        Description: p.description ?? "",
        ...(p.tags ? { Tags: tagList(p.tags) } : {}),
      },
      person,
    );
    return { policyId: ((out.Policy as Output).PolicySummary as Output).Id as string };
  }

  updatePolicy(u: { policyId: string; content?: string; name?: string; description?: string }, person?: string): void {
    this.sim.asHuman(
      "UpdatePolicy",
      {
        PolicyId: u.policyId,
        ...(u.content !== undefined ? { Content: u.content } : {}),
        ...(u.name !== undefined ? { Name: u.name } : {}),
        ...(u.description !== undefined ? { Description: u.description } : {}),
      },
      person,
    );
  }

  attachPolicy(a: { policyId: string; targetId: string }, person?: string): void {
    this.sim.asHuman("AttachPolicy", { PolicyId: a.policyId, TargetId: a.targetId }, person);
  }

  detachPolicy(a: { policyId: string; targetId: string }, person?: string): void {
    this.sim.asHuman("DetachPolicy", { PolicyId: a.policyId, TargetId: a.targetId }, person);
  }

  /** With `force`, detaches the policy everywhere first (one DetachPolicy event each), as a person clicking through would. */
  deletePolicy(d: { policyId: string; force?: boolean }, person?: string): void {
    if (d.force) {
      const p = this.sim.state.policies.get(d.policyId);
      if (p) for (const t of [...p.targets]) this.detachPolicy({ policyId: d.policyId, targetId: t }, person);
    }
    this.sim.asHuman("DeletePolicy", { PolicyId: d.policyId }, person);
  }

  tagResource(t: { resourceId: string; tags: Record<string, string> }, person?: string): void {
    this.sim.asHuman("TagResource", { ResourceId: t.resourceId, Tags: tagList(t.tags) }, person);
  }

  untagResource(t: { resourceId: string; keys: string[] }, person?: string): void {
    this.sim.asHuman("UntagResource", { ResourceId: t.resourceId, TagKeys: t.keys }, person);
  }

  enablePolicyType(type: PolicyType, person?: string): void {
    this.sim.asHuman("EnablePolicyType", { RootId: this.sim.state.root.id, PolicyType: type }, person);
  }

  disablePolicyType(type: PolicyType, person?: string): void {
    this.sim.asHuman("DisablePolicyType", { RootId: this.sim.state.root.id, PolicyType: type }, person);
  }

  // ---- HTTP ---------------------------------------------------------------------------------------------

  /** Routes `/_admin/…`. Bodies are JSON; errors are `{error: {code, message, reason?}}` with 400/404. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sim");
    const route = `${req.method ?? "GET"} ${url.pathname.replace(/\/+$/, "")}`;
    try {
      let body: Record<string, unknown> = {};
      if (req.method === "POST" || req.method === "PUT") {
        const raw = await readBody(req, 4 * 1024 * 1024);
        const parsed = tryParseJson(raw);
        if (
          !parsed.ok ||
          (parsed.value !== undefined && (typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value)))
        ) {
          return sendJson(res, 400, { error: { code: "BadRequest", message: "body must be a JSON object" } });
        }
        body = (parsed.value ?? {}) as Record<string, unknown>;
      }
      const person = typeof body.person === "string" ? body.person : undefined;
      const s = (k: string) => {
        const v = body[k];
        if (typeof v !== "string" || v === "") throw new AdminInputError(`${k} (string) is required`);
        return v;
      };
      const optS = (k: string) => (typeof body[k] === "string" ? body[k] : undefined);
      const rec = (k: string) => {
        const v = body[k];
        if (v === undefined) return undefined;
        if (typeof v !== "object" || v === null || Array.isArray(v) || !Object.values(v).every((x) => typeof x === "string")) {
          throw new AdminInputError(`${k} must be an object of string values`);
        }
        return v as Record<string, string>;
      };
      const type = () => {
        const t = body.type ?? "SERVICE_CONTROL_POLICY";
        if (t !== "SERVICE_CONTROL_POLICY" && t !== "RESOURCE_CONTROL_POLICY")
          throw new AdminInputError("type must be SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY");
        return t;
      };
      switch (route) {
        case "GET /_admin":
          return sendJson(res, 200, { routes: ADMIN_ROUTES });
        case "GET /_admin/state":
          return sendJson(
            res,
            200,
            url.searchParams.get("full") ? { ...this.summary(), snapshot: this.sim.state.snapshot() } : this.summary(),
          );
        case "GET /_admin/tree":
          return sendJson(res, 200, this.tree());
        case "GET /_admin/find": {
          const id = this.find({
            ou: url.searchParams.get("ou") ?? undefined,
            account: url.searchParams.get("account") ?? undefined,
            policy: url.searchParams.get("policy") ?? undefined,
          });
          return id ? sendJson(res, 200, { id }) : sendJson(res, 404, { error: { code: "NotFound", message: "no match" } });
        }
        case "GET /_admin/events":
          return sendJson(res, 200, { events: this.sim.recentEvents });
        case "GET /_admin/cloudtrail/events":
          return sendJson(res, 200, { Records: this.sim.cloudtrail.all() });
        case "POST /_admin/cloudtrail/trail": {
          const bucket = s("bucket");
          if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new AdminInputError("bucket must be a valid S3 bucket name");
          this.sim.configureTrailBucket(bucket);
          return sendJson(res, 200, { bucket });
        }
        case "POST /_admin/config/aggregator": {
          // An organization aggregator in the management account (or the account named).
          const name = s("name");
          if (!/^[\w-]{1,256}$/.test(name)) throw new AdminInputError("name must be 1-256 of [A-Za-z0-9_-]");
          const account = typeof body.accountId === "string" ? body.accountId : this.sim.state.managementAccountId;
          this.sim.config.addAggregator(name, account);
          return sendJson(res, 200, { name, accountId: account });
        }
        case "POST /_admin/config/items": {
          // IAM roles and users of member accounts as the aggregator records them: {items:[{arn, tags:{k:v}}]}.
          const items = body.items;
          if (!Array.isArray(items) || items.length === 0 || items.length > 10_000)
            throw new AdminInputError("items must be a list of 1 to 10,000 {arn, tags}");
          const parsed = items.map((raw, i) => {
            const it = raw as { arn?: unknown; tags?: unknown };
            const m =
              typeof it.arn === "string" ? /^arn:aws:iam::(\d{12}):(role|user)\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/.exec(it.arn) : null;
            if (!m) throw new AdminInputError(`items[${i}].arn must be an IAM role or user ARN`);
            const tags = it.tags ?? {};
            if (typeof tags !== "object" || tags === null || Array.isArray(tags))
              throw new AdminInputError(`items[${i}].tags must be an object`);
            return {
              resourceType: m[2] === "role" ? "AWS::IAM::Role" : "AWS::IAM::User",
              arn: it.arn as string,
              resourceId: `ARO${i.toString(36).toUpperCase().padStart(17, "X")}`,
              resourceName: m[3]!,
              accountId: m[1]!,
              // IAM is global: Config records its items in us-east-1 (Config Developer Guide, "Recording global resources").
              awsRegion: "global",
              tags: Object.entries(tags as Record<string, unknown>).map(([key, value]) => ({ key, value: String(value) })),
            };
          });
          this.sim.config.putItems(parsed);
          return sendJson(res, 200, { items: parsed.length });
        }
        case "POST /_admin/cloudtrail/deliver": {
          if (!this.sim.trailBucket) throw new AdminInputError("no trail bucket: POST /_admin/cloudtrail/trail {bucket} first");
          return sendJson(res, 200, { keys: this.sim.trailBucket.deliver(this.sim.cloudtrail.all()) });
        }
        case "POST /_admin/cloudtrail/events": {
          // History for demos and tests: data-plane calls, refusals, session tags. Records are CloudTrail
          // records as a trail delivers them; each must name the account and Region it was logged in.
          const records = body.Records;
          if (!Array.isArray(records) || records.length === 0 || records.length > 10_000) {
            throw new AdminInputError("Records must be a list of 1 to 10,000 CloudTrail records");
          }
          let checked;
          try {
            const now = Date.now();
            checked = records.map((r, i) => checkAppendedRecord(r, now, i));
          } catch (e) {
            throw new AdminInputError((e as Error).message);
          }
          for (const r of checked) this.sim.cloudtrail.add(r);
          return sendJson(res, 200, { appended: checked.length });
        }
        case "GET /_admin/counters":
          return sendJson(res, 200, {
            operations: this.sim.counters.snapshot(),
            errors: this.sim.errorCounters.snapshot(),
            total: this.sim.counters.total(),
          });
        case "POST /_admin/counters/reset":
        case "POST /_admin/counters":
          this.sim.counters.reset();
          this.sim.errorCounters.reset();
          return sendJson(res, 200, { ok: true });
        case "GET /_admin/config":
          return sendJson(res, 200, this.sim.currentConfig());
        case "POST /_admin/config": {
          const problem = checkConfig(body);
          if (problem) throw new AdminInputError(problem);
          this.sim.configure(body);
          return sendJson(res, 200, this.sim.currentConfig());
        }
        case "POST /_admin/seed": {
          if (body.demo === true) return sendJson(res, 200, seedAwsDemo(this.sim));
          const num = (k: string, d?: number) => {
            const v = body[k] ?? d;
            if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 100_000)
              throw new AdminInputError(`${k} must be an integer 0..100000`);
            return v;
          };
          const opts: AwsSeedOptions = {
            accounts: num("accounts"),
            ous: num("ous", 0),
            depth: num("depth", 3),
            tags: body.tags !== false,
            customerScps: num("customerScps", 0),
            reset: body.reset !== false,
            seed: num("seed", 1),
          };
          return sendJson(res, 200, seedAwsOrg(this.sim, opts));
        }
        case "POST /_admin/reset":
          this.sim.resetOrganization();
          return sendJson(res, 200, this.summary());
        case "POST /_admin/credentials":
          this.sim.iam.addCredential({
            accessKeyId: s("accessKeyId"),
            secretAccessKey: s("secretAccessKey"),
            accountId: optS("accountId"),
            userName: optS("userName"),
            allowedActions: actions(body.allowedActions),
          } satisfies AwsCredentialSpec);
          this.sim.changed();
          return sendJson(res, 200, { ok: true });
        case "POST /_admin/credentials/allowed-actions":
          if (!this.sim.iam.setAllowedActions(s("accessKeyId"), actions(body.allowedActions) ?? "*")) {
            return sendJson(res, 404, { error: { code: "NotFound", message: "unknown access key id" } });
          }
          return sendJson(res, 200, { ok: true });
        case "POST /_admin/roles":
          try {
            this.sim.iam.addRole({
              arn: s("arn"),
              externalId: optS("externalId"),
              allowedActions: actions(body.allowedActions),
              maxSessionSeconds: typeof body.maxSessionSeconds === "number" ? body.maxSessionSeconds : undefined,
              trustedPrincipals: Array.isArray(body.trustedPrincipals)
                ? body.trustedPrincipals.filter((x): x is string => typeof x === "string")
                : undefined,
            } satisfies AwsRoleSpec);
          } catch (e) {
            throw new AdminInputError((e as Error).message);
          }
          this.sim.changed();
          return sendJson(res, 200, { ok: true });
        case "POST /_admin/create-account":
          return sendJson(
            res,
            200,
            this.createAccount({ name: s("name"), email: optS("email"), parentId: optS("parentId"), tags: rec("tags") }, person),
          );
        case "POST /_admin/create-ou":
          return sendJson(res, 200, this.createOu({ parentId: s("parentId"), name: s("name"), tags: rec("tags") }, person));
        case "POST /_admin/move-account":
          this.moveAccount(
            { accountId: s("accountId"), destinationParentId: s("destinationParentId"), sourceParentId: optS("sourceParentId") },
            person,
          );
          return sendJson(res, 200, { ok: true });
        case "POST /_admin/create-policy":
          return sendJson(
            res,
            200,
            this.createPolicy(
              { name: s("name"), content: s("content"), type: type(), description: optS("description"), tags: rec("tags") },
              person,
            ),
          );
        case "POST /_admin/update-policy":
          this.updatePolicy(
            { policyId: s("policyId"), content: optS("content"), name: optS("name"), description: optS("description") },
            person,
          );
          return sendJson(res, 200, { ok: true });
        case "POST /_admin/attach-policy":
          this.attachPolicy({ policyId: s("policyId"), targetId: s("targetId") }, person);
          return sendJson(res, 200, { ok: true });
        case "POST /_admin/detach-policy":
          this.detachPolicy({ policyId: s("policyId"), targetId: s("targetId") }, person);
          return sendJson(res, 200, { ok: true });
        case "POST /_admin/delete-policy":
          this.deletePolicy({ policyId: s("policyId"), force: body.force === true }, person);
          return sendJson(res, 200, { ok: true });
        case "POST /_admin/tag-resource":
          this.tagResource({ resourceId: s("resourceId"), tags: rec("tags") ?? {} }, person);
          return sendJson(res, 200, { ok: true });
        case "POST /_admin/untag-resource": {
          const keys = body.keys;
          if (!Array.isArray(keys) || !keys.every((k) => typeof k === "string"))
            throw new AdminInputError("keys must be a list of strings");
          this.untagResource({ resourceId: s("resourceId"), keys: keys }, person);
          return sendJson(res, 200, { ok: true });
        }
        case "POST /_admin/enable-policy-type":
          this.enablePolicyType(type(), person);
          return sendJson(res, 200, { ok: true });
        case "POST /_admin/disable-policy-type":
          this.disablePolicyType(type(), person);
          return sendJson(res, 200, { ok: true });
        default:
          return sendJson(res, 404, { error: { code: "NotFound", message: `no admin route ${route}` } });
      }
    } catch (e) {
      if (e instanceof AwsError)
        return sendJson(res, e.status >= 500 ? e.status : 400, { error: { code: e.code, message: e.message, reason: e.reason } });
      if (e instanceof AdminInputError) return sendJson(res, 400, { error: { code: "BadRequest", message: e.message } });
      if (e instanceof BodyTooLargeError)
        return sendJson(res, 413, { error: { code: "TooLarge", message: e.message } }, { connection: "close" });
      return sendJson(res, 500, { error: { code: "InternalError", message: (e as Error).message } });
    }
  }
}

class AdminInputError extends Error {}

/** Listed by GET /_admin so a person poking at a running simulator can discover what it offers. */
const ADMIN_ROUTES = [
  "GET  /_admin/state[?full=1]       summary (and the full snapshot)",
  "GET  /_admin/tree                 hierarchy with names, tags and attached policies",
  "GET  /_admin/find?ou=A/B|account=name|policy=name",
  "GET  /_admin/events               last 1,000 CloudTrail events",
  "GET  /_admin/cloudtrail/events    CloudTrail event history (90 days) as {Records}",
  "POST /_admin/cloudtrail/events    append records {Records:[…]} (data events, refusals, session tags)",
  "POST /_admin/cloudtrail/trail     {bucket}: the organization trail's log bucket (served over S3 GETs)",
  "POST /_admin/cloudtrail/deliver   write undelivered history (data events too) as .json.gz log files",
  "POST /_admin/config/aggregator    {name, accountId?}: an AWS Config organization aggregator (default: management account)",
  "POST /_admin/config/items         {items:[{arn, tags}]}: IAM roles/users with their tags, as the aggregator records them",
  "GET  /_admin/counters             {operations, errors, total}",
  "POST /_admin/counters/reset",
  "GET  /_admin/config",
  "POST /_admin/config               {throttle, faults, limits, webhook, concurrentModificationRate, trailingEmptyPage, defaultPageSize, injectErrors}",
  "POST /_admin/seed                 {accounts, ous, depth?, tags?, customerScps?, reset?, seed?} or {demo: true}",
  "POST /_admin/reset",
  "POST /_admin/credentials          {accessKeyId, secretAccessKey, accountId?, userName?, allowedActions?}",
  "POST /_admin/credentials/allowed-actions {accessKeyId, allowedActions}",
  "POST /_admin/roles                {arn, externalId?, allowedActions?, maxSessionSeconds?, trustedPrincipals?}",
  "POST /_admin/create-account       {name, email?, parentId?, tags?, person?}",
  "POST /_admin/create-ou            {parentId, name, tags?, person?}",
  "POST /_admin/move-account         {accountId, destinationParentId, sourceParentId?, person?}",
  "POST /_admin/create-policy        {name, content, type?, description?, tags?, person?}",
  "POST /_admin/update-policy        {policyId, content?, name?, description?, person?}",
  "POST /_admin/attach-policy        {policyId, targetId, person?}",
  "POST /_admin/detach-policy        {policyId, targetId, person?}",
  "POST /_admin/delete-policy        {policyId, force?, person?}",
  "POST /_admin/tag-resource         {resourceId, tags: {k: v}, person?}",
  "POST /_admin/untag-resource       {resourceId, keys: [..], person?}",
  "POST /_admin/enable-policy-type   {type}",
  "POST /_admin/disable-policy-type  {type}",
];

function tagList(tags: Record<string, string>): Array<{ Key: string; Value: string }> {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

function actions(v: unknown): string[] | "*" | undefined {
  if (v === undefined || v === "*") return v;
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v;
  throw new AdminInputError('allowedActions must be "*" or a list of operation names');
}
