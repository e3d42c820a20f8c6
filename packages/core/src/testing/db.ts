/**
 * Helpers for integration tests: the run's own database (created by test-support/global-setup.ts)
 * and small factories. Every test makes its own workspace, so tests never see each other's rows.
 */
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import "./provided-context.ts";
import { createPrisma, type PrismaClient } from "@parapet/db";

import { auditConfigFrom, configureAudit } from "../audit/audit-keys.ts";

// Audit appends in tests are keyed and checkpointed like the apps' (global-setup.ts provides both).
configureAudit(auditConfigFrom({ secret: inject("auditKey"), checkpointDir: inject("auditCheckpointDir") }));

let client: PrismaClient | undefined;

export function testPrisma(): PrismaClient {
  client ??= createPrisma({ url: inject("databaseUrl"), max: 5 });
  return client;
}

export const uid = (p = "") => `${p}${randomBytes(6).toString("hex")}`;

export async function createTestWorkspace(prisma = testPrisma(), name = "Test workspace") {
  const id = uid("ws_");
  return prisma.workspace.create({ data: { id, name, slug: id.replace(/_/g, "-"), createdAt: new Date() } });
}

export async function createTestUser(prisma = testPrisma(), workspaceId?: string, role = "owner") {
  const id = uid("u_");
  const user = await prisma.user.create({ data: { id, name: `User ${id}`, email: `${id}@example.test`, emailVerified: true } });
  if (workspaceId) await prisma.member.create({ data: { id: uid("m_"), organizationId: workspaceId, userId: id, role, createdAt: new Date() } });
  return user;
}
