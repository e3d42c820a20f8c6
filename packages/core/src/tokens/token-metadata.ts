import { isRole, type Role } from "../identity/roles.ts";

/** better-auth stores key metadata as a JSON string; the API reads {workspaceId, role} from it. */
export function tokenMetadata(raw: unknown): { workspaceId: string | null; role: Role | null } {
  let m: unknown = raw;
  if (typeof raw === "string") {
    try {
      m = JSON.parse(raw);
    } catch {
      m = null;
    }
  }
  const o = (m && typeof m === "object" ? m : {}) as Record<string, unknown>;
  return { workspaceId: typeof o.workspaceId === "string" ? o.workspaceId : null, role: isRole(o.role) ? o.role : null };
}
