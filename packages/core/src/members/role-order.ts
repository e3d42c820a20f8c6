import type { Role } from "../identity/roles.ts";

const ORDER: Record<Role, number> = { viewer: 0, approver: 1, author: 2, admin: 3, owner: 4 };

/** Whether `a` carries at least the power of `b` (nobody grants more than they hold). */
export const atLeast = (a: Role, b: Role) => ORDER[a] >= ORDER[b];
