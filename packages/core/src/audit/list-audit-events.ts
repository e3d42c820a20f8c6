import { z } from "zod";
import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { decodeCursor, toPage } from "../common/pagination.ts";
import type { TAuditQuery } from "./audit-query.schema.ts";
import { auditPage } from "./audit-query.repository.ts";
import { auditView } from "./audit-view.ts";

const ZKey = z.object({ seq: z.number().int().min(1) });

export async function listAuditEvents(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, q: TAuditQuery) {
  const { limit, cursor, ...filter } = q;
  const after = decodeCursor(cursor, ZKey);
  const rows = await auditPage(deps.prisma, actor.workspaceId, filter, after?.seq, limit + 1);
  return toPage(rows, limit, auditView, (e) => ({ seq: e.seq }));
}
