import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { notFound } from "../common/errors.ts";
import { can, STATEMENTS, type Resource } from "../identity/roles.ts";
import { findUserAndWorkspace } from "./members.repository.ts";
import { membershipsWithWorkspaces } from "../identity/sessions.repository.ts";

export async function getMe(deps: Pick<UseCaseDeps, "prisma">, actor: Actor) {
  const [user, workspace] = await findUserAndWorkspace(deps.prisma, actor.userId, actor.workspaceId);
  if (!user || !workspace) throw notFound("user", actor.userId);
  const permissions = (Object.entries(STATEMENTS) as Array<[Resource, readonly string[]]>).flatMap(([r, actions]) =>
    actions.filter((a) => can(actor.role, r, a as never)).map((a) => `${r}:${a}`),
  );
  // A signed-in person sees every workspace they belong to (to switch); a token only the one it is bound to.
  const workspaces =
    actor.kind === "user"
      ? (await membershipsWithWorkspaces(deps.prisma, actor.userId)).map((m) => ({ ...m.workspace, role: m.role }))
      : [{ ...workspace, role: actor.role }];
  return { user, workspace, role: actor.role, via: actor.kind, permissions, workspaces };
}
