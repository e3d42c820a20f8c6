import "server-only";
import type { ScimDeps } from "@parapet/core/scim/scim";
import { env } from "@/env";
import { prisma } from "./clients";

export function scimDeps(): ScimDeps {
  return { prisma: prisma(), baseURL: env().PARAPET_BASE_URL };
}
