import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { notFound } from "../common/errors.ts";
import { can, STATEMENTS, type Resource } from "../identity/roles.ts";
import { findUserAndWorkspace } from "./members.repository.ts";

export async function getMe(deps: Pick<UseCaseDeps, "prisma">, actor: Actor) {
  const [user, workspace] = await findUserAndWorkspace(deps.prisma, actor.userId, actor.workspaceId);
  if (!user || !workspace) throw notFound("user", actor.userId);
  const permissions = (Object.entries(STATEMENTS) as Array<[Resource, readonly string[]]>).flatMap(([r, actions]) =>
    actions.filter((a) => can(actor.role, r, a as never)).map((a) => `${r}:${a}`),
  );
  return { user, workspace, role: actor.role, via: actor.kind, permissions };
}
