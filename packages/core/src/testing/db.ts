/**
 * Helpers for integration tests: the test file's own database and Redis key prefix (cloned from the
 * run's migrated template by test-support/per-file-setup.ts) and small factories. Every test makes
 * its own workspace too, so tests never depend on each other's rows.
 */
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import "./provided-context.ts";
import { createPrisma, type PrismaClient } from "@parapet/db";

import { auditConfigFrom, configureAudit } from "../audit/audit-keys.ts";

// Audit appends in tests are keyed and checkpointed like the apps' (global-setup.ts provides both).
configureAudit(auditConfigFrom({ secret: inject("auditKey"), checkpointDir: inject("auditCheckpointDir") }));

function fromSetup(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: integration tests run under the int or faults project (test-support/per-file-setup.ts)`);
  return v;
}

/** This test file's own database (kept apart from DATABASE_URL, which tests may point elsewhere). */
export const testDatabaseUrl = (): string => fromSetup("PARAPET_TEST_DATABASE_URL");

/** This test file's own Redis key prefix (under the run's; global teardown removes its keys). */
export const testRedisPrefix = (): string => fromSetup("PARAPET_TEST_REDIS_PREFIX");

let client: PrismaClient | undefined;

export function testPrisma(): PrismaClient {
  client ??= createPrisma({ url: testDatabaseUrl(), max: 5 });
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
  if (workspaceId)
    await prisma.member.create({ data: { id: uid("m_"), organizationId: workspaceId, userId: id, role, createdAt: new Date() } });
  return user;
}
