/** The Denials page's read: newest first, by guardrail, environment, principal, or Parapet's / not Parapet's. */
import { z } from "zod";
import type { Actor, DbClient } from "../common/actor.ts";
import { AppError, invalidField } from "../common/errors.ts";
import { decodeCursor, toPage } from "../common/pagination.ts";
import { can } from "../identity/roles.ts";
import { denialPage } from "./denials.repository.ts";
import type { TListDenialsQuery } from "./denials.schema.ts";

const ZCursor = z.object({ t: z.string().min(1).max(40), id: z.string().min(1).max(64) });

export async function listDenials(deps: { prisma: DbClient }, actor: Actor, q: TListDenialsQuery) {
  if (!can(actor.role, "guardrail", "read")) throw new AppError("forbidden", `your role (${actor.role}) cannot read denials`);
  const after = decodeCursor(q.cursor, ZCursor);
  // A cursor's time came from a row (after 1970): year 0 or 10000 parses but PostgreSQL cannot compare it (a 500 before).
  if (after && !(Date.parse(after.t) >= 0 && Date.parse(after.t) < 253_402_300_800_000))
    throw invalidField("cursor", "is not a cursor this list returned");
  const rows = await denialPage(
    deps.prisma,
    actor.workspaceId,
    {
      guardrailId: q.guardrailId,
      nodeId: q.nodeId,
      principal: q.principal,
      parapet: q.parapet === undefined ? undefined : q.parapet === "true",
    },
    q.limit,
    after,
  );
  return toPage(
    rows,
    q.limit,
    (d) => ({
      id: d.id,
      cloud: d.cloud,
      connectionId: d.connectionId,
      time: d.time.toISOString(),
      principal: d.principal,
      principalName: d.principalName,
      action: d.action,
      resource: d.resource,
      nodeId: d.nodeId,
      environment: d.environment,
      parapet: d.parapet,
      guardrailId: d.guardrailId,
      guardrailName: d.guardrailName,
      statement: d.statement,
    }),
    (d) => ({ t: d.time.toISOString(), id: d.id }),
  );
}
