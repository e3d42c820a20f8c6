import { applyDocument } from "@parapet/core/code/apply";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";
import { env } from "@/env";

export const dynamic = "force-dynamic";
/** The approval link the CLI prints: the console's approvals page, where a second member decides. */
const approvalUrl = (id: string) => `${env().PARAPET_BASE_URL.replace(/\/$/, "")}/approvals#${encodeURIComponent(id)}`;
export const POST = route(api("POST /code/apply"), ({ caller, body }) => applyDocument(deps(), caller, body, approvalUrl));
