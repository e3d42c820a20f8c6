import { ZRotateCredentialsInput } from "@parapet/core/connections/connections.schema";
import { rotateCredentials } from "@parapet/core/connections/rotate-credentials";
import { readJson, route } from "@/server/api";
import { deps, parseBody } from "@/server/v1";

export const dynamic = "force-dynamic";
export const POST = route<{ id: string }>(["connection", "write"], async ({ req, caller, params }) => {
  const { credentials } = await parseBody(req, ZRotateCredentialsInput, readJson);
  return rotateCredentials(deps(), caller, params.id, credentials);
});
