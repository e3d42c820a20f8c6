/**
 * A populated workspace (see world-seed.ts) built through the in-process route harness.
 */
import type { PrismaClient } from "@parapet/db";
import { call, createWorkspace } from "./harness.ts";
import { awsCredentialsVia, populateWorld, type World } from "./world-seed.ts";

export { type World } from "./world-seed.ts";

export function awsCredentials(key: string) {
  return awsCredentialsVia(call, key);
}

export async function createWorld(prisma: PrismaClient, name = "Acme"): Promise<World> {
  return populateWorld(prisma, await createWorkspace(prisma, name), call, name);
}
