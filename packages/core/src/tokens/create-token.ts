import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { AppError } from "../common/errors.ts";
import type { ParapetAuth } from "../identity/auth.ts";
import { atLeast } from "../members/role-order.ts";
import type { TCreateTokenInput } from "./tokens.schema.ts";
import { tokenMetadata } from "./token-metadata.ts";
import { deleteKey, findKey, transaction } from "./tokens.repository.ts";

/** CI pipelines poll; the plugin's default (10 requests a day) would stop them almost at once. */
const RATE = { rateLimitEnabled: true, rateLimitMax: 600, rateLimitTimeWindow: 60_000 };

/**
 * Issues an API token (better-auth api-key) owned by the caller, bound to this workspace, to a role
 * no higher than the caller's and to a scope (read, plan, apply). The secret is returned once and stored only as a hash.
 */
export async function createToken(deps: Pick<UseCaseDeps, "prisma"> & { auth: ParapetAuth }, actor: Actor, input: TCreateTokenInput) {
  if (!atLeast(actor.role, input.role))
    throw new AppError("forbidden", `role: your role (${actor.role}) cannot issue an ${input.role} token`);
  if (actor.kind === "token") {
    // A token must not launder itself into a longer-lived or unbound one: a CI token issues none, and
    // another token issues only tokens that expire no later than itself.
    const own = actor.tokenId ? await findKey(deps.prisma, actor.tokenId) : null;
    if (!own || tokenMetadata(own.metadata).type === "ci")
      throw new AppError("forbidden", "token: a CI token cannot issue tokens; issue them in the console");
    if (own.expiresAt) {
      const until = input.expiresInDays ? Date.now() + input.expiresInDays * 86_400_000 : Infinity;
      if (until > own.expiresAt.getTime())
        throw new AppError(
          "forbidden",
          `expiresInDays: a token-issued token cannot outlive the token issuing it (${own.expiresAt.toISOString()})`,
          [{ field: "expiresInDays", message: "outlives the issuing token" }],
        );
    }
  }
  const created = await deps.auth.api.createApiKey({
    body: {
      userId: actor.userId,
      name: input.name,
      ...(input.expiresInDays ? { expiresIn: input.expiresInDays * 86_400 } : {}),
      metadata: { workspaceId: actor.workspaceId, role: input.role, scope: input.scope, type: input.type },
      ...RATE,
    },
  });
  try {
    // better-auth wrote the key outside our transaction: if the audit event cannot be written, the key goes too.
    await appendAudit(deps.prisma, {
      ...auditBy(actor),
      action: "token.created",
      targetType: "token",
      targetId: created.id,
      data: {
        name: input.name,
        role: input.role,
        scope: input.scope,
        type: input.type,
        expiresAt: created.expiresAt ? new Date(created.expiresAt).toISOString() : null,
      },
    });
  } catch (e) {
    await transaction(deps.prisma, (tx) => deleteKey(tx, created.id)).catch(() => undefined);
    throw e;
  }
  return {
    id: created.id,
    token: created.key,
    name: input.name,
    role: input.role,
    scope: input.scope,
    type: input.type,
    workspaceId: actor.workspaceId,
    start: created.start,
    expiresAt: created.expiresAt ? new Date(created.expiresAt).toISOString() : null,
  };
}
