import { ZCreateExemptionInput, ZListExemptionsQuery } from "@parapet/core/exemptions/exemptions.schema";
import { listExemptions } from "@parapet/core/exemptions/list-exemptions";
import { requestExemption } from "@parapet/core/exemptions/request-exemption";
import { readJson, route } from "@/server/api";
import { accepted, deps, parseBody, parseQuery } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(["exemption", "read"], async ({ req, caller }) => listExemptions(deps(), caller, parseQuery(req, ZListExemptionsQuery).status));

export const POST = route(["exemption", "request"], async ({ req, caller }) => {
  const input = await parseBody(req, ZCreateExemptionInput, readJson);
  return accepted(await requestExemption(deps(), caller, input));
});
