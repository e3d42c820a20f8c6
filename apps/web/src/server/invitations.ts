import "server-only";
import { invalidField } from "@parapet/core";
import { acceptInvitationAs, usableInvitation } from "@parapet/core/members/accept-invitation";
import type { TAcceptInvitationInput } from "@parapet/core/members/members.schema";
import { env } from "@/env";
import { auth } from "./auth";
import { prisma } from "./clients";

/** Invitation links are signed with the deployment's auth secret and point at this deployment's URL. */
export function invitationLinkConfig() {
  const e = env();
  return { secret: e.PARAPET_AUTH_SECRET, baseUrl: e.PARAPET_BASE_URL };
}

/**
 * The holder of a valid invitation link proves who they are, then joins: someone with an account
 * signs in with its password; someone new creates the account for the invited address. Either way
 * better-auth sets the session cookie (nextCookies), and the session opens on the workspace joined.
 */
export async function acceptInvitationAndSignIn(input: TAcceptInvitationInput) {
  const db = prisma();
  const inv = await usableInvitation(db, invitationLinkConfig().secret, input.token);
  const existing = inv.account;
  let session: { token: string; user: { id: string; email: string; name: string } };
  if (existing) {
    try {
      session = await auth().api.signInEmail({ body: { email: existing.email, password: input.password } });
    } catch {
      throw invalidField("password", `this is not the password of ${existing.email}`);
    }
  } else {
    if (!input.name) throw invalidField("name", "your name is required to create the account");
    try {
      const r = await auth().api.signUpEmail({ body: { email: inv.email, password: input.password, name: input.name } });
      if (!r.token) throw new Error("no session");
      session = { token: r.token, user: r.user };
    } catch {
      throw invalidField("password", "the account could not be created with this password (10 to 128 characters)");
    }
  }
  const joined = await acceptInvitationAs(db, inv.id, session.user);
  await db.session.updateMany({ where: { token: session.token }, data: { activeOrganizationId: joined.workspaceId } });
  return { email: session.user.email, role: joined.role };
}
