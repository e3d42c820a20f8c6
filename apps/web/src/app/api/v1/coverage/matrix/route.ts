import { coverageMatrix } from "@parapet/core/coverage/coverage-matrix";
import { ZMatrixQuery } from "@parapet/core/coverage/coverage.schema";
import { route } from "@/server/api";
import { deps, parseQuery } from "@/server/v1";

export const dynamic = "force-dynamic";
export const GET = route(["guardrail", "read"], async ({ req, caller }) => coverageMatrix(deps(), caller, parseQuery(req, ZMatrixQuery)));
