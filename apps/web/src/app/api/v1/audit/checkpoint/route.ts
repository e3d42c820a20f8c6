import { checkpointAuditNow, getAuditCheckpoint } from "@parapet/core/audit/audit-checkpoint";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { prisma } from "@/server/clients";

export const dynamic = "force-dynamic";
/** The latest signed chain head kept outside the database. */
export const GET = route(api("GET /audit/checkpoint"), ({ caller }) => getAuditCheckpoint(prisma(), caller));
/** Sign and record the current head now. */
export const POST = route(api("POST /audit/checkpoint"), ({ caller }) => checkpointAuditNow(prisma(), caller));
