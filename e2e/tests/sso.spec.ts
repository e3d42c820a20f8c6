/**
 * SSO in the browser (issue 18), against a real OpenID Provider started by this journey (oidc-provider
 * on the loopback port the test stack told the web app to trust, E2E_OIDC_IDP_PORT): a workspace owner
 * registers it and maps a group; a person of that group signs in through the IdP's own login and
 * consent pages and lands in the console with the mapped role; with SSO required, a password in the
 * domain is refused. A fresh workspace and domain per run: the shared demo workspace is untouched.
 */
import { test } from "@playwright/test";
import { startIdp, type TestIdp } from "../../apps/web/src/app/api/v1/_tests/oidc-idp.ts";
import { apiAs, expect, freshOwner, needsStack, signInAs, verifySsoDomain } from "./support.ts";

const PASSWORD = "journey-passphrase-2026";
const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
const DOMAIN = `sso-${stamp}.test`;
const PROVIDER = `journey-${stamp}`;
const OWNER = `sso-owner-${stamp}@journey.test`;

test.describe.serial("SSO sign-in", () => {
  let idp: TestIdp | undefined;

  test.beforeAll(async ({ browser }) => {
    const port = Number(process.env.E2E_OIDC_IDP_PORT ?? 0);
    if (!port) return;
    const base = process.env.E2E_BASE_URL ?? "http://127.0.0.1:3000";
    idp = await startIdp([`${base}/api/auth/sso/callback/${PROVIDER}`], port);
    idp.accounts.set("alice", { email: `alice@${DOMAIN}`, name: "Alice Example", groups: ["engineers"] });

    // The owner (outside the SSO domain) registers the IdP, maps its group and requires SSO.
    const owner = freshOwner(OWNER, PASSWORD, "SSO journey");
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    try {
      await signInAs(page, OWNER, PASSWORD);
      await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
      const reg = await apiAs(page, "POST", "/sso/providers", {
        protocol: "oidc",
        providerId: PROVIDER,
        domain: DOMAIN,
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        scopes: ["groups"],
      });
      expect(reg.status, JSON.stringify(reg.body)).toBe(201);
      verifySsoDomain(PROVIDER);
      const policy = await apiAs(page, "PATCH", "/sso", {
        roleMapping: [{ group: "engineers", role: "author" }],
        requireSso: true,
        breakGlassUserId: owner.userId,
      });
      expect(policy.status, JSON.stringify(policy.body)).toBe(200);
    } finally {
      await ctx.close();
    }
  });

  test.afterAll(async () => {
    await idp?.close();
  });

  test("sign in through the OIDC IdP's own login page", async ({ page }) => {
    needsStack(idp, "an OpenID Provider port the web app trusts (E2E_OIDC_IDP_PORT)");
    await page.goto("/login");
    await page.getByLabel("Email").fill(`alice@${DOMAIN}`);
    await page.getByRole("button", { name: "Continue with SSO" }).click();
    // The IdP's own pages: its login form, then its consent.
    await expect(page).toHaveURL(new RegExp(`^${idp!.issuer.replace(/[.]/g, "\\.")}/`));
    await page.locator('input[name="login"]').fill("alice");
    await page.locator('input[name="password"]').fill("anything");
    await page.getByRole("button", { name: "Sign-in" }).click();
    await page.getByRole("button", { name: "Continue" }).click();
    // Back in Parapet, created just in time with the mapped role.
    await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
    await expect(page.getByTestId("user-email")).toContainText(`alice@${DOMAIN} · author`);
  });

  test("workspace with SSO required refuses a password", async ({ page }) => {
    needsStack(idp, "an OpenID Provider port the web app trusts (E2E_OIDC_IDP_PORT)");
    // Someone in the domain who has a password (from before SSO was required).
    const bob = `bob-${stamp}@${DOMAIN}`;
    freshOwner(bob, PASSWORD, "Bob's old workspace");
    await signInAs(page, bob, PASSWORD);
    await expect(page.getByRole("alert").filter({ hasText: `${DOMAIN} signs in with SSO` })).toBeVisible();
    await expect(page).toHaveURL(/\/login/);
  });
});
