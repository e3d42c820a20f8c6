import { test } from "@playwright/test";
import { needsStack, CONNECTIONS, SIMS, expect, shot, signIn, simAdmin } from "./support.ts";

interface DenyPolicy {
  id: string;
  attachmentPoint: string;
  annotations?: Record<string, string>;
}

/** Deny policies carrying Parapet's ownership annotation, by their v2 resource name. */
async function ownedDenyPolicies(): Promise<string[]> {
  const snap = (await simAdmin("gcp", "GET", "/_admin/snapshot")) as { denyPolicies: DenyPolicy[] };
  return snap.denyPolicies
    .filter((p) => "parapet-managed" in (p.annotations ?? {}))
    .map((p) => `policies/${encodeURIComponent(p.attachmentPoint)}/denypolicies/${p.id}`);
}

test("an out-of-band change in a cloud appears as drift and is repaired", async ({ page }) => {
  needsStack(SIMS.gcp && CONNECTIONS.gcp, "needs the GCP simulator connected in the demo stack");
  test.setTimeout(240_000);
  await signIn(page, "owner");

  // The seeded "audit logging cannot be turned off" guardrail deploys an IAM deny policy in GCP.
  let target: string | undefined;
  await expect(async () => {
    target = (await ownedDenyPolicies())[0];
    expect(target).toBeTruthy();
  }).toPass({ timeout: 150_000, intervals: [2_000, 5_000] });

  // Someone deletes it in the cloud console (the simulator emits the audit event to Parapet).
  await simAdmin("gcp", "DELETE", `/_admin/deny-policies?name=${encodeURIComponent(target!)}`, {
    name: target!,
    actor: "mallory@example.com",
  });
  await simAdmin("gcp", "POST", "/_admin/events/flush", {}).catch(() => undefined);

  await page.goto(`/drift?connectionId=${CONNECTIONS.gcp}`);
  const row = page
    .getByTestId("drift-list")
    .getByRole("row")
    .filter({ hasText: /missing/ })
    .first();
  await expect(row).toBeVisible({ timeout: 120_000 });
  await shot(page, "drift-list");
  await row.getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: "Expected vs observed" })).toBeVisible();
  await expect(page.getByTestId("drift-status")).toContainText("Resolved", { timeout: 120_000 });
  await expect(page.getByTestId("drift-timeline")).toBeVisible();
  await shot(page, "drift-detail");

  // And the cloud has it back.
  await expect(async () => {
    expect(await ownedDenyPolicies()).toContain(target!);
  }).toPass({ timeout: 30_000 });
});
