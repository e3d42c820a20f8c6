import { test } from "@playwright/test";
import { needsStack, apiAs, expect, seedWorkspace, shot, signIn, unique } from "./support.ts";

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
        // The inviter is named with their verified address.
        expect(m.subject).toContain("Dana Demo <demo@parapet.local> invited you to Acme Corp on Parapet");
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
  const email = `${unique("new-author")
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")}@example.test`;
  const form = page.getByRole("form", { name: "Invite a member" });
  await form.getByLabel("Invite by e-mail").fill(email);
  await form.getByLabel("Role").selectOption("author");
  await form.getByRole("button", { name: "Send invitation" }).click();
  const link = page.getByTestId("invitation-link");
  await expect(link).toContainText(email);
  const url = await link.getByLabel("Invitation link").inputValue();
  expect(url).toContain("/invite?token=v1.");
  await expect(page.getByTestId("members")).toContainText(email);
  await expect(link).toContainText("Parapet is e-mailing them their own link");
  await shot(page, "invitation-created");
  // The worker e-mails a different link (signed for the mailbox; the inviter never sees it).
  const mailed = await mailedLink(email);
  expect(mailed).not.toBe(url);

  // The invitee has no account and no session: a fresh browser context.
  const ctx = await browser.newContext();
  const guest = await ctx.newPage();
  // The inviter's copy cannot create an account (it would let the inviter be the invitee).
  await guest.goto(url);
  await expect(guest.getByTestId("invitation-summary")).toContainText(`invited ${email} as author`);
  await expect(guest.getByTestId("invitation-link-copy")).toContainText("Open the link in the invitation e-mail");
  await expect(guest.getByRole("button", { name: "Create account and join" })).toHaveCount(0);

  await guest.goto(mailed);
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
  await guest.goto(mailed);
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

test("someone who already has an account signs in on the invitation page, then joins", async ({ page, browser }) => {
  test.setTimeout(180_000);
  await signIn(page, "owner");
  needsStack(process.env.DATABASE_URL, "needs the stack's database to make the existing account");
  const email = `${unique("existing")
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")}@example.test`;
  // Their own account (and workspace), made before the invitation; its address is not verified yet.
  seedWorkspace(email, 1, 1, "their own long password");
  const inv = await apiAs(page, "POST", "/invitations", { email, role: "viewer" });
  expect(inv.status).toBe(201);
  const mailed = await mailedLink(email);

  const ctx = await browser.newContext();
  const guest = await ctx.newPage();
  await guest.goto(mailed);
  await guest.getByRole("button", { name: "Already have a Parapet account? Sign in" }).click();
  await guest.getByLabel("Password").fill("not their password at all");
  await guest.getByRole("button", { name: "Sign in and join" }).click();
  await expect(guest.getByText("The password is incorrect.")).toBeVisible();
  await guest.getByLabel("Password").fill("their own long password");
  await guest.getByRole("button", { name: "Sign in and join" }).click();
  await expect(guest.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
  await expect(guest.getByTestId("user-email")).toContainText(email);
  await ctx.close();
});
