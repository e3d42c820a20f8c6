import { test } from "@playwright/test";
import { needsStack, CONNECTIONS, SIMS, expect, shot, signIn, simAdmin } from "./support.ts";

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

  // The owner sees the customer's DenyRootUser credited with "deny root user" in the posture section.
  const owner = await browser.newPage();
  await signIn(owner, "owner");
  await owner.goto(`/connections/${CONNECTIONS.aws}`);
  const panel = owner.getByTestId("posture-panel");
  await panel.getByRole("button", { name: /Scan again|Scan posture/ }).click();
  await expect(panel.getByTestId("posture-scan")).toContainText("done", { timeout: 150_000 });
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
