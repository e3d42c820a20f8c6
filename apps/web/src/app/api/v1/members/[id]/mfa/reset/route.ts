import { resetMemberMfa } from "@parapet/core/members/reset-mfa";
import { api } from "@parapet/core/openapi/routes";
import { reply, route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
// An owner's reset waits for a second owner: 202 with the approval (members/reset-mfa.ts).
export const POST = route(api("POST /members/{id}/mfa/reset"), async ({ caller, params }) => {
  const r = await resetMemberMfa(deps(), caller, params.id);
  return "approval" in r ? reply(r, { status: 202 }) : r;
});
