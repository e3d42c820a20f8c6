import { test } from "@playwright/test";
import { expect, shot, signIn, unique } from "./support.ts";

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
  await shot(page, "invitation-created");

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
  await ctx.close();

  await page.reload();
  const row = page.getByTestId("members").getByRole("row", { name: new RegExp(email) });
  await expect(row.getByRole("combobox")).toHaveValue("author");
});
