/**
 * Workspace roles and what each may do. One table serves both better-auth's access control (its
 * organization plugin's in-process calls consult it; its HTTP endpoints are closed, see http-surface.ts)
 * and Parapet's own route checks (`can(role, resource, action)`), which are what every request meets.
 */
export const ROLES = ["owner", "admin", "author", "approver", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/** Parapet resources and their actions (better-auth's built-ins are merged in identity/auth.ts). */
export const STATEMENTS = {
  connection: ["read", "write"],
  node: ["read", "write"],
  guardrail: ["read", "write"],
  exemption: ["read", "request"],
  approval: ["read", "decide"],
  drift: ["read", "remediate"],
  audit: ["read", "export"],
  report: ["read", "subscribe", "manage"],
  token: ["manage"],
  settings: ["read", "write"],
  /** Alert channels, rules and their delivery log (admins only: channels hold webhook secrets). */
  notification: ["manage"],
} as const;

export type Resource = keyof typeof STATEMENTS;
export type Action<R extends Resource> = (typeof STATEMENTS)[R][number];
type Grants = { [R in Resource]?: ReadonlyArray<Action<R>> };

const READ_ALL: Grants = {
  connection: ["read"],
  node: ["read"],
  guardrail: ["read"],
  exemption: ["read"],
  approval: ["read"],
  drift: ["read"],
  audit: ["read"],
  report: ["read", "subscribe"],
  settings: ["read"],
};

// Approvers sign off on weakening changes but do not author them; authors write guardrails and
// request exemptions but cannot approve. Admins manage connections and members; owners everything.
export const ROLE_GRANTS: Record<Role, Grants> = {
  viewer: READ_ALL,
  author: {
    ...READ_ALL,
    node: ["read", "write"],
    guardrail: ["read", "write"],
    exemption: ["read", "request"],
    drift: ["read", "remediate"],
  },
  approver: { ...READ_ALL, approval: ["read", "decide"], audit: ["read", "export"] },
  admin: {
    ...READ_ALL,
    connection: ["read", "write"],
    node: ["read", "write"],
    guardrail: ["read", "write"],
    exemption: ["read", "request"],
    approval: ["read", "decide"],
    drift: ["read", "remediate"],
    audit: ["read", "export"],
    report: ["read", "subscribe", "manage"],
    token: ["manage"],
    settings: ["read", "write"],
    notification: ["manage"],
  },
  owner: Object.fromEntries(Object.entries(STATEMENTS).map(([r, a]) => [r, [...a]])),
};

export function isRole(v: unknown): v is Role {
  return typeof v === "string" && (ROLES as readonly string[]).includes(v);
}

export function can<R extends Resource>(role: Role, resource: R, action: Action<R>): boolean {
  const granted: ReadonlyArray<string> | undefined = ROLE_GRANTS[role][resource];
  return granted?.includes(action) ?? false;
}
