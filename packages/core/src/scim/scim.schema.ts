import { z } from "zod";
import { ZIsoDateTime } from "../common/wire.schema.ts";

/** GET /api/v1/scim: whether the workspace's SCIM endpoint is open, where it is, and what it manages. */
export const ZScimState = z.object({
  enabled: z.boolean(),
  /** The tenant URL an identity provider is given (Entra "Tenant URL", Okta "SCIM connector base URL"). */
  baseUrl: z.string(),
  /** The first characters of the current token, to tell it apart (never the secret). */
  tokenStart: z.string().nullable(),
  tokenCreatedAt: ZIsoDateTime.nullable(),
  lastUsedAt: ZIsoDateTime.nullable(),
  users: z.number().int(),
  activeUsers: z.number().int(),
  groups: z.number().int(),
});

/** POST /api/v1/scim/token: the only answer that carries the secret. */
export const ZScimTokenCreated = z.object({
  token: z.string(),
  tokenStart: z.string(),
  baseUrl: z.string(),
  /** True when an earlier token was replaced (it stopped working at once). */
  rotated: z.boolean(),
  createdAt: ZIsoDateTime,
});

export const ZScimTokenRevoked = z.object({ revoked: z.literal(true) });
