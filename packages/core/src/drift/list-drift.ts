import { z } from "zod";
import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { decodeCursor, toPage } from "../common/pagination.ts";
import { ZIsoTimestamp } from "../common/timestamp.ts";
import { driftView } from "./drift-view.ts";
import type { TListDriftQuery } from "./drift.schema.ts";
import { listDrift as rows } from "./drift.repository.ts";

// A forged time PostgreSQL cannot hold (year 0, +275760, "not-a-date") is a bad cursor (400), not a 500.
const ZKey = z.object({ t: ZIsoTimestamp, id: z.string().max(64) });

export async function listDrift(deps: Pick<UseCaseDeps, "prisma">, actor: Actor, q: TListDriftQuery) {
  const { limit, cursor, ...filter } = q;
  const list = await rows(deps.prisma, actor.workspaceId, filter, decodeCursor(cursor, ZKey), limit + 1);
  return toPage(list, limit, driftView, (d) => ({ t: d.openedAt.toISOString(), id: d.id }));
}
