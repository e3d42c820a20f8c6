import { z } from "zod";
import { ZRole } from "../members/members.schema.ts";
import { listOf, ZIsoDateTime } from "../common/wire.schema.ts";

export const ZCreateTokenInput = z
  .object({ name: z.string().trim().min(1).max(100), role: ZRole, expiresInDays: z.number().int().min(1).max(365).optional() })
  .strict();
export type TCreateTokenInput = z.infer<typeof ZCreateTokenInput>;

// ── Responses ────────────────────────────────────────────────────────────────────────────────────

/** An API token as listed: never the secret, only its first characters. */
const ZApiToken = z.object({
  id: z.string(),
  name: z.string().nullable(),
  start: z.string().nullable(),
  /** Null for a key Parapet did not issue (it acts as a viewer). */
  role: ZRole.nullable(),
  owner: z.object({ id: z.string(), email: z.string().nullable() }),
  enabled: z.boolean(),
  expiresAt: ZIsoDateTime.nullable(),
  lastUsedAt: ZIsoDateTime.nullable(),
  createdAt: ZIsoDateTime,
});
export const ZApiTokenList = listOf(ZApiToken);
/** The answer to issuing a token: the only time the secret is shown. */
export const ZIssuedToken = z.object({
  id: z.string(),
  token: z.string(),
  name: z.string(),
  role: ZRole,
  start: z.string().nullable(),
  expiresAt: ZIsoDateTime.nullable(),
});
export const ZTokenRevoked = z.object({ id: z.string(), revoked: z.boolean() });
