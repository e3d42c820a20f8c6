import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@parapet/db";
import { notFound } from "../common/errors.ts";
import { setWorkspaceMetadata, workspaceMetadata } from "./connections.repository.ts";

/**
 * The sts:ExternalId the workspace's AWS connector roles must require. Parapet chooses it (random,
 * once per workspace, kept in the workspace's metadata) and customers cannot pick their own, so no
 * other workspace can make Parapet assume a role that trusts this one (confused deputy).
 */
export async function workspaceAwsExternalId(prisma: PrismaClient, workspaceId: string): Promise<string> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const ws = await workspaceMetadata(prisma, workspaceId);
    if (!ws) throw notFound("workspace", workspaceId);
    let meta: Record<string, unknown> = {};
    try {
      meta = ws.metadata ? (JSON.parse(ws.metadata) as Record<string, unknown>) : {};
    } catch {
      meta = {};
    }
    if (typeof meta.awsExternalId === "string") return meta.awsExternalId;
    const id = `parapet-${randomBytes(16).toString("hex")}`;
    if (await setWorkspaceMetadata(prisma, workspaceId, ws.metadata, JSON.stringify({ ...meta, awsExternalId: id }))) return id;
  }
  throw new Error("could not store the workspace's AWS external id");
}
