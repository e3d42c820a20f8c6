import "server-only";
import type { z } from "zod";
import { AppError } from "@parapet/core";
import { parseEndpointAllowlist, type ConnectionDeps, type EgressAllowlist } from "@parapet/core/connections/create-connection";
import { env } from "@/env";
import { unstorableString } from "@parapet/core/common/unstorable";
import { zodIssues } from "./api";
import { prisma } from "./clients";
import { keyring } from "./keys";
import { enqueueConnectionTask, requestReconcile } from "./queues";

/** What every /api/v1 use-case gets: the database, the queue producers, and the keyring (lazily). */
let allowlist: EgressAllowlist | undefined;

export function deps(): ConnectionDeps {
  allowlist ??= parseEndpointAllowlist(env().PARAPET_ENDPOINT_ALLOWLIST);
  return { prisma: prisma(), jobs: { requestReconcile, enqueueConnectionTask }, keys: keyring, egressAllowlist: allowlist };
}

function issuesOf(prefix: string, e: z.ZodError) {
  const issues = zodIssues(prefix, e);
  const first = issues[0]!;
  return new AppError("validation", `${first.field}: ${first.message}`, issues);
}

/** Query string → schema; repeated or unknown parameters are ignored, bad values are a 422 naming the parameter. */
export function parseQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  const params = Object.fromEntries(new URL(req.url).searchParams.entries());
  const bad = unstorableString(params, []);
  if (bad) throw new AppError("validation", `${bad}: contains a NUL character or broken unicode`, [{ field: bad, message: "contains a NUL character or broken unicode" }]);
  const r = schema.safeParse(params);
  if (!r.success) throw issuesOf("", r.error);
  return r.data;
}

export async function parseBody<S extends z.ZodType>(req: Request, schema: S, readJson: (req: Request) => Promise<unknown>): Promise<z.output<S>> {
  const raw = await readJson(req);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new AppError("validation", "body: must be a JSON object", [{ field: "body", message: "must be a JSON object" }]);
  const r = schema.safeParse(raw);
  if (!r.success) throw issuesOf("", r.error);
  return r.data;
}

/** 202 Accepted with a JSON body (approval requests and queued work). */
export const accepted = (body: unknown) => Response.json(body, { status: 202 });
export const created = (body: unknown) => Response.json(body, { status: 201 });
