import { test, type Page } from "@playwright/test";
import { needsStack, CONNECTIONS, SIMS, apiAs, expect, shot, signIn, simAdmin, unique } from "./support.ts";

interface DenyPolicy {
  id: string;
  attachmentPoint: string;
  annotations?: Record<string, string>;
}

interface Node {
  id: string;
  name: string;
  externalId: string;
  isEnvironment: boolean;
  childCount: number;
}

/** Parapet's deny policies attached at one GCP resource (e.g. "projects/…"), by their v2 resource name. */
async function ownedDenyPoliciesAt(resource: string): Promise<string[]> {
  const snap = (await simAdmin("gcp", "GET", "/_admin/snapshot")) as { denyPolicies: DenyPolicy[] };
  return snap.denyPolicies
    .filter((p) => "parapet-managed" in (p.annotations ?? {}) && decodeURIComponent(p.attachmentPoint).endsWith(`/${resource}`))
    .map((p) => `policies/${encodeURIComponent(p.attachmentPoint)}/denypolicies/${p.id}`);
}

/** Two environments (projects) of the GCP connection, walking the tree from its root. */
async function twoProjects(page: Page, connectionId: string): Promise<[Node, Node]> {
  const found: Node[] = [];
  const queue: Array<string | null> = [null];
  while (queue.length && found.length < 2) {
    const parent = queue.shift()!;
    const level = (
      (await apiAs(page, "GET", `/connections/${connectionId}/nodes?limit=200${parent ? `&parentId=${parent}` : ""}`)).body as {
        items: Node[];
      }
    ).items;
    found.push(...level.filter((n) => n.isEnvironment));
    queue.push(...level.filter((n) => n.childCount > 0).map((n) => n.id));
  }
  if (found.length < 2) throw new Error("the GCP connection needs two projects");
  return [found[0]!, found[1]!];
}

/**
 * Waits until Parapet has recorded the guardrail as enforced on the project, with its policy applied
 * there (the end of the reconcile that deployed it): a deletion seen before that is just a deploy to redo.
 */
async function waitRecorded(page: Page, nodeId: string, guardrail: string): Promise<void> {
  await expect(async () => {
    const r = (await apiAs(page, "GET", `/nodes/${nodeId}/coverage`)).body as {
      items: Array<{
        guardrail: { name: string };
        status: string | null;
        attachedAt: Array<{ here: boolean; artifacts: Array<{ state: string }> }>;
      }>;
    };
    const it = r.items.find((i) => i.guardrail.name === guardrail);
    expect(it?.status).toBe("enforced");
    expect(it?.attachedAt[0]).toMatchObject({ here: true, artifacts: [{ state: "applied" }] });
  }).toPass({ timeout: 150_000, intervals: [2_000, 5_000] });
}

async function deleteInCloud(name: string): Promise<void> {
  await simAdmin("gcp", "DELETE", `/_admin/deny-policies?name=${encodeURIComponent(name)}`, { name, actor: "mallory@example.com" });
  await simAdmin("gcp", "POST", "/_admin/events/flush", {}).catch(() => undefined);
}

/** Opens the open "missing" finding of this guardrail from the drift list. */
async function openFinding(page: Page, connectionId: string, guardrail: string): Promise<void> {
  await page.goto(`/drift?connectionId=${connectionId}&status=open`);
  const row = page
    .getByTestId("drift-list")
    .getByRole("row")
    .filter({ hasText: guardrail })
    .filter({ hasText: /missing/ })
    .first();
  await expect(row).toBeVisible({ timeout: 120_000 });
  await row.getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: "Expected vs observed" })).toBeVisible();
}

test("drift of a notify guardrail waits for a person: re-apply now repairs it, exempt goes through approval", async ({ browser }) => {
  needsStack(SIMS.gcp && CONNECTIONS.gcp, "needs the GCP simulator connected in the demo stack");
  test.setTimeout(420_000);
  const gcp = CONNECTIONS.gcp!;
  const owner = await browser.newPage();
  await signIn(owner, "owner");

  // Guardrails that only notify on drift, each on one project (so each deny policy is its own).
  const [p1, p2] = await twoProjects(owner, gcp);
  const guardrailOn = async (project: Node, label: string) => {
    const name = unique(label);
    const created = await apiAs(owner, "POST", "/guardrails", {
      controlId: "audit-logging-locked",
      name,
      params: {},
      scope: { nodeIds: [project.id] },
      mode: "enforce",
      remediation: "notify",
    });
    expect(created.status, JSON.stringify(created.body)).toBeLessThan(300);
    return name;
  };
  const reapplied = await guardrailOn(p1, "Audit logs stay on (notify, re-apply)");
  const exempted = await guardrailOn(p2, "Audit logs stay on (notify, exempt)");
  await waitRecorded(owner, p1.id, reapplied);
  await waitRecorded(owner, p2.id, exempted);

  // Someone deletes the first; notify means the finding stays open until a person acts.
  await deleteInCloud((await ownedDenyPoliciesAt(p1.externalId))[0]!);
  await openFinding(owner, gcp, reapplied);
  await expect(owner.getByTestId("drift-status")).toContainText("Open since");
  await owner.waitForTimeout(8_000);
  await expect(owner.getByTestId("drift-status")).toContainText("Open since");
  expect(await ownedDenyPoliciesAt(p1.externalId)).toHaveLength(0);
  await shot(owner, "drift-detail-open");
  await owner.getByRole("button", { name: "Re-apply now" }).click();
  await expect(owner.getByTestId("drift-status")).toContainText("Resolved", { timeout: 120_000 });
  await expect(async () => {
    expect(await ownedDenyPoliciesAt(p1.externalId)).toHaveLength(1);
  }).toPass({ timeout: 30_000 });

  // The second is deleted too: this time the owner asks for an exemption for its project instead.
  await deleteInCloud((await ownedDenyPoliciesAt(p2.externalId))[0]!);
  await openFinding(owner, gcp, exempted);
  await owner.getByRole("button", { name: "Exempt…" }).click();
  const picker = owner.getByTestId("exempt-node-picker");
  await picker.getByLabel("Find an environment or folder").fill(p2.name);
  await picker
    .getByRole("radio", { name: new RegExp(p2.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) })
    .first()
    .check();
  const reason = unique("logging moves to the new sink");
  await owner.getByLabel("Reason").fill(reason);
  await owner.getByRole("button", { name: "Request exemption" }).click();
  await expect(owner.getByText("Exemption requested")).toBeVisible();
  await shot(owner, "drift-detail-exempt-requested");
  const driftUrl = owner.url();

  // A second member approves; the project is carved out and the finding resolves.
  const approver = await browser.newPage();
  await signIn(approver, "approver");
  await approver.goto("/approvals");
  const card = approver.getByTestId("approval").filter({ hasText: reason });
  await expect(card).toBeVisible();
  await card.getByRole("button", { name: "Approve" }).click();
  await expect(approver.getByTestId("approval").filter({ hasText: reason })).toHaveCount(0, { timeout: 90_000 });
  await approver.close();

  await owner.goto(driftUrl);
  await expect(owner.getByTestId("drift-status")).toContainText("Resolved", { timeout: 150_000 });
  await owner.goto("/exemptions");
  await expect(owner.getByText(reason)).toBeVisible();
  await owner.close();
});
