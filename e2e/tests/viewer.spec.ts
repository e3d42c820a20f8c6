import { test } from "@playwright/test";
import { apiAs, expect, shot, signIn } from "./support.ts";

test("a viewer can read everything but edit nothing", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, "viewer");
  await expect(page.getByTestId("user-email")).toContainText("viewer");

  await page.goto("/guardrails");
  await expect(page.getByRole("link", { name: "Browse the catalog" })).toBeVisible();
  await expect(page.getByRole("link", { name: /New guardrail/ })).toHaveCount(0);

  await page.goto("/guardrails/catalog");
  await expect(page.getByTestId("control-agent-no-destructive-actions")).toBeVisible();
  await expect(page.getByRole("link", { name: "Use this control" })).toHaveCount(0);

  await page.goto("/guardrails");
  await page.getByTestId("guardrails").getByRole("link").first().click();
  await expect(page.getByRole("tab", { name: "Definition" })).toBeVisible();
  await expect(page.getByLabel("Name", { exact: true })).toBeDisabled();
  await expect(page.getByRole("button", { name: "Save changes" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Disable/ })).toHaveCount(0);
  await shot(page, "viewer-guardrail");

  await page.goto("/connections");
  await expect(page.getByRole("link", { name: "Connect a cloud" })).toHaveCount(0);

  // The API refuses too: hiding buttons is courtesy, the server is the authority.
  const id = new URL(page.url()).pathname;
  expect(id).toBe("/connections");
  const list = await apiAs(page, "GET", "/guardrails");
  const first = (list.body as { items: Array<{ id: string }> }).items[0]!;
  const res = await apiAs(page, "PATCH", `/guardrails/${first.id}`, { name: "viewer was here" });
  expect(res.status).toBe(403);
});
