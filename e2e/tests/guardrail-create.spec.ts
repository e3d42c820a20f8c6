import { test } from "@playwright/test";
import { CONNECTIONS, expect, shot, signIn, unique } from "./support.ts";

test("create the agent guardrail from the catalog, preview it, enforce it and watch coverage", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, "owner");
  await page.getByRole("link", { name: "Guardrails" }).click();
  await page
    .getByRole("link", { name: /catalog/i })
    .first()
    .click();
  await expect(page.getByRole("heading", { name: "Control catalog", level: 1 })).toBeVisible();
  const card = page.getByTestId("control-agent-no-destructive-actions");
  await expect(card).toContainText("AI agents cannot destroy production data");
  await expect(card.getByRole("row", { name: /AWS/ })).toContainText("enforced");
  await card.getByRole("link", { name: /Use AI agents/ }).click();

  const name = unique("Agents cannot destroy prod data");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Mode", { exact: true }).selectOption("enforce");
  // Live preview: native policy per cloud, with fidelity, and the scenario proof.
  const compiled = page.getByTestId("compiled");
  await expect(compiled.getByRole("region", { name: "AWS compiled policy" })).toContainText("enforced", { timeout: 60_000 });
  await expect(compiled.getByRole("region", { name: "Google Cloud compiled policy" })).toBeVisible();
  await expect(page.getByTestId("scope-count")).toContainText("matched");
  await page.getByRole("tab", { name: "Scenario proof" }).click();
  await expect(page.getByTestId("scenarios")).toContainText("scenarios hold");
  await shot(page, "guardrail-new");

  await page.getByRole("button", { name: "Create guardrail" }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByTestId("guardrail-notice")).toContainText("Guardrail created");

  // The reconcile runs in the worker against the simulators; coverage fills in as it lands.
  if (Object.keys(CONNECTIONS).length > 0) {
    await expect(async () => {
      await page.reload();
      const text = await page.getByTestId("guardrail-coverage-detail").innerText();
      const enforced = Number(/^(\d[\d,]*)/.exec(text)?.[1]?.replace(/,/g, "") ?? "0");
      expect(enforced).toBeGreaterThan(0);
    }).toPass({ timeout: 120_000, intervals: [2_000, 5_000] });
  }
  await shot(page, "guardrail-detail");

  await page.getByRole("link", { name: "Overview" }).click();
  await expect(page.getByTestId("guardrail-coverage").filter({ hasText: name })).toBeVisible();
  await expect(page.getByTestId("guardrail-coverage").filter({ hasText: name })).not.toContainText(/^\s*0%/);
});
