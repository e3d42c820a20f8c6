import { z } from "zod";
import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { decodeCursor, toPage } from "../common/pagination.ts";
import { ZIsoTimestamp } from "../common/timestamp.ts";
import { approvalView } from "./approval-view.ts";
import { listApprovals as rows, usersById } from "./approvals.repository.ts";

// A forged time PostgreSQL cannot hold (year 0, +275760, "not-a-date") is a bad cursor, not a 500.
const ZKey = z.object({ t: ZIsoTimestamp, id: z.string().max(64) });

export async function listApprovals(
  deps: Pick<UseCaseDeps, "prisma">,
  actor: Actor,
  q: { status?: "pending" | "approved" | "rejected" | "cancelled" | undefined; limit: number; cursor?: string | undefined },
) {
  const after = decodeCursor(q.cursor, ZKey);
  const list = await rows(deps.prisma, actor.workspaceId, q.status, after, q.limit + 1);
  const users = new Map(
    (
      await usersById(
        deps.prisma,
        list.flatMap((a) => [a.requestedById, ...(a.decidedById ? [a.decidedById] : [])]),
      )
    ).map((u) => [u.id, u]),
  );
  return toPage(
    list,
    q.limit,
    (a) => approvalView(a, users),
    (a) => ({ t: a.createdAt.toISOString(), id: a.id }),
  );
}
