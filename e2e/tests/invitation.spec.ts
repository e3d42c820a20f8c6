import { test } from "@playwright/test";
import { expect, seedWorkspace, shot, signIn, unique } from "./support.ts";

/** The invitation link from the e-mail the worker sent, read from the test stack's mail catcher. */
async function mailedLink(to: string): Promise<string> {
  const base = process.env.E2E_MAIL_URL;
  if (!base) throw new Error("E2E_MAIL_URL is not set: run the journeys with the README's test command");
  let text = "";
  await expect
    .poll(
      async () => {
        const list = (await (await fetch(`${base}/api/messages`)).json()) as { id: string; to: string[]; subject: string }[];
        const m = list.find((x) => x.to.includes(to));
        if (!m) return "";
        expect(m.subject).toContain("invited you to Acme Corp on Parapet");
        text = await (await fetch(`${base}/messages/${m.id}.txt`)).text();
        return text;
      },
      { timeout: 60_000 },
    )
    .toContain("/invite?token=");
  return /(http\S+\/invite\?token=\S+)/.exec(text)![1]!;
}

test("an owner invites a new member, who opens the link, creates an account and lands in the workspace", async ({ page, browser }) => {
  test.setTimeout(180_000);
  await signIn(page, "owner");
  await page.goto("/settings");
  const email = `${unique("new-author").toLowerCase().replace(/[^a-z0-9-]/g, "-")}@example.test`;
  const form = page.getByRole("form", { name: "Invite a member" });
  await form.getByLabel("Invite by e-mail").fill(email);
  await form.getByLabel("Role").selectOption("author");
  await form.getByRole("button", { name: "Send invitation" }).click();
  const link = page.getByTestId("invitation-link");
  await expect(link).toContainText(email);
  const url = await link.getByLabel("Invitation link").inputValue();
  expect(url).toContain("/invite?token=v1.");
  await expect(page.getByTestId("members")).toContainText(email);
  await expect(link).toContainText("Parapet is e-mailing them the link");
  await shot(page, "invitation-created");
  // The worker e-mails the same link (signed with the deployment secret, never carried in the job).
  expect(await mailedLink(email)).toBe(url);

  // The invitee has no account and no session: a fresh browser context.
  const ctx = await browser.newContext();
  const guest = await ctx.newPage();
  await guest.goto(url);
  await expect(guest.getByTestId("invitation-summary")).toContainText(`invited ${email} as author`);
  await guest.getByRole("button", { name: "Create account and join" }).click();
  await expect(guest.getByText("Enter your name.")).toBeVisible();
  await guest.getByLabel("Your name").fill("Nova Author");
  await guest.getByLabel("Choose a password").fill("a long enough password");
  await guest.getByLabel("Password again").fill("a long enough password");
  await shot(guest, "invitation-accept");
  await guest.getByRole("button", { name: "Create account and join" }).click();
  await expect(guest.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
  await expect(guest.getByTestId("user-email")).toContainText(email);

  // Used once: the same link now says so.
  await guest.goto(url);
  await expect(guest.getByTestId("invitation-problem")).toContainText("already accepted");

  // A member of a second workspace switches between the two from the header; each acts with its own role.
  if (process.env.DATABASE_URL) {
    seedWorkspace(email, 20, 2);
    await guest.goto("/");
    const sw = guest.getByLabel("Workspace");
    await expect(sw).toHaveValue(/.+/);
    await expect(sw.locator("option")).toHaveCount(2);
    const scale = await sw.locator("option", { hasText: "Scale test" }).getAttribute("value");
    await sw.selectOption(scale);
    await expect(guest.getByTestId("user-email")).toContainText("owner");
    await expect(guest.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
    await shot(guest, "workspace-switched");
    await sw.selectOption({ label: "Acme Corp (author)" });
    await expect(guest.getByTestId("user-email")).toContainText("author");
  }
  await ctx.close();

  await page.reload();
  const row = page.getByTestId("members").getByRole("row", { name: new RegExp(email) });
  await expect(row.getByRole("combobox")).toHaveValue("author");
});
