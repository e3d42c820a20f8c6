import { checkpointAuditNow, getAuditCheckpoint } from "@parapet/core/audit/audit-checkpoint";
import { route } from "@/server/api";
import { prisma } from "@/server/clients";

export const dynamic = "force-dynamic";
/** The latest signed chain head kept outside the database. */
export const GET = route(["audit", "read"], ({ caller }) => getAuditCheckpoint(prisma(), caller));
/** Sign and record the current head now. */
export const POST = route(["audit", "export"], ({ caller }) => checkpointAuditNow(prisma(), caller));
