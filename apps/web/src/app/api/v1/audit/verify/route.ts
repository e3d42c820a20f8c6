import { verifyAuditChain } from "@parapet/core/audit/verify-workspace-chain";
import { route } from "@/server/api";
import { prisma } from "@/server/clients";

export const dynamic = "force-dynamic";
export const GET = route(["audit", "read"], ({ caller }) => verifyAuditChain(prisma(), caller.workspaceId));
