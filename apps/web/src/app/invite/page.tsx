import type { Metadata } from "next";
import { AppError } from "@parapet/core";
import { describeInvitation, type InvitationView } from "@parapet/core/members/accept-invitation";
import { prisma } from "@/server/clients";
import { invitationLinkConfig } from "@/server/invitations";
import { currentSession } from "@/server/session";
import { AcceptForm } from "./accept-form";

export const metadata: Metadata = { title: "Join a workspace", referrer: "no-referrer", robots: { index: false } };
export const dynamic = "force-dynamic";

/**
 * The page an invitation link opens: who invited whom to which workspace, then join signed in, sign in
 * first, or (the e-mailed link only) create the account. It never says whether the address already
 * has an account: the inviter holds a link too.
 */
export default async function InvitePage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const raw = (await searchParams).token;
  const token = typeof raw === "string" ? raw : "";
  let view: InvitationView | null = null;
  const signedInAs = (await currentSession())?.user.email ?? null;
  let problem = "This invitation link is incomplete. Open it again from the message you received.";
  if (token) {
    try {
      view = await describeInvitation(prisma(), invitationLinkConfig().secret, token);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      problem = e.message.replace(/^token: /, "");
      problem = problem.charAt(0).toUpperCase() + problem.slice(1) + ".";
    }
  }
  return (
    <main className="auth-page">
      <div className="card auth-card">
        {view ? (
          <>
            <h1>Join {view.workspaceName} on Parapet</h1>
            <p className="muted" data-testid="invitation-summary">
              {view.invitedBy} invited <strong>{view.email}</strong> as <strong>{view.role}</strong>. The invitation is valid until{" "}
              {view.expiresAt.replace("T", " ").slice(0, 16)} UTC.
            </p>
            <AcceptForm token={token} email={view.email} mailboxProven={view.mailboxProven} signedInAs={signedInAs} />
          </>
        ) : (
          <>
            <h1>This invitation cannot be used</h1>
            <p className="error" role="alert" data-testid="invitation-problem">
              {problem}
            </p>
            <p className="muted">
              Already a member? <a href="/login">Sign in</a>.
            </p>
          </>
        )}
      </div>
    </main>
  );
}
