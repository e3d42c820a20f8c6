import type { PrismaClient, Tx } from "@parapet/db";
import { CLOUD_ROOT } from "./cloud-root.ts";
import { earlierConnectionsOnRoot } from "./connections.repository.ts";

/**
 * One cloud root (AWS organization, Azure tenant, GCP organization, OCI tenancy) is managed by one
 * connection per workspace. Ownership markers are per workspace, so two connections of one workspace
 * on one root would both own the same Parapet policies and undo each other's changes. The connection
 * created first keeps the root; a later one verifies and previews but applies nothing while it exists.
 * Oldest-wins needs no lock: every connection reaches the same answer whatever order they check in.
 */
export interface RootHolder {
  id: string;
  name: string;
}

/**
 * AWS root ids (`r-ab12`) are short and only unique within an organization, so two different
 * organizations could share one; when both connections name their organization id, those decide.
 */
function sameAwsOrganization(a: unknown, b: unknown): boolean {
  const orgOf = (f: unknown) =>
    f && typeof f === "object" && typeof (f as { orgId?: unknown }).orgId === "string" ? (f as { orgId: string }).orgId : null;
  const x = orgOf(a);
  const y = orgOf(b);
  return x === null || y === null || x === y;
}

export async function rootHeldBy(
  db: PrismaClient | Tx,
  conn: { id: string; workspaceId: string; cloud: keyof typeof CLOUD_ROOT; createdAt: Date; facts?: unknown },
  rootId: string | null | undefined,
): Promise<RootHolder | null> {
  if (!rootId) return null;
  const earlier = await earlierConnectionsOnRoot(db, conn, rootId);
  const holder = earlier.find((c) => conn.cloud !== "aws" || sameAwsOrganization(c.facts, conn.facts));
  return holder ? { id: holder.id, name: holder.name } : null;
}

export function rootHeldMessage(cloud: keyof typeof CLOUD_ROOT, rootId: string, holder: RootHolder): string {
  return (
    `This ${CLOUD_ROOT[cloud]} (${rootId}) is already managed by the connection "${holder.name}" in this workspace; ` +
    "two connections on one root would undo each other's changes to the same Parapet policies, so this one applies nothing. " +
    "Delete one of the two connections."
  );
}
