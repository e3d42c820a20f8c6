import { test, type Page } from "@playwright/test";
import { needsStack, PASSWORD, expect, seedWorkspace, shot, unique } from "./support.ts";

/**
 * The console at 10,000 environments × 20 guardrails (200,000 coverage cells): a workspace of its own,
 * seeded straight into the stack's database, must render the overview, the matrix and the environments
 * page without freezing the browser. Times are printed, never asserted (beyond the generous timeouts);
 * what is asserted is that the matrix keeps only a window of rows in the DOM however many are loaded.
 */

/** Long main-thread tasks (Chromium's Long Tasks API): what "freezing" looks like from inside the page. */
async function longTasks(page: Page): Promise<{ count: number; maxMs: number; totalMs: number }> {
  return page.evaluate(() => {
    const d = (globalThis as unknown as { __longTasks?: number[] }).__longTasks ?? [];
    return { count: d.length, maxMs: Math.round(Math.max(0, ...d)), totalMs: Math.round(d.reduce((a, b) => a + b, 0)) };
  });
}

test("overview, matrix and environments stay interactive at 10,000 environments", async ({ page }) => {
  needsStack(process.env.DATABASE_URL, "needs the stack's DATABASE_URL to seed");
  test.setTimeout(600_000);
  await page.addInitScript(() => {
    // Runs in the page (this file is typed for Node, which has no "longtask" entry type).
    const w = globalThis as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push(e.duration);
    }).observe({ type: "longtask" as "mark", buffered: true });
  });

  // A person of their own, owner of the seeded workspace (created by the seed: /api/auth has no sign-up), signed in through the app.
  await page.goto("/login");
  const email = `${unique("scale").replace(/\s+/g, "-")}@example.test`;
  const origin = new URL(page.url()).origin;
  const seeded = seedWorkspace(email, 10_000, 20, PASSWORD);
  const signIn = await page.request.post(`${origin}/api/auth/sign-in/email`, { headers: { origin }, data: { email, password: PASSWORD } });
  expect(signIn.status(), await signIn.text()).toBeLessThan(300);
  console.log(
    `seeded ${seeded.environments} environments, ${seeded.coverageRows} coverage cells, ${seeded.openDrift} open drift findings in ${seeded.seconds.toFixed(1)} s`,
  );

  // Overview: score, drift and the matrix (first page) become usable.
  let t0 = Date.now();
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId("coverage-score")).toHaveText(/\d+%/, { timeout: 120_000 });
  const section = page.getByRole("region", { name: "Coverage matrix" });
  const matrix = page.getByTestId("coverage-matrix");
  await expect(matrix.getByRole("row").nth(3)).toBeVisible({ timeout: 120_000 });
  await expect(matrix.getByTestId("matrix-branch").first()).toContainText("/");
  // Interactive: a filter change is taken and answered.
  await section.getByRole("combobox", { name: "Status" }).selectOption("drifted");
  await expect(matrix.getByRole("row").nth(3)).toBeVisible({ timeout: 120_000 });
  console.log(`overview + matrix interactive after ${Date.now() - t0} ms; long tasks ${JSON.stringify(await longTasks(page))}`);
  await section.getByRole("combobox", { name: "Status" }).selectOption("");
  await expect(matrix.getByRole("row").nth(3)).toBeVisible({ timeout: 120_000 });
  await shot(page, "scale-overview");

  // Scroll the matrix through several pages: rows keep loading, the DOM keeps a window.
  t0 = Date.now();
  const count = page.getByTestId("matrix-count");
  const loaded = async () => Number(((await count.textContent()) ?? "").split(" environments")[0]!.replace(/\D/g, "") || "0");
  for (let i = 0; i < 6; i++) {
    const before = await loaded();
    await matrix.evaluate((el: { scrollTop: number; scrollHeight: number }) => {
      el.scrollTop = el.scrollHeight;
    });
    await expect.poll(loaded, { timeout: 120_000 }).toBeGreaterThan(before);
  }
  const rowsInDom = await matrix.getByRole("row").count();
  console.log(
    `matrix: ${await loaded()} environments loaded by scrolling in ${Date.now() - t0} ms, ${rowsInDom} rows in the DOM; long tasks ${JSON.stringify(await longTasks(page))}`,
  );
  expect(await loaded()).toBeGreaterThanOrEqual(1200);
  expect(rowsInDom).toBeLessThan(120);
  await shot(page, "scale-matrix-scrolled");

  // Environments: the tree opens level by level; a selected account shows its guardrails and where they attach.
  t0 = Date.now();
  await page.goto("/environments");
  await expect(page.getByRole("heading", { name: "Environments", level: 1 })).toBeVisible();
  const tree = page.getByTestId("hierarchy-tree");
  await tree.getByRole("button", { name: "Expand business-unit-01" }).first().click({ timeout: 120_000 });
  await tree.getByRole("button", { name: "Expand team-1-1", exact: true }).first().click({ timeout: 120_000 });
  const account = tree.getByRole("button", { name: /^(account|project)-\d{5}$/ }).first();
  await expect(account).toBeVisible({ timeout: 120_000 });
  await account.click();
  const panel = page.getByTestId("node-panel");
  await expect(panel.getByTestId("node-path")).toContainText("business-unit-01 / team-1-1");
  await expect(panel.getByTestId("node-guardrail")).toHaveCount(20, { timeout: 120_000 });
  await expect(panel.getByTestId("attached-at").first()).toContainText(
    /Attached at business-unit-01|Audit mode|Exempted|cannot express|Not attached/,
  );
  console.log(
    `environments: tree + node coverage interactive after ${Date.now() - t0} ms; long tasks ${JSON.stringify(await longTasks(page))}`,
  );
  await shot(page, "scale-environments");

  // A folder summarises the environments below it.
  await tree.getByRole("button", { name: "business-unit-01", exact: true }).click();
  await expect(panel.getByTestId("node-guardrail").first()).toContainText(/\d+ enforced/, { timeout: 120_000 });
});
