import { test, type Page } from "@playwright/test";
import { runDemoStory, STORY_GUARDRAILS } from "../../scripts/lib/demo-story.ts";
import { PASSWORD, SIMS, USERS, apiAs, expect, shot, signIn } from "./support.ts";

/**
 * The newcomer's tour (issue 14): after the demo's story has played through the running product (the
 * same story `demo` plays: lib/demo-story.ts), every page of the console shows real content — and none
 * of them is wider than a phone. Runs after the other journeys (playwright.config.ts: project "tour").
 */
test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ baseURL }) => {
  test.setTimeout(600_000);
  await runDemoStory({
    baseUrl: baseURL!,
    sims: SIMS,
    owner: USERS.owner,
    approver: USERS.approver,
    password: PASSWORD,
    log: () => undefined,
  });
});

/** A page's own content: its heading, then `expectations` inside <main>, and no error alert. */
async function visit(page: Page, path: string, heading: string, expectations: Array<string | RegExp>): Promise<void> {
  await page.goto(path);
  const main = page.getByRole("main");
  await expect(main.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
  for (const e of expectations) await expect(main.getByText(e).first()).toBeVisible();
  await expect(main.getByRole("alert")).toHaveCount(0);
}

test("a newcomer opens every page and each shows what happened", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, "owner");
  const g = STORY_GUARDRAILS;
  await visit(page, "/", "Overview", [g.agents.name, g.regions.name, /enforced/]);
  await visit(page, "/guardrails", "Guardrails", [g.agents.name, g.backups.name, g.rootUser.name, g.regions.name, "approval pending"]);
  await visit(page, "/guardrails/catalog", "Control catalog", ["AI agents cannot destroy production data"]);
  await visit(page, "/connections", "Connections", ["Acme AWS Organization", "Acme GCP organization"]);
  await visit(page, "/environments", "Environments", ["Hierarchy", "Workloads"]);
  await visit(page, "/drift", "Drift", [/gcp\.org-policy .*gcp\.resourceLocations/]);
  await visit(page, "/approvals", "Approvals", [`Weaken "${g.agents.name}"`]);
  await visit(page, "/exemptions", "Exemptions", ["Data migration job deletes the old tables this week (CHG-4821)", "in 3 d"]);
  await visit(page, "/audit", "Audit log", ["Parapet reconciler", "Verify chain"]);
  await visit(page, "/reports", "Reports", ["Past reports"]);
  await visit(page, "/settings", "Settings", ["approver@parapet.local"]);

  // The open drift finding's page shows expected vs observed; the guardrail page, its coverage.
  await page.goto("/drift?status=open");
  await page
    .getByTestId("drift-list")
    .getByRole("row")
    .filter({ hasText: "gcp.resourceLocations" })
    .first()
    .getByRole("link")
    .first()
    .click();
  await expect(page.getByRole("heading", { name: "Expected vs observed" })).toBeVisible();
  await shot(page, "tour-drift-open");
});

test("no page is wider than a phone (390 px)", async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, "owner");
  // One of each detail page (a report exists once one was sent or the demo kept its history).
  const first = async (path: string) => ((await apiAs(page, "GET", path)).body as { items: Array<{ id: string }> }).items[0]?.id;
  const details: string[] = [];
  for (const list of ["/guardrails", "/drift", "/connections", "/reports"]) {
    const id = await first(list);
    if (id) details.push(`${list}/${id}`);
  }
  expect(details.length).toBeGreaterThanOrEqual(3);
  for (const path of [
    "/",
    "/guardrails",
    "/guardrails/catalog",
    "/guardrails/new",
    "/guardrails/new?control=restrict-regions",
    "/connections",
    "/connections/new",
    "/environments",
    "/drift",
    "/approvals",
    "/exemptions",
    "/audit",
    "/reports",
    "/settings",
    ...details,
  ]) {
    await page.goto(path);
    await expect(page.getByRole("main").getByRole("heading", { level: 1 }), `${path} has a heading`).toBeVisible();
    await page.waitForLoadState("networkidle").catch(() => undefined);
    // Wide tables scroll inside their own box; the page itself never scrolls sideways.
    // The e2e tsconfig has no DOM lib: reach the page's globals through globalThis.
    const [scrollWidth, innerWidth] = await page.evaluate(() => {
      const g = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
      return [g.document.documentElement.scrollWidth, g.innerWidth];
    });
    expect(scrollWidth, `${path} is ${scrollWidth - innerWidth} px wider than the screen`).toBeLessThanOrEqual(innerWidth);
  }
  await shot(page, "tour-settings-phone");
});
