/**
 * Issue 18's own-account journeys, each on a fresh workspace and user (never the shared demo's, whose
 * sign-in rules every other journey relies on): enrolling an authenticator app and signing in with it
 * (codes computed per RFC 6238, as the app would), and ending another session from a second browser.
 */
import { test } from "@playwright/test";
import { secretOf, totp } from "../../test-support/totp.ts";
import { expect, freshOwner, signInAs } from "./support.ts";

const PASSWORD = "journey-passphrase-2026";
const stamp = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;

test("enrol TOTP and sign in with it", async ({ page }) => {
  const email = `mfa-${stamp()}@journey.test`;
  freshOwner(email, PASSWORD, "MFA journey");
  await signInAs(page, email, PASSWORD);
  await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();

  await page.goto("/settings");
  const section = page.getByRole("region", { name: "Two-factor sign-in" });
  await expect(section.getByTestId("mfa-state")).toContainText("Off.");
  await section.getByLabel("Your password").fill(PASSWORD);
  await section.getByRole("button", { name: "Set up an authenticator app" }).click();
  const key = (await section.getByTestId("mfa-secret").textContent()) ?? "";
  expect(key).toMatch(/^[A-Z2-7]{16,}$/);
  // The otpauth link carries the same key an authenticator app would scan.
  expect(secretOf((await section.getByRole("link", { name: "otpauth link" }).getAttribute("href")) ?? "")).toBe(key);
  await expect(section.getByTestId("recovery-codes").getByRole("listitem")).toHaveCount(10);
  await section.getByLabel("The 6-digit code the app shows").fill(totp(key));
  await section.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  await expect(section.getByTestId("mfa-state")).toContainText("On:");

  // The password alone no longer signs in: the code is asked, a wrong one refused, the right one accepted.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await signInAs(page, email, PASSWORD);
  const code = page.getByLabel("Code from your authenticator app");
  await expect(code).toBeVisible();
  const right = totp(key);
  await code.fill(right === "000000" ? "111111" : "000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "That code is not right." })).toBeVisible();
  await code.fill(totp(key));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
  await expect(page.getByTestId("user-email")).toContainText(email);
});

test("end another session and see it signed out", async ({ page, browser }) => {
  const email = `sessions-${stamp()}@journey.test`;
  freshOwner(email, PASSWORD, "Sessions journey");
  // The other device: a second browser context with its own cookies.
  const laptop = await browser.newContext();
  const other = await laptop.newPage();
  try {
    await signInAs(other, email, PASSWORD);
    await expect(other.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
    await signInAs(page, email, PASSWORD);
    await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();

    await page.goto("/settings");
    const sessions = page.getByRole("region", { name: "Your sessions" });
    const rows = sessions.getByTestId("session-row");
    await expect(rows).toHaveCount(2);
    await expect(rows.filter({ hasText: "this session" })).toHaveCount(1);
    await rows.filter({ hasNotText: "this session" }).getByRole("button", { name: "End" }).click();
    await expect(rows).toHaveCount(1);

    // The other browser is signed out at its next step.
    await other.goto("/settings");
    await expect(other).toHaveURL(/\/login/);
    await expect(other.getByRole("heading", { name: "Sign in to Parapet" })).toBeVisible();
    // This one is not.
    await page.reload();
    await expect(page.getByRole("region", { name: "Your sessions" }).getByTestId("session-row")).toHaveCount(1);
  } finally {
    await laptop.close();
  }
});
