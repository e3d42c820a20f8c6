import { z } from "zod";
import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { decodeCursor, toPage } from "../common/pagination.ts";
import { driftView } from "./drift-view.ts";
import type { TListDriftQuery } from "./drift.schema.ts";
import { listDrift as rows } from "./drift.repository.ts";

const ZKey = z.object({ t: z.string().max(40), id: z.string().max(64) });

export async function listDrift(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, q: TListDriftQuery) {
  const { limit, cursor, ...filter } = q;
  const list = await rows(deps.prisma, actor.workspaceId, filter, decodeCursor(cursor, ZKey), limit + 1);
  return toPage(list, limit, driftView, (d) => ({ t: d.openedAt.toISOString(), id: d.id }));
}
