import { expect, test } from "@playwright/test";

const DEMO = { email: "demo@parapet.local", password: "parapet-demo-2026" };

test("a signed-out visitor is sent to sign in", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("heading", { name: "Sign in to Parapet" })).toBeVisible();
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(DEMO.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /incorrect/ })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});

test("the demo user signs in and sees the shell", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(DEMO.email);
  await page.getByLabel("Password").fill(DEMO.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByTestId("workspace-name")).toHaveText("Acme Corp");
  await expect(page.getByTestId("user-email")).toContainText(DEMO.email);
  await expect(page.getByTestId("system-status")).toContainText("Database: up");
  await expect(page.getByTestId("system-status")).toContainText("Workers (1): up");
  await page.screenshot({ path: "screenshots/shell.png", fullPage: true });

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
});
