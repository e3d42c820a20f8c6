import "server-only";
import { APIError } from "better-auth/api";
import { AppError, invalidField } from "@parapet/core";
import { acceptInvitationAs, unverified, usableInvitation } from "@parapet/core/members/accept-invitation";
import type { TAcceptInvitationInput } from "@parapet/core/members/members.schema";
import { setSessionWorkspace, setSessionWorkspaceByToken } from "@parapet/core/identity/sessions";
import { consumeSignInAttempt } from "@parapet/core/identity/sign-in-limit";
import { env } from "@/env";
import { auth } from "./auth";
import { prisma, redis } from "./clients";

/** Invitation links are signed with the deployment's auth secret and point at this deployment's URL. */
export function invitationLinkConfig() {
  const e = env();
  return { secret: e.PARAPET_AUTH_SECRET, baseUrl: e.PARAPET_BASE_URL };
}

/**
 * The holder of a valid invitation link joins. This endpoint never checks a password (that made it
 * an unthrottled password oracle for any address one could invite):
 * - signed in (session cookie) as the invited address: join. The ordinary sign-in, with its per-IP
 *   limit and per-account back-off, is how an existing account proves itself.
 * - not signed in, holding the e-mailed link, and the address has no account: create it (verified:
 *   the link came through the mailbox), sign in, join.
 * - not signed in with the e-mailed link and the address has an account: sign in first.
 * - the inviter's copy of the link, not signed in: one answer whether or not an account exists.
 * The session then opens on the workspace joined.
 */
export async function acceptInvitation(req: Request, input: TAcceptInvitationInput) {
  // A request carrying a password is a sign-in attempt: it spends from the sign-in endpoint's own per-IP
  // bucket (issue 18), before anything about the token or the address is looked at.
  if (input.password !== undefined) {
    const e = env();
    const retry = await consumeSignInAttempt(auth(), redis(), e.PARAPET_REDIS_PREFIX, req, e.PARAPET_SIGNIN_PER_MINUTE);
    if (retry !== null) throw new AppError("rate_limited", `password: too many sign-in attempts; try again in ${retry} s`, [], retry);
  }
  const db = prisma();
  const inv = await usableInvitation(db, invitationLinkConfig().secret, input.token);
  const signedIn = await auth()
    .api.getSession({ headers: req.headers })
    .catch((e: unknown) => {
      if (e instanceof APIError) return null;
      throw e;
    });
  if (signedIn) {
    if (input.password !== undefined) throw invalidField("password", "is not used when you are signed in; send the token only");
    const joined = await acceptInvitationAs(db, inv.id, signedIn.user, { mailboxProven: inv.mailboxProven });
    await setSessionWorkspace(db, signedIn.session.id, joined.workspaceId);
    return { email: signedIn.user.email, role: joined.role };
  }
  if (!inv.mailboxProven) throw unverified(inv.email);
  if (inv.account)
    throw new AppError("unauthenticated", `token: ${inv.email} already has a Parapet account; sign in as ${inv.email}, then accept`);
  if (!input.name) throw invalidField("name", "your name is required to create the account");
  if (!input.password) throw invalidField("password", "choose a password to create the account");
  let session: { token: string; user: { id: string; email: string; name: string } };
  try {
    await auth().api.signUpEmail({ body: { email: inv.email, password: input.password, name: input.name } });
    // Sign-up never signs in (see auth.ts); the password was chosen a moment ago, so this is no guess.
    const r = await auth().api.signInEmail({ body: { email: inv.email, password: input.password } });
    session = { token: r.token, user: r.user };
  } catch (e) {
    // The account guard's refusals name their field ("password: …", "name: …").
    const m = e instanceof APIError ? /^(password|name): (.+)$/.exec(e.message) : null;
    if (m) throw invalidField(m[1]!, m[2]!);
    throw invalidField("password", "the account could not be created with this password (10 to 128 characters)");
  }
  const joined = await acceptInvitationAs(db, inv.id, session.user, { mailboxProven: true });
  await setSessionWorkspaceByToken(db, session.token, joined.workspaceId);
  return { email: session.user.email, role: joined.role };
}
