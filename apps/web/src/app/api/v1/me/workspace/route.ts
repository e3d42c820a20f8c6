import { AppError, isRole } from "@parapet/core";
import { getMe } from "@parapet/core/members/get-me";
import { membershipIn, setSessionWorkspace } from "@parapet/core/identity/sessions";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { prisma } from "@/server/clients";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";

/** The signed-in session moves to another of the user's workspaces; the next request acts there. */
export const POST = route(api("POST /me/workspace"), async ({ caller, body: { workspaceId } }) => {
  if (caller.kind !== "user" || !caller.sessionId)
    throw new AppError("bad_request", "workspaceId: an API token belongs to one workspace; only a signed-in session can switch", [
      { field: "workspaceId", message: "tokens cannot switch workspace" },
    ]);
  const member = await membershipIn(prisma(), workspaceId, caller.userId);
  // Another workspace answers like an unknown one: its existence is not the caller's business.
  if (!member || !isRole(member.role))
    throw new AppError("not_found", `workspaceId: workspace "${workspaceId}" was not found`, [
      { field: "workspaceId", message: "not one of your workspaces" },
    ]);
  await setSessionWorkspace(prisma(), caller.sessionId, workspaceId);
  return getMe(deps(), { ...caller, workspaceId, role: member.role });
});
