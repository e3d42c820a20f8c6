import { describe, expect, it } from "vitest";
import { AWS_DOCUMENT_OVERHEAD, canonicalStatement, minifiedStatement, packAwsPolicies, type TAwsBoundStatement } from "./packing.ts";
import { isOwnedByWorkspaceAws } from "./markers.ts";

/** A deny statement of roughly `size` minified characters. */
function stmt(guardrailId: string, sid: string, size: number, policyType: "SCP" | "RCP" = "SCP"): TAwsBoundStatement {
  const base = {
    Sid: sid,
    Effect: "Deny" as const,
    Action: ["s3:DeleteObject"],
    Resource: "*",
    Condition: { StringEquals: { "aws:PrincipalTag/x": "" } },
  };
  const pad = Math.max(0, size - minifiedStatement(base).length);
  const statement = { ...base, Condition: { StringEquals: { "aws:PrincipalTag/x": "v".repeat(pad) } } };
  return { policyType, guardrailId, statement: policyType === "RCP" ? { ...statement, Principal: "*" } : statement };
}

describe("packAwsPolicies", () => {
  it("packs many guardrails into as few policies as fit, each within the size limit", () => {
    const statements = Array.from({ length: 40 }, (_, i) => stmt(`gr${String(i).padStart(2, "0")}`, `S${String(i).padStart(2, "0")}`, 900));
    const r = packAwsPolicies({
      workspaceId: "ws1",
      targets: [{ targetId: "ou-1", statements }],
      limits: { maxPoliciesPerTarget: 10, maxPolicyChars: 10_240 },
    });
    expect(r.issues).toEqual([]);
    // 40 × ~900 chars ≈ 36,000 → at least 4 policies of 10,240; first-fit decreasing reaches that bound.
    expect(r.policies.length).toBe(Math.ceil((40 * 901) / (10_240 - AWS_DOCUMENT_OVERHEAD)));
    for (const p of r.policies) {
      expect(p.content.length).toBeLessThanOrEqual(10_240);
      expect(JSON.parse(p.content)).toEqual(p.document);
      expect(isOwnedByWorkspaceAws({ name: p.name, tags: p.tags }, "ws1")).toBe(true);
    }
    const sids = r.policies.flatMap((p) => p.document.Statement.map((s) => s.Sid));
    expect(new Set(sids).size).toBe(40);
    expect(r.attachments.every((a) => a.targetId === "ou-1")).toBe(true);
  });

  it("works under the old quotas (5 policies, 5,120 characters) and reports what does not fit", () => {
    const statements = Array.from({ length: 30 }, (_, i) => stmt(`gr${String(i).padStart(2, "0")}`, `S${String(i).padStart(2, "0")}`, 700));
    const fits = packAwsPolicies({
      workspaceId: "ws1",
      targets: [{ targetId: "ou-1", statements: statements.slice(0, 20) }],
      limits: { maxPoliciesPerTarget: 5, maxPolicyChars: 5_120 },
    });
    expect(fits.issues).toEqual([]);
    expect(fits.policies.length).toBe(3);
    expect(fits.policies.every((p) => p.content.length <= 5_120)).toBe(true);

    const tooMany = packAwsPolicies({
      workspaceId: "ws1",
      targets: [{ targetId: "ou-1", statements }],
      limits: { maxPoliciesPerTarget: 5, maxPolicyChars: 5_120 },
    });
    expect(tooMany.issues).toHaveLength(1);
    const issue = tooMany.issues[0]!;
    expect(issue.code).toBe("TARGET_SLOTS_EXCEEDED");
    if (issue.code !== "TARGET_SLOTS_EXCEEDED") throw new Error();
    expect(issue).toMatchObject({ targetId: "ou-1", needed: 5, free: 4, limit: 5, slotsTaken: 1 });
    expect(issue.guardrailIds).toHaveLength(30);
    expect(issue.message).toContain("ou-1");
    expect(issue.message).toContain("gr07");
    expect(tooMany.attachments).toEqual([]);
  });

  it("packs RCPs to the RCP quotas (5,120 characters, 5 per target), not the SCP ones", () => {
    const rcps = Array.from({ length: 12 }, (_, i) => stmt(`gr${i}`, `R${String(i).padStart(2, "0")}`, 900, "RCP"));
    const r = packAwsPolicies({ workspaceId: "ws1", targets: [{ targetId: "ou-1", statements: rcps }] });
    expect(r.issues).toEqual([]);
    const packed = r.policies.filter((p) => p.type === "RCP");
    // 12 × ~900 characters: two documents would fit the SCP size, the RCP size needs three.
    expect(packed.length).toBe(3);
    for (const p of packed) expect(p.content.length).toBeLessThanOrEqual(5_120);
    // RCPFullAWSAccess takes one of the five RCP slots: four free.
    const many = Array.from({ length: 30 }, (_, i) => stmt(`gr${i}`, `R${String(i).padStart(2, "0")}`, 900, "RCP"));
    const over = packAwsPolicies({ workspaceId: "ws1", targets: [{ targetId: "ou-1", statements: many }] });
    expect(over.issues[0]).toMatchObject({ code: "TARGET_SLOTS_EXCEEDED", policyType: "RCP", limit: 5, free: 4 });
  });

  it("respects slots already taken by other tools", () => {
    const statements = Array.from({ length: 12 }, (_, i) => stmt("gr", `S${i}`, 4000));
    const ok = packAwsPolicies({ workspaceId: "ws1", targets: [{ targetId: "ou-a", statements, slotsTaken: { SCP: 4 } }] });
    expect(ok.issues).toEqual([]);
    expect(ok.policies.length).toBe(6);
    const full = packAwsPolicies({ workspaceId: "ws1", targets: [{ targetId: "ou-a", statements, slotsTaken: { SCP: 5 } }] });
    expect(full.issues[0]).toMatchObject({ code: "TARGET_SLOTS_EXCEEDED", targetId: "ou-a", free: 5, needed: 6, slotsTaken: 5 });
  });

  it("reports a single oversize statement on its own, naming the guardrail", () => {
    const r = packAwsPolicies({
      workspaceId: "ws1",
      targets: [
        { targetId: "ou-1", statements: [stmt("big-guardrail", "Huge", 6000), stmt("small", "Small", 300)] },
        { targetId: "ou-2", statements: [stmt("big-guardrail", "Huge", 6000)] },
      ],
      limits: { maxPolicyChars: 5_120 },
    });
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({
      code: "STATEMENT_TOO_LARGE",
      sid: "Huge",
      guardrailIds: ["big-guardrail"],
      targetIds: ["ou-1", "ou-2"],
      limit: 5_120,
    });
    expect(r.issues[0]!.message).toContain("big-guardrail");
  });

  it("shares one document between targets with identical statements and keeps SCPs and RCPs apart", () => {
    const set = [stmt("g1", "A", 500), stmt("g2", "B", 500), stmt("g3", "R", 400, "RCP")];
    const r = packAwsPolicies({
      workspaceId: "ws1",
      targets: [
        { targetId: "ou-2", statements: [...set].reverse() },
        { targetId: "ou-1", statements: set },
        { targetId: "111122223333", statements: [set[0]!] },
      ],
    });
    expect(r.issues).toEqual([]);
    expect(r.policies.filter((p) => p.type === "SCP")).toHaveLength(2);
    expect(r.policies.filter((p) => p.type === "RCP")).toHaveLength(1);
    const byTarget = (t: string) => r.attachments.filter((a) => a.targetId === t).map((a) => a.policyName);
    expect(byTarget("ou-1")).toEqual(byTarget("ou-2"));
    expect(byTarget("111122223333")).toHaveLength(1);
    expect(r.policies.find((p) => p.type === "RCP")!.document.Statement[0]!.Principal).toBe("*");
  });

  it("is deterministic: input order does not change names, documents or ordering", () => {
    const statements = Array.from({ length: 25 }, (_, i) => stmt(`g${i}`, `S${i}`, 300 + ((i * 37) % 900)));
    const a = packAwsPolicies({
      workspaceId: "ws1",
      targets: [
        { targetId: "ou-1", statements },
        { targetId: "ou-0", statements },
      ],
      limits: { maxPolicyChars: 5_120 },
    });
    const b = packAwsPolicies({
      workspaceId: "ws1",
      targets: [
        { targetId: "ou-0", statements: [...statements].reverse() },
        { targetId: "ou-1", statements },
      ],
      limits: { maxPolicyChars: 5_120 },
    });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it("flags one Sid bound with two different contents", () => {
    const r = packAwsPolicies({
      workspaceId: "ws1",
      targets: [{ targetId: "ou-1", statements: [stmt("g1", "Same", 300), stmt("g2", "Same", 400)] }],
    });
    expect(r.issues[0]).toMatchObject({ code: "CONFLICTING_SID", sid: "Same", guardrailIds: ["g1", "g2"] });
  });

  it("canonicalises statements: sorted, de-duplicated, fixed key order", () => {
    const s = canonicalStatement({
      Resource: "*",
      Action: ["b:X", "a:Y", "b:X"],
      Effect: "Deny",
      Sid: "S",
      Condition: { Z: { k2: ["2", "1"], k1: "v" }, A: { x: "y" } },
    });
    expect(JSON.stringify(s)).toBe(
      '{"Sid":"S","Effect":"Deny","Action":["a:Y","b:X"],"Resource":"*","Condition":{"A":{"x":"y"},"Z":{"k1":"v","k2":["1","2"]}}}',
    );
  });
});
