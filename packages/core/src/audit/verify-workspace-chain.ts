import type { PrismaClient } from "@parapet/db";
import { notFound } from "../common/errors.ts";
import { verifyAuditChain, type ChainVerification } from "./audit.repository.ts";

/** One workspace's chain, verified (GET /api/v1/audit/verify). */
export { verifyAuditChain };
import { workspaceBySlug } from "./audit-query.repository.ts";

/** Verifies one workspace's chain by slug (the CLI's entry point). */
export async function verifyWorkspaceChain(
  prisma: PrismaClient,
  slug: string,
): Promise<ChainVerification & { workspace: { id: string; slug: string } }> {
  const ws = await workspaceBySlug(prisma, slug);
  if (!ws) throw notFound("workspace", slug);
  return { ...(await verifyAuditChain(prisma, ws.id)), workspace: { id: ws.id, slug: ws.slug } };
}
