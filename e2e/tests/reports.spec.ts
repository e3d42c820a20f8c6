import { expect, test } from "@playwright/test";

const DEMO = { email: "demo@parapet.local", password: "parapet-demo-2026" };

test("a member opens Reports, subscribes and previews this week's email", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(DEMO.email);
  await page.getByLabel("Password").fill(DEMO.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();

  await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Reports" }).click();
  await expect(page).toHaveURL(/\/reports$/);
  await expect(page.getByRole("heading", { name: "Reports", level: 1 })).toBeVisible();
  await expect(page.getByTestId("report-schedule")).toContainText(/Every \w+day at \d\d:00/);

  // Subscribing is idempotent: whatever the starting state, the page ends up showing the subscription.
  const subscribe = page.getByRole("button", { name: "Subscribe", exact: true });
  if (await subscribe.isVisible()) {
    await subscribe.click();
    await expect(page.getByTestId("report-action-message")).toContainText("Subscribed");
  }
  await expect(page.getByTestId("my-subscription")).toContainText(`sent to ${DEMO.email}`);

  await page.getByRole("link", { name: "Preview this week's email" }).click();
  await expect(page).toHaveURL(/\/reports\/preview$/);
  await expect(page.getByRole("heading", { name: "Preview of this week's email" })).toBeVisible();
  await expect(page.getByTestId("report-subject")).toContainText("guardrail coverage");

  // The preview is the email's own HTML, framed: header, headline tiles and every section.
  const email = page.frameLocator('[data-testid="report-email"]');
  await expect(email.getByText("Parapet weekly coverage report")).toBeVisible();
  await expect(email.locator('[data-field="workspace"]')).toHaveText("Acme Corp");
  await expect(email.locator('[data-metric="coverage"]')).toContainText("%");
  for (const section of ["Coverage trend", "Coverage by cloud", "Coverage by guardrail", "Open drift", "Fidelity gaps"]) {
    await expect(email.getByRole("heading", { name: new RegExp(`^${section}`) })).toBeVisible();
  }
  await page.screenshot({ path: "screenshots/report-preview.png", fullPage: true });

  // "Send me a copy now" queues the email for the worker and says so.
  await page.getByRole("button", { name: "Send me a copy now" }).click();
  await expect(page.getByTestId("report-action-message")).toContainText("Sending this week's report to you now.");
});

test("the preview's plain-text part and a bad unsubscribe link answer sensibly", async ({ page, request }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(DEMO.email);
  await page.getByLabel("Password").fill(DEMO.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  const text = await page.request.get("/api/v1/reports/preview?format=text");
  expect(text.status()).toBe(200);
  expect(await text.text()).toContain("PARAPET WEEKLY COVERAGE REPORT");

  // Signed out: a forged token gets a clear page, not a sign-in redirect and not a 500.
  const bad = await request.get("/unsubscribe?token=v1.nope.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  expect(bad.status()).toBe(400);
  expect(await bad.text()).toContain("This link is not valid");
});
