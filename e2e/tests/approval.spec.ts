import { test } from "@playwright/test";
import { apiAs, expect, shot, signIn, unique } from "./support.ts";

test("a weakening change waits for a second member's approval", async ({ browser }) => {
  test.setTimeout(300_000);
  const author = await browser.newPage();
  await signIn(author, "owner");
  const name = unique("Backups stay");
  const created = await apiAs(author, "POST", "/guardrails", {
    controlId: "backups-undeletable",
    name,
    params: {},
    scope: { all: true },
    mode: "enforce",
    remediation: "auto",
  });
  expect(created.status).toBeLessThan(300);
  const id = (created.body as { id: string }).id;

  await author.goto(`/guardrails/${id}`);
  await author.getByLabel("Mode", { exact: true }).selectOption("audit");
  await expect(author.getByRole("note")).toContainText("enforce → audit");
  await author.getByLabel("Change note").fill("noisy in staging");
  await author.getByRole("button", { name: "Save changes" }).click();
  await expect(author.getByTestId("save-result")).toContainText("waits for a second member's approval");
  await author.reload();
  await expect(author.getByTestId("approval-pending")).toBeVisible();
  await expect(author.getByText("enforce", { exact: true }).first()).toBeVisible();

  // The requester cannot approve their own change.
  await author.goto("/approvals");
  const mine = author.getByTestId("approval").filter({ hasText: name });
  await expect(mine.getByTestId("own-request")).toBeVisible();
  await expect(mine.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await author.close();

  const approver = await browser.newPage();
  await signIn(approver, "approver");
  await approver.goto("/approvals");
  const card = approver.getByTestId("approval").filter({ hasText: name });
  await expect(card).toContainText("enforce");
  await shot(approver, "approval-inbox");
  await card.getByRole("button", { name: "Approve" }).click();
  await expect(approver.getByTestId("approval").filter({ hasText: name })).toHaveCount(0, { timeout: 90_000 });

  await approver.goto(`/guardrails/${id}`);
  await expect(approver.getByTestId("approval-pending")).toHaveCount(0);
  await expect(approver.getByLabel("Mode", { exact: true })).toHaveValue("audit");
  await approver.getByRole("tab", { name: /Version history/ }).click();
  await expect(approver.getByTestId("versions")).toContainText("v2");
  await approver.close();
});
