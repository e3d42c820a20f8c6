import "server-only";
import { AppError, can } from "@parapet/core";
import { getReportSnapshot } from "@parapet/core/reports/build-report";
import type { TSubscriptionActor } from "@parapet/core/reports/subscriptions";
import { env } from "@/env";
import type { Caller } from "./api";
import { prisma } from "./clients";

/** Unsubscribe links are signed by the worker and verified here with the same deployment secret. */
export function unsubscribeSecret(): string {
  return env().PARAPET_AUTH_SECRET;
}

export function reportLinks(snapshotId: string) {
  return { reportUrl: new URL(`/reports/${encodeURIComponent(snapshotId)}`, env().PARAPET_BASE_URL).toString() };
}

export function subscriptionActor(caller: Caller): TSubscriptionActor {
  return {
    workspaceId: caller.workspaceId,
    userId: caller.userId,
    email: caller.email,
    label: caller.label,
    actorType: caller.kind,
    canManage: can(caller.role, "report", "manage"),
  };
}

/** A snapshot of the caller's workspace; another workspace's id is a 404 like an unknown one. */
export async function snapshotOr404(workspaceId: string, id: string) {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new AppError("not_found", "report not found");
  const s = await getReportSnapshot(prisma(), workspaceId, id);
  if (!s) throw new AppError("not_found", `report "${id}" was not found`);
  return s;
}

export function htmlResponse(html: string): Response {
  return new Response(html, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "private, no-store",
      // The email HTML has no scripts; make sure none ever runs even if a name smuggled markup in.
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
      "x-frame-options": "SAMEORIGIN",
    },
  });
}
