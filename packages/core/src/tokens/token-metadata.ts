import { isRole, type Role } from "../identity/roles.ts";
import { TOKEN_SCOPES, TOKEN_TYPES, type TTokenScope, type TTokenType } from "./tokens.schema.ts";

export interface TokenMetadata {
  workspaceId: string | null;
  role: Role | null;
  /** Tokens issued before scopes existed carry none: they keep what they could do (their role's all). */
  scope: TTokenScope;
  type: TTokenType;
}

/**
 * better-auth stores key metadata as a JSON string; the API reads {workspaceId, role, scope, type}
 * from it. A scope or type that is present but not one Parapet writes is read as the narrowest
 * (`read`), never the widest.
 */
export function tokenMetadata(raw: unknown): TokenMetadata {
  let m: unknown = raw;
  if (typeof raw === "string") {
    try {
      m = JSON.parse(raw);
    } catch {
      m = null;
    }
  }
  const o = (m && typeof m === "object" ? m : {}) as Record<string, unknown>;
  const scope: TTokenScope =
    o.scope === undefined ? "apply" : (TOKEN_SCOPES as readonly unknown[]).includes(o.scope) ? (o.scope as TTokenScope) : "read";
  const type: TTokenType = (TOKEN_TYPES as readonly unknown[]).includes(o.type) ? (o.type as TTokenType) : "personal";
  return {
    workspaceId: typeof o.workspaceId === "string" ? o.workspaceId : null,
    role: isRole(o.role) ? o.role : null,
    scope,
    type,
  };
}
