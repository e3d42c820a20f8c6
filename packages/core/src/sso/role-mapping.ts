import { SSO_MAPPABLE_ROLES, type SsoMappableRole } from "./sso.schema.ts";

export interface RoleMappingEntry {
  group: string;
  role: SsoMappableRole;
}

/** A stored mapping read back defensively: anything but a known non-owner role is dropped. */
export function parseRoleMapping(v: unknown): RoleMappingEntry[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((e: unknown) => {
    if (!e || typeof e !== "object") return [];
    const { group, role } = e as Record<string, unknown>;
    return typeof group === "string" && typeof role === "string" && (SSO_MAPPABLE_ROLES as readonly string[]).includes(role)
      ? [{ group, role: role as SsoMappableRole }]
      : [];
  });
}

/** When groups map to several roles, the one granting most wins (approver and author are peers; author first). */
const ROLE_PRECEDENCE: readonly SsoMappableRole[] = ["admin", "author", "approver", "viewer"];

/** The role a user's IdP groups grant under the workspace's mapping (sign-in claims and SCIM groups alike), or null. */
export function mappedRole(groups: readonly string[], mapping: readonly RoleMappingEntry[]): SsoMappableRole | null {
  const granted = new Set(mapping.filter((m) => groups.includes(m.group)).map((m) => m.role));
  return ROLE_PRECEDENCE.find((r) => granted.has(r)) ?? null;
}
