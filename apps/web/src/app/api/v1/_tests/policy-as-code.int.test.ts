/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * Issue 20, "Done means": the CLI's `plan`, `apply` and `export` against a running web app. The app's
 * real /api/v1 route handlers are served over real HTTP on a free port (the listener is node:http; the
 * handlers, database, Redis and better-auth tokens are the product's), and the CLI runs its real
 * code path: argument parsing, file reading, fetch with `Authorization: Bearer`, rendering, exit codes.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { call, createWorkspace, snapshot, type TestWorkspace } from "./harness.ts";
import { cliAgainst, serveApi } from "./cli-server.ts";

const prisma = getPrisma();
let w: TestWorkspace;
let server: Awaited<ReturnType<typeof serveApi>> | undefined;
let url: string;
const dir = mkdtempSync(join(tmpdir(), "parapet-pac-"));
const tokens: Record<"read" | "plan" | "apply", string> = { read: "", plan: "", apply: "" };
const ids: Record<"root" | "leave" | "wildcard", string> = { root: "", leave: "", wildcard: "" };

async function cli(token: string, argv: string[], sleep?: () => Promise<void>) {
  return cliAgainst(url, token, argv, sleep);
}

const create = async (controlId: string, name: string, mode: "audit" | "enforce") => {
  const r = await call("POST", "/guardrails", {
    key: w.members.owner.key,
    body: { controlId, name, params: {}, scope: { all: true }, mode, remediation: "notify" },
  });
  if (r.status !== 201) throw new Error(r.text);
  return r.body.id as string;
};

beforeAll(async () => {
  w = await createWorkspace(prisma, "Policy as code");
  for (const scope of ["read", "plan", "apply"] as const) {
    const t = await call("POST", "/tokens", {
      key: w.members.admin.key,
      body: { name: `ci ${scope}`, role: "author", scope, type: "ci", expiresInDays: 30 },
    });
    if (t.status !== 201) throw new Error(t.text);
    tokens[scope] = t.body.token;
  }
  ids.root = await create("deny-root-user", "No root", "enforce");
  ids.leave = await create("deny-leave-organization", "Stay in the org", "audit");
  ids.wildcard = await create("no-wildcard-admin", "No wildcard admin", "audit");
  server = await serveApi();
  url = server.url;
}, 120_000);
afterAll(async () => {
  await server?.close();
  await prisma.$disconnect();
});

const file = (name: string) => join(dir, name);
type Doc = { version: 1; guardrails: Record<string, unknown>[]; exemptions?: unknown[] };

describe("parapet export → plan → apply against a running web app", () => {
  it("an unchanged export plans as no changes (exit 0), in every format", async () => {
    const exp = await cli(tokens.read, ["export", "--out", file("export.yaml")]);
    expect(exp.code, exp.err).toBe(0);
    const json = await cli(tokens.read, ["export", "--format", "json", "--out", file("export.json")]);
    expect(json.code, json.err).toBe(0);
    const doc = JSON.parse(readFileSync(file("export.json"), "utf8")) as Doc;
    expect(doc.guardrails.map((g) => g.key).sort()).toEqual(Object.values(ids).sort());
    for (const [format, exported] of [
      ["human", "export.yaml"],
      ["markdown", "export.yaml"],
      ["json", "export.json"],
    ] as const) {
      const p = await cli(tokens.plan, ["plan", file(exported), "--format", format]);
      expect(p.code, p.err).toBe(0);
      if (format === "json") expect(JSON.parse(p.out).summary).toMatchObject({ add: 0, change: 0, weaken: 0, remove: 0, unchanged: 3 });
      else expect(p.out).toContain("No changes");
    }
  });

  it("reports add, change, weaken and remove each (exit 3), with compiled previews for the new and changed", async () => {
    const doc = JSON.parse(readFileSync(file("export.json"), "utf8")) as Doc;
    doc.guardrails = doc.guardrails
      .filter((g) => g.key !== ids.wildcard)
      .map((g) => (g.key === ids.root ? { ...g, mode: "audit" } : g.key === ids.leave ? { ...g, mode: "enforce" } : g));
    doc.guardrails.push({
      key: "protect-labels",
      control: "protect-guardrail-labels",
      name: "Labels stay",
      mode: "enforce",
      remediation: "notify",
      scope: { all: true },
    });
    writeFileSync(file("changed.json"), JSON.stringify(doc));
    const p = await cli(tokens.plan, ["plan", file("changed.json"), "--format", "json"]);
    expect(p.code, p.err).toBe(3);
    const plan = JSON.parse(p.out);
    const action = (k: string) => plan.entries.find((e: { key: string }) => e.key === k);
    expect(plan.summary).toMatchObject({ add: 1, change: 1, weaken: 1, remove: 1, unchanged: 0 });
    expect(action("protect-labels").action).toBe("add");
    expect(Object.keys(action("protect-labels").compiled).length).toBeGreaterThan(0);
    expect(action(ids.leave)).toMatchObject({ action: "change", changes: [{ field: "mode", from: "audit", to: "enforce" }] });
    expect(action(ids.root)).toMatchObject({ action: "weaken", reasons: ["mode: enforce → audit"] });
    expect(action(ids.wildcard).action).toBe("remove");
    const withImpact = await cli(tokens.plan, ["plan", file("changed.json"), "--format", "json", "--no-compiled", "--impact"]);
    const leave = JSON.parse(withImpact.out).entries.find((e: { key: string }) => e.key === ids.leave);
    expect(leave.compiled).toBeUndefined();
    expect(leave.impact).toEqual([]); // no connection in its scope: nothing to replay
    const md = await cli(tokens.plan, ["plan", file("changed.json"), "--format", "markdown", "--no-compiled"]);
    expect(md.code).toBe(3);
    expect(md.out).toContain("| ⚠️ weaken |");
    expect(md.out).toContain("| 🗑️ remove |");
  });

  it("a read-only or plan-scoped token cannot apply; nothing changes", async () => {
    const before = await snapshot(prisma, w.id);
    for (const t of [tokens.read, tokens.plan]) {
      const r = await cli(t, ["apply", file("changed.json")]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/403 token scope: /);
    }
    expect(await snapshot(prisma, w.id)).toEqual(before);
  });

  it("apply: add and strengthen take effect; the weakening and the removal wait for a second member (exit 4)", async () => {
    const r = await cli(tokens.apply, ["apply", file("changed.json")]);
    expect(r.code, r.err + r.out).toBe(4);
    expect(r.out).toMatch(/pending\s+\S+ \(weaken\): approval \S+ http/);
    const g = async (id: string) => (await call("GET", "/guardrails/{id}", { key: w.members.viewer.key, params: { id } })).body;
    expect((await g(ids.leave)).mode).toBe("enforce");
    expect((await g(ids.root)).mode).toBe("enforce"); // not yet: waits for approval
    expect((await g(ids.wildcard)).status).toBe("active");
    const created = await prisma.guardrailCodeSource.findFirst({ where: { workspaceId: w.id, key: "protect-labels" } });
    expect(created).toMatchObject({ repo: "https://github.com/acme/guardrails", commit: "c0ffee1234567890" });
    const approvals = await prisma.approval.findMany({ where: { workspaceId: w.id, status: "pending" } });
    expect(approvals.map((a) => a.subjectId).sort()).toEqual([ids.root, ids.wildcard].sort());
    // The token's owner (an admin) cannot approve their own pipeline's request.
    const self = await call("POST", "/approvals/{id}/approve", { key: w.members.admin.key, params: { id: approvals[0]!.id }, body: {} });
    expect(self.status).toBe(403);
  });

  it("apply --wait reuses the pending approvals, waits for the second member, and exits 0; the plan is then empty", async () => {
    const approveAll = async () => {
      const pending = await prisma.approval.findMany({ where: { workspaceId: w.id, status: "pending" } });
      for (const a of pending) {
        const ok = await call("POST", "/approvals/{id}/approve", { key: w.members.approver.key, params: { id: a.id }, body: {} });
        expect(ok.status, ok.text).toBe(200);
      }
    };
    const before = await prisma.approval.count({ where: { workspaceId: w.id } });
    const r = await cli(tokens.apply, ["apply", file("changed.json"), "--wait", "--poll", "1", "--timeout", "600"], approveAll);
    expect(r.code, r.err + r.out).toBe(0);
    expect(r.out).toMatch(/approved\s+/);
    expect(await prisma.approval.count({ where: { workspaceId: w.id } })).toBe(before);
    const root = await call("GET", "/guardrails/{id}", { key: w.members.viewer.key, params: { id: ids.root } });
    expect(root.body.mode).toBe("audit");
    const p = await cli(tokens.plan, ["plan", file("changed.json")]);
    expect(p.code, p.out).toBe(0);
  });

  it("a managed guardrail is read-only on the API except emergency disable, which then shows as drift", async () => {
    const detail = await call("GET", "/guardrails/{id}", { key: w.members.viewer.key, params: { id: ids.leave } });
    expect(detail.body.managedInCode).toMatchObject({
      key: ids.leave,
      repo: "https://github.com/acme/guardrails",
      commit: "c0ffee1234567890",
    });
    const before = await snapshot(prisma, w.id);
    for (const [method, path, body] of [
      ["POST", "/guardrails/{id}/enable", undefined],
      ["POST", "/guardrails/{id}/rollout", { stages: [{ kind: "everywhere", soakMinutes: 60 }] }],
    ] as const) {
      const r = await call(method, path, { key: w.members.owner.key, params: { id: ids.leave }, ...(body ? { body } : {}) });
      expect(r.status, `${path}: ${r.text}`).toBe(409);
    }
    const patch = await call("PATCH", "/guardrails/{id}", { key: w.members.owner.key, params: { id: ids.leave }, body: { mode: "audit" } });
    expect(patch.status).toBe(409);
    expect(patch.body.error.message).toMatch(/^guardrail: managed in code \(https:\/\/github.com\/acme\/guardrails@c0ffee123456/);
    const del = await call("DELETE", "/guardrails/{id}", { key: w.members.owner.key, params: { id: ids.leave } });
    expect(del.status).toBe(409);
    expect(await snapshot(prisma, w.id)).toEqual(before);
    const disable = await call("POST", "/guardrails/{id}/disable", { key: w.members.owner.key, params: { id: ids.leave } });
    expect(disable.status, disable.text).toBeLessThan(300);
    const ok = await call("POST", "/approvals/{id}/approve", { key: w.admin2.key, params: { id: disable.body.approval.id }, body: {} });
    expect(ok.status, ok.text).toBe(200);
    const p = await cli(tokens.plan, ["plan", file("changed.json"), "--format", "json"]);
    expect(p.code).toBe(3);
    const e = JSON.parse(p.out).entries.find((x: { key: string }) => x.key === ids.leave);
    expect(e).toMatchObject({ action: "change", changes: [{ field: "enabled", from: false, to: true }] });
    expect(e.drift).toMatch(/^changed in the workspace since it was applied from https:\/\/github.com\/acme\/guardrails@c0ffee123456/);
  });

  it("bad documents are refused by the server naming the field, nothing changed", async () => {
    const before = await snapshot(prisma, w.id);
    const r = await call("POST", "/code/apply", {
      key: tokens.apply,
      body: {
        document: {
          version: 1,
          guardrails: [
            { key: ids.root, control: "deny-leave-organization", name: "x", mode: "audit", remediation: "auto", scope: { all: true } },
          ],
        },
      },
    });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toMatch(/^document\.guardrails\.0\.control: /);
    const entry = { key: "new-one", control: "deny-root-user", name: "x", mode: "audit", remediation: "auto", scope: { all: true } };
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ ...entry, control: "no-such-control" }, /^document\.guardrails\.0\.control: /],
      [{ ...entry, params: { nope: 1 } }, /^document\.guardrails\.0\.params/],
      [{ ...entry, scope: { nodeIds: ["nope"] } }, /^document\.guardrails\.0\.scope\.nodeIds\.0: no node "nope"/],
      [{ ...entry, scope: { labels: "env=(" } }, /^document\.guardrails\.0\.scope\.labels/],
      [{ ...entry, enabled: false }, /^document\.guardrails\.0\.enabled: a new guardrail starts enabled/],
      [{ ...entry, key: "Bad Key" }, /^document\.guardrails\.0\.key: /],
    ];
    for (const [g, message] of bad) {
      for (const path of ["/code/plan", "/code/apply"] as const) {
        const res = await call("POST", path, { key: tokens.apply, body: { document: { version: 1, guardrails: [g] } } });
        expect(res.status, `${path} ${JSON.stringify(g)}: ${res.text}`).toBe(422);
        expect(res.body.error.message).toMatch(message);
      }
    }
    const hash = await call("POST", "/code/apply", {
      key: tokens.apply,
      body: { document: { version: 1, guardrails: [] }, planHash: "0".repeat(64) },
    });
    expect(hash.status).toBe(409);
    expect(hash.body.error.message).toMatch(/^planHash: /);
    expect(await snapshot(prisma, w.id)).toEqual(before);
  });
});

describe("exemptions in the document: compared by plan, requested by apply through the two-person approval", () => {
  let x: TestWorkspace;
  const t: Record<"plan" | "apply", string> = { plan: "", apply: "" };
  let guardrailId = "";
  const day = 86_400_000;
  const BOT = "arn:aws:iam::123456789012:role/release-bot";
  const DEPLOYER = "arn:aws:iam::123456789012:role/deployer";
  const planJson = async (d: Doc) => {
    writeFileSync(file("ex.json"), JSON.stringify(d));
    const p = await cli(t.plan, ["plan", file("ex.json"), "--format", "json", "--no-compiled"]);
    return { code: p.code, err: p.err, plan: p.out ? JSON.parse(p.out) : null };
  };
  const exported = async () => (await call("GET", "/code/export", { key: t.plan })).body.document as Doc;
  const exemptionsOf = (status?: "active" | "pending_approval" | "revoked") =>
    prisma.exemption.findMany({ where: { workspaceId: x.id, ...(status ? { status } : {}) }, orderBy: { createdAt: "asc" } });

  beforeAll(async () => {
    x = await createWorkspace(prisma, "Policy as code exemptions");
    for (const scope of ["plan", "apply"] as const) {
      const r = await call("POST", "/tokens", {
        key: x.members.admin.key,
        body: { name: `ci ${scope}`, role: "author", scope, type: "ci", expiresInDays: 30 },
      });
      if (r.status !== 201) throw new Error(r.text);
      t[scope] = r.body.token;
    }
    const g = await call("POST", "/guardrails", {
      key: x.members.owner.key,
      body: {
        controlId: "deny-leave-organization",
        name: "Stay",
        params: {},
        scope: { all: true },
        mode: "enforce",
        remediation: "notify",
      },
    });
    if (g.status !== 201) throw new Error(g.text);
    guardrailId = g.body.id;
    // One exemption made in the console and approved by a second member.
    const e = await call("POST", "/exemptions", {
      key: x.members.author.key,
      body: {
        guardrailId,
        principal: { cloud: "aws", id: BOT },
        reason: "the release bot leaves sandbox accounts",
        ownerEmail: "platform@example.test",
        expiresAt: new Date(Date.now() + 20 * day).toISOString(),
      },
    });
    if (e.status !== 202) throw new Error(e.text);
    const ok = await call("POST", "/approvals/{id}/approve", { key: x.members.approver.key, params: { id: e.body.approval.id }, body: {} });
    if (ok.status !== 200) throw new Error(ok.text);
  });

  it("round trip: export → plan reports no changes, exemptions included (exit 0)", async () => {
    const exp = await cli(t.plan, ["export", "--out", file("ex-export.yaml")]);
    expect(exp.code, exp.err).toBe(0);
    expect(readFileSync(file("ex-export.yaml"), "utf8")).toContain(`id: ${BOT}`);
    const p = await cli(t.plan, ["plan", file("ex-export.yaml"), "--format", "json"]);
    expect(p.code, p.err + p.out).toBe(0);
    const plan = JSON.parse(p.out);
    expect(plan.summary.exemptions).toEqual({ add: 0, change: 0, remove: 0, unchanged: 1 });
    expect(plan.exemptions[0]).toMatchObject({
      index: 0,
      guardrail: guardrailId,
      action: "unchanged",
      principal: { cloud: "aws", id: BOT },
    });
    const human = await cli(t.plan, ["plan", file("ex-export.yaml")]);
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/^No changes\./);
  });

  it("a document without an exemptions list leaves exemptions out of the plan", async () => {
    const { exemptions: _omitted, ...doc } = await exported();
    const { code, plan } = await planJson(doc);
    expect(code).toBe(0);
    expect(plan.summary.exemptions).toBeUndefined();
    expect(plan.exemptions).toBeUndefined();
  });

  it("apply requests a new exemption for approval: not in effect until a second member approves (exit 4, then 0)", async () => {
    const doc = await exported();
    doc.exemptions!.push({
      guardrail: guardrailId,
      principal: { cloud: "aws", id: DEPLOYER },
      reason: "the deployer retires old accounts this sprint",
      ownerEmail: "platform@example.test",
      expiresAt: new Date(Date.now() + 14 * day).toISOString(),
    });
    const before = await snapshot(prisma, x.id);
    const { code, plan } = await planJson(doc);
    expect(code).toBe(3);
    expect(plan.summary.exemptions).toEqual({ add: 1, change: 0, remove: 0, unchanged: 1 });
    expect(plan.exemptions[1]).toMatchObject({ index: 1, action: "add", principal: { cloud: "aws", id: DEPLOYER } });
    expect(await snapshot(prisma, x.id)).toEqual(before); // plan changes nothing

    const r = await cli(t.apply, ["apply", file("ex.json")]);
    expect(r.code, r.err + r.out).toBe(4);
    expect(r.out).toMatch(/pending\s+exemption \S+ aws principal arn:aws:iam::123456789012:role\/deployer \(add\): approval \S+ http/);
    const requested = (await exemptionsOf()).find((e) => e.principal === DEPLOYER)!;
    expect(requested.status).toBe("pending_approval"); // never granted by apply
    const approval = await prisma.approval.findFirstOrThrow({ where: { workspaceId: x.id, subjectId: requested.id } });
    expect(approval).toMatchObject({ action: "exemption.create", status: "pending" });
    // Applying again waits on the same request rather than asking twice.
    const again = await cli(t.apply, ["apply", file("ex.json")]);
    expect(again.code).toBe(4);
    expect(await prisma.approval.count({ where: { workspaceId: x.id, subjectType: "exemption", status: "pending" } })).toBe(1);
    const planned = await planJson(doc);
    expect(planned.code).toBe(0);
    expect(planned.plan.exemptions[1]).toMatchObject({ action: "unchanged", pendingApproval: approval.id });
    // The token's owner cannot approve their own pipeline's request; a second member can.
    const self = await call("POST", "/approvals/{id}/approve", { key: x.members.admin.key, params: { id: approval.id }, body: {} });
    expect(self.status).toBe(403);
    expect((await exemptionsOf("active")).map((e) => e.principal)).toEqual([BOT]);
    const ok = await call("POST", "/approvals/{id}/approve", { key: x.members.approver.key, params: { id: approval.id }, body: {} });
    expect(ok.status, ok.text).toBe(200);
    expect((await exemptionsOf("active")).map((e) => e.principal).sort()).toEqual([BOT, DEPLOYER].sort());
    const done = await cli(t.apply, ["apply", file("ex.json")]);
    expect(done.code, done.out).toBe(0);
  });

  it("a changed expiry is requested anew; the exemption in force stays until that is approved", async () => {
    const doc = await exported();
    const i = doc.exemptions!.findIndex((e) => (e as { principal?: { id: string } }).principal?.id === BOT);
    const later = new Date(Date.now() + 25 * day).toISOString();
    doc.exemptions![i] = { ...(doc.exemptions![i] as object), expiresAt: later };
    const { plan } = await planJson(doc);
    expect(plan.exemptions[i]).toMatchObject({ action: "change", changes: [{ field: "expiresAt", to: later }] });
    const r = await cli(t.apply, ["apply", file("ex.json")]);
    expect(r.code, r.out).toBe(4);
    const bot = (await exemptionsOf()).filter((e) => e.principal === BOT);
    expect(bot.map((e) => e.status).sort()).toEqual(["active", "pending_approval"]);
    // Re-applied before the approval: the active one is kept, the request waited on.
    expect((await cli(t.apply, ["apply", file("ex.json")])).code).toBe(4);
    expect((await exemptionsOf()).filter((e) => e.principal === BOT && e.status === "active")).toHaveLength(1);
    const pending = bot.find((e) => e.status === "pending_approval")!;
    const a = await prisma.approval.findFirstOrThrow({ where: { subjectId: pending.id } });
    expect((await call("POST", "/approvals/{id}/approve", { key: x.members.approver.key, params: { id: a.id }, body: {} })).status).toBe(
      200,
    );
    // After approval the older one is the file's leftover: the next apply revokes it (no approval needed).
    const after = await planJson(doc);
    expect(after.plan.summary.exemptions).toMatchObject({ add: 0, change: 0, remove: 1 });
    expect((await cli(t.apply, ["apply", file("ex.json")])).code).toBe(0);
    const left = (await exemptionsOf("active")).filter((e) => e.principal === BOT);
    expect(left.map((e) => e.expiresAt.toISOString())).toEqual([later]);
  });

  it("an exemption removed from the file is revoked at once (it restores protection), without an approval", async () => {
    const doc = await exported();
    doc.exemptions = [];
    const approvals = await prisma.approval.count({ where: { workspaceId: x.id } });
    const { plan } = await planJson(doc);
    expect(plan.summary.exemptions).toEqual({ add: 0, change: 0, remove: 2, unchanged: 0 });
    const r = await cli(t.apply, ["apply", file("ex.json")]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/revoked\s+exemption /);
    expect(await exemptionsOf("active")).toEqual([]);
    expect(await prisma.approval.count({ where: { workspaceId: x.id } })).toBe(approvals);
    expect(await prisma.auditEvent.count({ where: { workspaceId: x.id, action: "exemption.revoked" } })).toBe(3);
  });

  it("refuses what an exemption request would, naming document.exemptions.<i>.<field>; nothing changes", async () => {
    const doc = await exported();
    const entry = {
      guardrail: guardrailId,
      principal: { cloud: "aws", id: DEPLOYER },
      reason: "needed for the migration",
      ownerEmail: "platform@example.test",
      expiresAt: new Date(Date.now() + 10 * day).toISOString(),
    };
    const before = await snapshot(prisma, x.id);
    const bad: [Record<string, unknown>, RegExp][] = [
      [
        { ...entry, principal: { cloud: "azure", id: "11111111-1111-4111-8111-111111111111" } },
        /^document\.exemptions\.0\.principal\.cloud: Azure Policy cannot/,
      ],
      [
        { ...entry, principal: { cloud: "aws", id: "arn:aws:iam::123456789012:role/*" } },
        /^document\.exemptions\.0\.principal\.id: must be one IAM role/,
      ],
      [
        { ...entry, principal: { cloud: "gcp", id: "principalSet://goog/group/all@example.com" } },
        /^document\.exemptions\.0\.principal\.id: /,
      ],
      [
        { ...entry, expiresAt: new Date(Date.now() + 40 * day).toISOString() },
        /^document\.exemptions\.0\.expiresAt: must be at most 30 days from now/,
      ],
      [{ ...entry, expiresAt: new Date(Date.now() - day).toISOString() }, /^document\.exemptions\.0\.expiresAt: must be in the future/],
      [{ ...entry, expiresAt: "tomorrow" }, /^document\.exemptions\.0\.expiresAt: /],
      [{ ...entry, principal: undefined, nodeId: "node_nope" }, /^document\.exemptions\.0\.nodeId: no node "node_nope"/],
      [{ ...entry, nodeId: "node_nope" }, /^document\.exemptions\.0\.nodeId: give exactly one of nodeId/],
      [{ ...entry, guardrail: "not-listed" }, /^document\.exemptions\.0\.guardrail: no guardrail with key "not-listed"/],
      [{ ...entry, reason: "x" }, /^document\.exemptions\.0\.reason: /],
      [{ ...entry, ownerEmail: "nobody" }, /^document\.exemptions\.0\.ownerEmail: /],
      [{ ...entry, granted: true }, /^document\.exemptions\.0/],
    ];
    for (const [e, message] of bad) {
      for (const path of ["/code/plan", "/code/apply"] as const) {
        const res = await call("POST", path, { key: t.apply, body: { document: { ...doc, exemptions: [e] } } });
        expect(res.status, `${path} ${JSON.stringify(e)}: ${res.text}`).toBe(422);
        expect(res.body.error.message).toMatch(message);
      }
    }
    expect(await snapshot(prisma, x.id)).toEqual(before);
    // The workspace's maximum is a setting: raised to 60 days, a 40-day exemption plans.
    const s = await call("PATCH", "/notifications/settings", { key: x.members.admin.key, body: { exemptionMaxDays: 60 } });
    expect(s.status, s.text).toBe(200);
    const ok = await call("POST", "/code/plan", {
      key: t.plan,
      body: { document: { ...doc, exemptions: [{ ...entry, expiresAt: new Date(Date.now() + 40 * day).toISOString() }] } },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.summary.exemptions).toMatchObject({ add: 1 });
  });

  it("an exemption of a guardrail the same document adds is requested once the guardrail exists", async () => {
    const doc = await exported();
    doc.guardrails.push({
      key: "no-root",
      control: "deny-root-user",
      name: "No root",
      mode: "enforce",
      remediation: "notify",
      scope: { all: true },
    });
    doc.exemptions = [
      {
        guardrail: "no-root",
        principal: { cloud: "aws", id: BOT },
        reason: "the bootstrap runbook signs in as root once",
        ownerEmail: "platform@example.test",
        expiresAt: new Date(Date.now() + 5 * day).toISOString(),
      },
    ];
    const { plan } = await planJson(doc);
    expect(plan.exemptions).toEqual([expect.objectContaining({ guardrail: "no-root", guardrailId: null, action: "add" })]);
    const r = await cli(t.apply, ["apply", file("ex.json")]);
    expect(r.code, r.out).toBe(4);
    const created = await prisma.guardrailCodeSource.findFirstOrThrow({ where: { workspaceId: x.id, key: "no-root" } });
    const e = await prisma.exemption.findFirstOrThrow({ where: { workspaceId: x.id, guardrailId: created.guardrailId } });
    expect(e).toMatchObject({ status: "pending_approval", principal: BOT });
  });
});
