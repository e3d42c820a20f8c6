import { describe, expect, it } from "vitest";
import { attachmentPoints, buildTree, effectiveLabels, selectEnvironments, type TreeNode } from "./select.ts";

// root ─ prod ─ p1, p2      (env=prod)
//      ├ dev  ─ d1, d2      (env=dev)
//      ├ empty              (no environments)
//      └ s1                 (env=sandbox, an account directly under root)
type Raw = { id: string; parentId: string | null; cloudLabels: Record<string, string>; overrides: Record<string, string | null> };
const raw: Raw[] = [
  { id: "root", parentId: null, cloudLabels: {}, overrides: {} },
  { id: "prod", parentId: "root", cloudLabels: { env: "prod" }, overrides: {} },
  { id: "p1", parentId: "prod", cloudLabels: { data: "regulated" }, overrides: {} },
  { id: "p2", parentId: "prod", cloudLabels: {}, overrides: {} },
  { id: "dev", parentId: "root", cloudLabels: { env: "dev" }, overrides: {} },
  { id: "d1", parentId: "dev", cloudLabels: {}, overrides: {} },
  { id: "d2", parentId: "dev", cloudLabels: {}, overrides: { env: "prod" } },
  { id: "empty", parentId: "root", cloudLabels: {}, overrides: {} },
  { id: "s1", parentId: "root", cloudLabels: { env: "sandbox" }, overrides: {} },
];
const labels = effectiveLabels(raw);
const envs = new Set(["p1", "p2", "d1", "d2", "s1"]);
const tree = buildTree(
  raw.map((n): TreeNode => ({ id: n.id, parentId: n.parentId, isEnvironment: envs.has(n.id), labels: labels.get(n.id)! })),
);

describe("effective labels", () => {
  it("inherit down the tree and yield to overrides", () => {
    expect(labels.get("p1")).toEqual({ env: "prod", data: "regulated" });
    expect(labels.get("d2")).toEqual({ env: "prod" });
    expect(labels.get("d1")).toEqual({ env: "dev" });
  });
  it("an override of null removes an inherited label", () => {
    const l = effectiveLabels([
      { id: "a", parentId: null, cloudLabels: { env: "prod" }, overrides: {} },
      { id: "b", parentId: "a", cloudLabels: {}, overrides: { env: null } },
    ]);
    expect(l.get("b")).toEqual({});
  });
});

describe("selection and attachment points", () => {
  it("all environments attach once at the root", () => {
    const sel = selectEnvironments(tree, { all: true });
    expect([...sel].sort()).toEqual(["d1", "d2", "p1", "p2", "s1"]);
    expect(attachmentPoints(tree, sel)).toEqual(["root"]);
  });
  it("a label selection attaches at the fullest subtrees", () => {
    const sel = selectEnvironments(tree, { labels: "env=prod" });
    expect([...sel].sort()).toEqual(["d2", "p1", "p2"]);
    expect(attachmentPoints(tree, sel)).toEqual(["d2", "prod"]);
  });
  it("node ids select subtrees; exclusions and exemptions carve out", () => {
    expect([...selectEnvironments(tree, { nodeIds: ["prod", "dev"], exclude: ["d1"] })].sort()).toEqual(["d2", "p1", "p2"]);
    const sel = selectEnvironments(tree, { all: true }, ["p2"]);
    expect(attachmentPoints(tree, sel)).toEqual(["dev", "p1", "s1"]);
  });
  it("selecting nothing attaches nowhere", () => {
    const sel = selectEnvironments(tree, { labels: "env=nowhere" });
    expect(sel.size).toBe(0);
    expect(attachmentPoints(tree, sel)).toEqual([]);
  });
  it("handles a 10,000-environment tree without recursion limits", () => {
    const nodes: TreeNode[] = [{ id: "r", parentId: null, isEnvironment: false, labels: {} }];
    let parent = "r";
    for (let d = 0; d < 5; d++) {
      nodes.push({ id: `ou${d}`, parentId: parent, isEnvironment: false, labels: {} });
      parent = `ou${d}`;
    }
    for (let i = 0; i < 10_000; i++)
      nodes.push({ id: `a${i}`, parentId: i % 2 ? parent : "r", isEnvironment: true, labels: { n: String(i % 3) } });
    const t = buildTree(nodes);
    const sel = selectEnvironments(t, { labels: "n=0" });
    expect(sel.size).toBe(3334);
    expect(attachmentPoints(t, sel)).toHaveLength(3334);
    expect(attachmentPoints(t, selectEnvironments(t, { all: true }))).toEqual(["r"]);
  });
});
