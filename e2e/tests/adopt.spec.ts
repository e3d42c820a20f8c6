import { test } from "@playwright/test";
import { apiAs, needsStack, CONNECTIONS, SIMS, expect, shot, signIn, simAdmin, unique } from "./support.ts";

/** Where the AWS simulator has a policy attached now (its admin snapshot). */
async function targetsOf(policyId: string): Promise<string[] | undefined> {
  const state = (await simAdmin("aws", "GET", "/_admin/state?full=1")) as { snapshot: { attachments: Array<[string, string[]]> } };
  return state.snapshot.attachments.find(([id]) => id === policyId)?.[1];
}

test("adopt an existing SCP, approve as a second member, see it replaced", async ({ browser }) => {
  needsStack(SIMS.aws && CONNECTIONS.aws, "needs the AWS simulator connected in the demo stack");
  test.setTimeout(420_000);
  const policyId = ((await simAdmin("aws", "GET", "/_admin/find?policy=DenyRootUser")) as { id: string }).id;
  expect(await targetsOf(policyId)).toHaveLength(2);

  // A guardrail of the same control, in enforce mode, to take over (the journeys' shared workspace has none yet).
  const owner = await browser.newPage();
  await signIn(owner, "owner");
  const created = await apiAs(owner, "POST", "/guardrails", {
    controlId: "deny-root-user",
    name: unique("Root stays locked"),
    params: {},
    scope: { all: true },
    mode: "enforce",
    remediation: "auto",
  });
  expect(created.status).toBeLessThan(300);

  // The posture scan (read-only) credits the customer's DenyRootUser with the control; the stack may still be
  // discovering the organisation, so scan again until one is done.
  await expect(async () => {
    const p = (await apiAs(owner, "GET", `/connections/${CONNECTIONS.aws}/posture`)).body as {
      scan: { status: string } | null;
      controls: Array<{ controlId: string; enforcedBy: string[] }>;
    };
    const credited = p.controls.find((c) => c.controlId === "deny-root-user")?.enforcedBy ?? [];
    const idle = !p.scan || p.scan.status === "failed" || p.scan.status === "done";
    if (!credited.includes("DenyRootUser") && idle) await apiAs(owner, "POST", `/connections/${CONNECTIONS.aws}/posture`);
    expect(credited).toContain("DenyRootUser");
  }).toPass({ timeout: 240_000, intervals: [3_000, 5_000] });

  // The owner adopts it from the posture section of the connection page.
  await owner.goto(`/connections/${CONNECTIONS.aws}`);
  const panel = owner.getByTestId("posture-panel");
  await expect(panel.getByTestId("posture-scan")).toContainText("done");
  const row = panel.getByTestId("posture-controls").getByRole("row").filter({ hasText: "The root user of member accounts cannot act" });
  await row.getByRole("button", { name: "Adopt…" }).click();

  // "Adopt…": the planned change, attach-and-verify before detach, then ask for approval.
  const dialog = owner.getByRole("dialog", { name: "Adopt DenyRootUser" });
  await expect(dialog.getByTestId("adopt-plan")).toContainText("Only then detach DenyRootUser");
  await expect(dialog.getByTestId("adopt-plan")).toContainText("Read it back from AWS");
  await shot(owner, "adopt-plan");
  await dialog.getByRole("button", { name: "Ask for approval" }).click();
  await expect(dialog.getByTestId("adopt-requested")).toBeVisible();

  // The requester cannot approve it; the cloud is untouched while it waits.
  await owner.goto("/approvals");
  const mine = owner.getByTestId("approval").filter({ hasText: "Adopt DenyRootUser" });
  await expect(mine.getByTestId("own-request")).toBeVisible();
  await expect(mine.getByRole("button", { name: "Approve" })).toHaveCount(0);
  expect(await targetsOf(policyId)).toHaveLength(2);
  await owner.close();

  // A second member approves it; the worker carries it out.
  const approver = await browser.newPage();
  await signIn(approver, "approver");
  await approver.goto("/approvals");
  const card = approver.getByTestId("approval").filter({ hasText: "Adopt DenyRootUser" });
  await expect(card.getByTestId("adoption-plan")).toContainText("Only then detach DenyRootUser");
  await shot(approver, "adopt-approval");
  await card.getByRole("button", { name: "Approve" }).click();
  await expect(approver.getByTestId("approval").filter({ hasText: "Adopt DenyRootUser" })).toHaveCount(0, { timeout: 90_000 });

  // Replaced: detached from both OUs (never deleted), and the posture says adopted.
  await expect(async () => {
    expect(await targetsOf(policyId)).toEqual([]);
  }).toPass({ timeout: 180_000, intervals: [2_000, 5_000] });
  await approver.goto(`/connections/${CONNECTIONS.aws}`);
  const status = approver.getByTestId("posture-policy").filter({ hasText: "DenyRootUser" }).getByTestId("posture-policy-status");
  await expect(status).toContainText("adopted: detached from 2 target(s)");
  await shot(approver, "adopt-done");
  await approver.close();
});
