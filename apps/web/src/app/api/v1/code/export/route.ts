import { exportDocument } from "@parapet/core/code/export";
import { api } from "@parapet/core/openapi/routes";
import { route } from "@/server/api";
import { deps } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(api("GET /code/export"), ({ caller }) => exportDocument(deps(), caller));
