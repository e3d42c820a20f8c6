import { describe, expect, it } from "vitest";
import type { AuditEvent, PrincipalFacts } from "@parapet/providers/contract";
import { listControls } from "../catalog/catalog.ts";
import { buildContext, compileControl } from "../catalog/compile.ts";
import { SCENARIO_FACTS, SCENARIO_GUARDRAIL, SCENARIO_PRINCIPALS, SCENARIO_WORKSPACE_ID } from "../catalog/fixtures.ts";
import type { TCompileContext, TGcpFragment } from "../catalog/types.ts";
import { gcpEventOf, gcpScenarioLogEntry } from "../testing/gcp-audit-entries.ts";
import { gcpImpact, gcpPermissionMatches } from "./gcp.ts";
import { gcpScenarioActor } from "./gcp-scenario.ts";

const ORG = SCENARIO_FACTS.gcp.organizationId;
const ctx: TCompileContext<"gcp"> = buildContext<"gcp">({
  cloud: "gcp",
  mode: "enforce",
  workspaceId: SCENARIO_WORKSPACE_ID,
  guardrail: SCENARIO_GUARDRAIL,
  principals: SCENARIO_PRINCIPALS.gcp,
  facts: SCENARIO_FACTS.gcp,
  params: undefined,
});

function fragment(parts: Partial<TGcpFragment>): TGcpFragment {
  return {
    cloud: "gcp",
    guardrailId: "gr",
    dryRun: false,
    orgPolicies: [],
    customConstraints: [],
    attachDenyRules: true,
    denyRules: [],
    ...parts,
  };
}

function event(over: Partial<AuditEvent> & { permission?: string } = {}): AuditEvent {
  const { permission = "storage.buckets.delete", ...rest } = over;
  return {
    cloud: "gcp",
    id: "e1",
    time: "2026-12-01T10:00:00Z",
    principal: { id: "serviceAccount:agent@prod-app.iam.gserviceaccount.com", type: "service-account", account: "prod-app" },
    action: permission,
    resource: "//storage.googleapis.com/projects/_/buckets/b",
    nodeExternalId: "projects/prod-app",
    plane: "management",
    outcome: "success",
    context: { "protoPayload.authorizationInfo.permission": [permission], "resource.labels.project_id": "prod-app" },
    ...rest,
  };
}

const judge = (f: TGcpFragment, e: AuditEvent, facts: PrincipalFacts[] = []) =>
  gcpImpact.prepare({ fragment: f, ctx }).judge(e, new Map(facts.map((x) => [x.id, x])));

const deny = (denied: string[], permissions: string[], extra: object = {}) =>
  fragment({
    denyRules: [
      { description: "r", denyRule: { deniedPrincipals: denied, exceptionPrincipals: [], deniedPermissions: permissions, ...extra } },
    ],
  });

describe("gcpPermissionMatches", () => {
  it("maps the audit log's v1 permission onto the deny policy's v2 form, with IAM's wildcards", () => {
    expect(gcpPermissionMatches("storage.googleapis.com/buckets.delete", "storage.buckets.delete")).toBe(true);
    expect(gcpPermissionMatches("storage.googleapis.com/buckets.delete", "storage.buckets.get")).toBe(false);
    expect(gcpPermissionMatches("cloudresourcemanager.googleapis.com/projects.delete", "resourcemanager.projects.delete")).toBe(true);
    expect(gcpPermissionMatches("storage.googleapis.com/buckets.*", "storage.buckets.update")).toBe(true);
    expect(gcpPermissionMatches("storage.googleapis.com/*.delete", "storage.objects.delete")).toBe(true);
    expect(gcpPermissionMatches("storage.googleapis.com/*", "storage.objects.get")).toBe(true);
    expect(gcpPermissionMatches("compute.googleapis.com/*", "storage.objects.get")).toBe(false);
    expect(gcpPermissionMatches("storage.googleapis.com/buckets.delete", "google.storage.v2.Storage.DeleteBucket")).toBe(false);
  });
});

describe("gcpImpact deny rules", () => {
  const SA = "principal://iam.googleapis.com/projects/-/serviceAccounts/agent@prod-app.iam.gserviceaccount.com";

  it("matches a service account by identifier, whatever the project segment", async () => {
    expect(await judge(deny([SA], ["storage.googleapis.com/buckets.delete"]), event())).toEqual({
      verdict: "denied",
      by: "deny rule 1: r",
    });
    const other = SA.replace("projects/-", "projects/prod-app");
    expect((await judge(deny([other], ["storage.googleapis.com/buckets.delete"]), event())).verdict).toBe("denied");
    expect((await judge(deny([SA], ["storage.googleapis.com/buckets.create"]), event())).verdict).toBe("allowed");
  });

  it("matches a user by principal://goog/subject/, never a service account", async () => {
    const user = event({ principal: { id: "user:alice@example.com", type: "user" } });
    expect(
      (await judge(deny(["principal://goog/subject/alice@example.com"], ["storage.googleapis.com/buckets.delete"]), user)).verdict,
    ).toBe("denied");
    expect(
      (await judge(deny(["principal://goog/subject/agent@prod-app.iam.gserviceaccount.com"], ["storage.googleapis.com/*"]), event()))
        .verdict,
    ).toBe("allowed");
  });

  it("denies any permission the call checked, not just the first", async () => {
    const e = event({
      context: {
        "protoPayload.authorizationInfo.permission": ["storage.objects.create", "storage.objects.delete"],
        "resource.labels.project_id": "prod-app",
      },
    });
    expect((await judge(deny([SA], ["storage.googleapis.com/objects.delete"]), e)).verdict).toBe("denied");
  });

  it("honours exceptionPermissions and exceptionPrincipals", async () => {
    const f = fragment({
      denyRules: [
        {
          description: "r",
          denyRule: {
            deniedPrincipals: ["principalSet://goog/public:all"],
            exceptionPrincipals: [SA],
            deniedPermissions: ["storage.googleapis.com/*"],
            exceptionPermissions: ["storage.googleapis.com/objects.delete"],
          },
        },
      ],
    });
    expect((await judge(f, event())).verdict).toBe("allowed"); // excepted principal
    const other = event({ principal: { id: "user:bob@example.com", type: "user" } });
    expect((await judge(f, other)).verdict).toBe("denied");
    expect((await judge(f, event({ principal: other.principal, permission: "storage.objects.delete" }))).verdict).toBe("allowed"); // excepted permission
  });

  it("asks for facts about group members and judges with them; without them it says why", async () => {
    const f = deny(["principalSet://goog/group/agents@example.com"], ["storage.googleapis.com/buckets.delete"]);
    const prepared = gcpImpact.prepare({ fragment: f, ctx });
    const e = event();
    expect(prepared.principalsNeedingFacts(e)).toEqual([e.principal.id]);
    expect(prepared.principalsNeedingFacts(event({ permission: "storage.buckets.get" }))).toEqual([]);
    expect(await prepared.judge(e, new Map())).toEqual({
      verdict: "unjudgeable",
      reason: "group-membership-unknown",
      detail: `${e.principal.id} in principalSet://goog/group/agents@example.com`,
    });
    const member = { id: e.principal.id, found: true, groups: ["principalSet://goog/group/agents@example.com"] };
    expect((await prepared.judge(e, new Map([[e.principal.id, member]]))).verdict).toBe("denied");
    const notMember = { id: e.principal.id, found: true, groups: [] };
    expect((await prepared.judge(e, new Map([[e.principal.id, notMember]]))).verdict).toBe("allowed");
  });

  it("judges the organization's service-account set from the entry's project, and a customer set never holds service accounts", async () => {
    const orgSas = `principalSet://cloudresourcemanager.googleapis.com/organizations/${ORG}/type/ServiceAccount`;
    const f = fragment({
      denyRules: [
        {
          description: "r",
          denyRule: {
            deniedPrincipals: ["principalSet://goog/public:all"],
            exceptionPrincipals: [orgSas, "principalSet://goog/cloudIdentityCustomerId/C03example"],
            deniedPermissions: ["storage.googleapis.com/objects.get"],
          },
        },
      ],
    });
    expect((await judge(f, event({ permission: "storage.objects.get" }))).verdict).toBe("allowed");
    const foreign = event({
      permission: "storage.objects.get",
      principal: { id: "serviceAccount:x@elsewhere-1.iam.gserviceaccount.com", type: "service-account", account: "elsewhere-1" },
    });
    expect(await judge(f, foreign)).toMatchObject({ verdict: "unjudgeable", reason: "principal-set-membership-unknown" });
    expect((await judge(f, foreign, [{ id: foreign.principal.id, found: true, groups: [] }])).verdict).toBe("denied");
  });

  it("a tag condition the entry cannot show is missing-context; tags given, it is judged", async () => {
    const f = deny(["principalSet://goog/public:all"], ["storage.googleapis.com/objects.get"], {
      denialCondition: { title: "t", expression: `resource.matchTag('${ORG}/data', 'regulated')` },
    });
    const e = event({ permission: "storage.objects.get" });
    expect(await judge(f, e)).toMatchObject({ verdict: "unjudgeable", reason: "missing-context" });
    expect((await judge(f, { ...e, context: { ...e.context, "resource.tags": [`${ORG}/data/regulated`] } })).verdict).toBe("denied");
    expect((await judge(f, { ...e, context: { ...e.context, "resource.tags": [`${ORG}/data/public`] } })).verdict).toBe("allowed");
  });

  it("an entry that names only a method cannot be compared with permissions", async () => {
    const e = event({ action: "google.storage.v2.Storage.DeleteBucket", context: {} });
    expect(await judge(deny([SA], ["storage.googleapis.com/buckets.delete"]), e)).toMatchObject({
      verdict: "unjudgeable",
      reason: "unsupported-action",
    });
  });
});

describe("gcpImpact organization policies", () => {
  const locations = (allowed: string[]) =>
    fragment({ orgPolicies: [{ constraint: "gcp.resourceLocations", rules: [{ values: { allowedValues: allowed } }] }] });
  const create = (loc?: string) =>
    event({
      permission: "storage.buckets.create",
      ...(loc
        ? {
            context: {
              "protoPayload.authorizationInfo.permission": ["storage.buckets.create"],
              "protoPayload.resourceLocation.currentLocations": [loc],
            },
          }
        : {}),
    });

  it("judges resource locations against value groups, only for creations", async () => {
    expect((await judge(locations(["in:eu-locations"]), create("us-east1"))).verdict).toBe("denied");
    expect((await judge(locations(["in:eu-locations"]), create("europe-west1"))).verdict).toBe("allowed");
    expect((await judge(locations(["in:eu-locations"]), create("europe-west2"))).verdict).toBe("denied"); // London: not in the EU
    expect((await judge(locations(["in:us-east1-locations"]), create("us-east1-b"))).verdict).toBe("allowed");
    expect((await judge(locations(["in:asia-locations"]), create("asia-east1"))).verdict).toBe("unjudgeable");
    expect(await judge(locations(["in:eu-locations"]), create())).toMatchObject({ verdict: "unjudgeable", reason: "missing-context" });
    expect((await judge(locations(["in:eu-locations"]), event())).verdict).toBe("allowed"); // a delete creates nothing
  });

  it("a conditional org-policy rule is unjudgeable where it would refuse (its tags are not logged)", async () => {
    const f = fragment({
      orgPolicies: [
        {
          constraint: "gcp.resourceLocations",
          rules: [{ values: { allowedValues: ["in:eu-locations"] }, condition: { expression: "resource.matchTag('1/env', 'prod')" } }],
        },
      ],
    });
    expect(await judge(f, create("us-east1"))).toMatchObject({ verdict: "unjudgeable", reason: "missing-context" });
  });

  it("public access prevention refuses allUsers grants; a grant with no logged policy is no-request-body", async () => {
    const f = fragment({ orgPolicies: [{ constraint: "storage.publicAccessPrevention", rules: [{ enforce: true }] }] });
    const grant = (members?: string[]) =>
      event({
        permission: "storage.buckets.setIamPolicy",
        ...(members ? { request: { policy: { bindings: [{ role: "roles/storage.objectViewer", members }] } } } : {}),
      });
    expect((await judge(f, grant(["allUsers"]))).verdict).toBe("denied");
    expect((await judge(f, grant(["user:a@example.com"]))).verdict).toBe("allowed");
    expect(await judge(f, grant())).toMatchObject({ verdict: "unjudgeable", reason: "no-request-body" });
    const off = fragment({ orgPolicies: [{ constraint: "storage.publicAccessPrevention", rules: [{ enforce: false }] }] });
    expect((await judge(off, grant(["allUsers"]))).verdict).toBe("allowed");
  });

  it("domain-restricted sharing cannot tell a member's customer from the log", async () => {
    const f = fragment({
      orgPolicies: [{ constraint: "iam.allowedPolicyMemberDomains", rules: [{ values: { allowedValues: ["C03example"] } }] }],
    });
    const grant = event({
      permission: "resourcemanager.projects.setIamPolicy",
      request: { policy: { bindings: [{ role: "roles/viewer", members: ["user:x@partner.example"] }] } },
    });
    expect(await judge(f, grant)).toMatchObject({ verdict: "unjudgeable", reason: "member-customer-unknown" });
  });

  it("dedupKey separates what changes the verdict and merges what does not", () => {
    const prepared = gcpImpact.prepare({ fragment: locations(["in:eu-locations"]), ctx });
    const a = create("us-east1");
    expect(prepared.dedupKey({ ...a, id: "other", time: "2026-12-02T00:00:00Z" })).toBe(prepared.dedupKey(a));
    expect(prepared.dedupKey(create("europe-west1"))).not.toBe(prepared.dedupKey(a));
    expect(prepared.dedupKey({ ...a, principal: { id: "user:b@example.com", type: "user" } })).not.toBe(prepared.dedupKey(a));
  });
});

describe("lockout: the connector and break-glass", () => {
  /** Every permission a control's compiled deny rules name, in the audit log's v1 form. */
  const v1 = (p: string): string => {
    const [fqdn, rest] = p.split("/");
    const prefix = fqdn!.replace(/\.googleapis\.com$/, "");
    return `${prefix === "cloudresourcemanager" ? "resourcemanager" : prefix}.${rest}`;
  };
  const REAL_CONNECTOR = "parapet-connector@parapet-prod.iam.gserviceaccount.com";

  async function verdicts(principals: unknown, actor: "connector" | "break-glass") {
    const out: { control: string; permission: string; verdict: string }[] = [];
    for (const control of listControls()) {
      const input = {
        cloud: "gcp" as const,
        mode: "enforce" as const,
        workspaceId: SCENARIO_WORKSPACE_ID,
        guardrail: SCENARIO_GUARDRAIL,
        params: {},
        principals,
        facts: SCENARIO_FACTS.gcp,
      };
      const f = compileControl(control, input).fragment;
      const c = buildContext(input);
      const who =
        actor === "connector"
          ? {
              subject: `serviceAccount:${REAL_CONNECTOR}`,
              email: REAL_CONNECTOR,
              facts: { id: `serviceAccount:${REAL_CONNECTOR}`, found: true, groups: [] },
            }
          : gcpScenarioActor("break-glass", c)!;
      const prepared = gcpImpact.prepare({ fragment: f, ctx: c });
      const perms = [...new Set(f.denyRules.flatMap((r) => r.denyRule.deniedPermissions))].map(v1);
      let n = 0;
      for (const permission of perms) {
        const e = gcpEventOf(
          gcpScenarioLogEntry(
            {
              kind: "gcp-request",
              cloud: "gcp",
              name: permission,
              actor,
              permission,
              resource: "//x.googleapis.com/projects/prod-app/r/1",
              expect: "allowed",
            },
            who,
            ++n,
          ),
        );
        const facts = new Map(prepared.principalsNeedingFacts(e).map((id) => [id, who.facts]));
        out.push({ control: control.id, permission, verdict: (await prepared.judge(e, facts)).verdict });
      }
    }
    return out;
  }

  it("with classes that name the account the connector really uses, neither is ever denied", async () => {
    const connector = await verdicts(SCENARIO_PRINCIPALS.gcp, "connector");
    const breakGlass = await verdicts(SCENARIO_PRINCIPALS.gcp, "break-glass");
    expect(connector.length).toBeGreaterThan(30);
    expect(connector.filter((v) => v.verdict !== "allowed")).toEqual([]);
    expect(breakGlass.filter((v) => v.verdict !== "allowed")).toEqual([]);
  });

  it("with a connector selector that misses the real service account, its destructive calls are denied", async () => {
    const wrong = {
      ...SCENARIO_PRINCIPALS.gcp,
      connector: ["principal://iam.googleapis.com/projects/-/serviceAccounts/old-connector@parapet-prod.iam.gserviceaccount.com"],
    };
    const denied = (await verdicts(wrong, "connector")).filter((v) => v.verdict === "denied");
    expect(denied).toContainEqual({ control: "backups-undeletable", permission: "compute.snapshots.delete", verdict: "denied" });
    expect(denied).toContainEqual({ control: "audit-logging-locked", permission: "logging.sinks.delete", verdict: "denied" });
  });
});
