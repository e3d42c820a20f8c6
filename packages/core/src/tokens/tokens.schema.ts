import { z } from "zod";
import { ZRole } from "../members/members.schema.ts";
import { listOf, ZIsoDateTime } from "../common/wire.schema.ts";

/**
 * What a token may do on top of its role: `read` answers GET routes only; `plan` adds the routes that
 * compute without changing anything (plan, compile previews); `apply` is everything its role allows.
 */
export const TOKEN_SCOPES = ["read", "plan", "apply"] as const;
const ZTokenScope = z.enum(TOKEN_SCOPES);
export type TTokenScope = z.infer<typeof ZTokenScope>;
/** `personal` acts for its owner; `ci` is a pipeline's: it must expire and is labelled as CI in the audit trail. */
export const TOKEN_TYPES = ["personal", "ci"] as const;
const ZTokenType = z.enum(TOKEN_TYPES);
export type TTokenType = z.infer<typeof ZTokenType>;
/** A CI token's longest life: a pipeline secret that leaks should not stay good for a year. */
const CI_MAX_DAYS = 90;

export const ZCreateTokenInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: ZRole,
    expiresInDays: z.number().int().min(1).max(365).optional(),
    // Tokens issued before scopes existed could do whatever their role allowed: the default keeps that.
    scope: ZTokenScope.default("apply"),
    type: ZTokenType.default("personal"),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.type !== "ci") return;
    if (t.expiresInDays === undefined)
      ctx.addIssue({ code: "custom", path: ["expiresInDays"], message: `a CI token must expire (1–${CI_MAX_DAYS} days)` });
    else if (t.expiresInDays > CI_MAX_DAYS)
      ctx.addIssue({ code: "custom", path: ["expiresInDays"], message: `a CI token expires within ${CI_MAX_DAYS} days` });
  });
export type TCreateTokenInput = z.infer<typeof ZCreateTokenInput>;

// ── Responses ────────────────────────────────────────────────────────────────────────────────────

/** An API token as listed: never the secret, only its first characters. */
const ZApiToken = z.object({
  id: z.string(),
  name: z.string().nullable(),
  start: z.string().nullable(),
  /** Null for a key Parapet did not issue (it acts as a viewer). */
  role: ZRole.nullable(),
  scope: ZTokenScope,
  type: ZTokenType,
  /** The one workspace it is bound to. */
  workspaceId: z.string(),
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
  scope: ZTokenScope,
  type: ZTokenType,
  workspaceId: z.string(),
  start: z.string().nullable(),
  expiresAt: ZIsoDateTime.nullable(),
});
export const ZTokenRevoked = z.object({ id: z.string(), revoked: z.boolean() });
