import { verifyAuditChain } from "@parapet/core/audit/verify-workspace-chain";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { prisma } from "@/server/clients";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /audit/verify"), ({ caller }) => verifyAuditChain(prisma(), caller.workspaceId));
