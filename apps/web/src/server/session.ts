import "server-only";
import { headers } from "next/headers";
import { APIError } from "better-auth/api";
import { isRole, type Role } from "@parapet/core";
import { membershipsWithWorkspaces } from "@parapet/core/identity/sessions";
import { enforceSessionPolicy } from "@parapet/core/identity/session-policy";
import { auth } from "./auth";
import { prisma } from "./clients";

export interface Viewer {
  user: { id: string; email: string; name: string };
  workspace: { id: string; name: string; slug: string } | null;
  role: Role | null;
  /** Every workspace the user belongs to (the header offers a switch when there is more than one). */
  workspaces: { id: string; name: string; role: string }[];
  /** A workspace requires MFA and this password user has none yet: the console sends them to /enrol-mfa. */
  mfaEnrolmentRequired: boolean;
}

/**
 * The signed-in user, their active workspace and role there, or null. The active workspace is the
 * session's, else the user's first membership (so a fresh session lands somewhere useful).
 */
export async function currentSession(): Promise<Viewer | null> {
  const h = await headers();
  const session = await auth()
    .api.getSession({ headers: h })
    .catch((e: unknown) => {
      // better-auth may refuse with an APIError instead of returning null: either way, nobody is signed in.
      if (e instanceof APIError) return null;
      throw e;
    });
  if (!session) return null;
  // The workspace's lifetime and idle rules hold for pages as for the API (identity/session-policy.ts):
  // a session that broke one is ended and its user sees the sign-in page.
  const policy = await enforceSessionPolicy(prisma(), session.session.id);
  if (!policy.ok) return null;
  const memberships = await membershipsWithWorkspaces(prisma(), session.user.id);
  const active = memberships.find((m) => m.organizationId === session.session.activeOrganizationId) ?? memberships[0];
  return {
    user: { id: session.user.id, email: session.user.email, name: session.user.name },
    workspace: active?.workspace ?? null,
    role: active && isRole(active.role) ? active.role : null,
    workspaces: memberships.map((m) => ({ id: m.workspace.id, name: m.workspace.name, role: m.role })),
    mfaEnrolmentRequired: policy.mfaEnrolmentRequired,
  };
}
