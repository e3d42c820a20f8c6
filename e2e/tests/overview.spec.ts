import { test } from "@playwright/test";
import { expect, shot, signIn } from "./support.ts";

test("sign in lands on the overview with coverage, drift, activity and the matrix", async ({ page }) => {
  await signIn(page, "owner");
  await expect(page.getByTestId("coverage-score")).toHaveText(/\d+%/);
  await expect(page.getByRole("heading", { name: "By cloud" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Open drift" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Recent activity" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Pending approvals" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Coverage matrix" })).toBeVisible();
  // The demo stack connects simulated clouds and seeds a baseline guardrail, so the matrix has rows.
  await expect(page.getByTestId("coverage-matrix")).toBeVisible();
  await expect(page.getByTestId("connections")).toBeVisible();
  await shot(page, "overview");
});

test("every main page renders for the owner", async ({ page }) => {
  test.setTimeout(300_000);
  await signIn(page, "owner");
  const pages: Array<[string, string, string]> = [
    ["/guardrails", "Guardrails", "guardrails"],
    ["/guardrails/catalog", "Control catalog", "catalog"],
    ["/connections", "Connections", "connections"],
    ["/environments", "Environments", "environments"],
    ["/drift", "Drift", "drift"],
    ["/approvals", "Approvals", "approvals"],
    ["/exemptions", "Exemptions", "exemptions"],
    ["/audit", "Audit log", "audit"],
    ["/settings", "Settings", "settings"],
  ];
  for (const [path, heading, name] of pages) {
    await page.goto(path);
    await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
    // Next.js keeps a route announcer with role=alert outside <main>; errors render inside it.
    await expect(page.getByRole("main").getByRole("alert")).toHaveCount(0);
    await shot(page, name);
  }
  await page.goto("/audit");
  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByTestId("chain-status")).toContainText("Chain intact");
});

test("the overview works on a phone", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, "owner");
  await page.getByRole("button", { name: "Menu" }).click();
  await expect(page.getByRole("link", { name: "Guardrails" })).toBeVisible();
  await page.getByRole("button", { name: "Menu" }).click();
  await shot(page, "overview-phone");
});
