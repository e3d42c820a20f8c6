/**
 * SCIM 2.0 provisioning per workspace (issue 18): the identity provider (Entra ID, Okta) creates,
 * updates, deactivates and deletes the workspace's users and groups at
 * `<base>/api/scim/v2/<workspaceId>/…` with the workspace's own bearer token.
 *
 * What the directory decides and what Parapet decides:
 * - A SCIM user is a Parapet account whose address is in one of the workspace's verified SSO domains
 *   (the same rule as SSO sign-in): a directory cannot provision, link or log out anyone else's account.
 * - Access comes from groups only: the workspace's SSO group→role mapping (PATCH /api/v1/sso) is
 *   applied to the displayName and externalId of the user's SCIM groups. An active user in a mapped
 *   group is a member with the highest mapped role; a user in none is not a member at all.
 * - Owners are Parapet's: a mapping cannot grant owner, a group change never changes an owner's role,
 *   and deactivating or deleting an owner is refused (403), so a directory cannot lock a workspace out.
 * - Deactivating (active=false) or deleting a user removes the membership and, in the same transaction,
 *   ends every session of the account and deletes every API token it holds in this workspace. A
 *   deactivated user stays a SCIM resource (reactivation restores the role from its groups) and is
 *   refused at SSO sign-in.
 * Every change is an event in the workspace's tamper-evident audit log (actor "scim").
 */
import { randomBytes } from "node:crypto";
import type { PrismaClient, Tx } from "@parapet/db";
import { appendAudit, type AuditInput } from "../audit/audit.repository.ts";
import { unstorableIssue, unstorableString } from "../common/unstorable.ts";
import { mappedRole, parseRoleMapping } from "../sso/role-mapping.ts";
import {
  activeScimUserIds,
  addGroupMembers,
  addMember,
  createAccount,
  createScimGroup,
  createScimUser,
  deleteMember,
  deleteScimGroup,
  deleteScimUser,
  existingScimUserIds,
  findRoleMapping,
  findScimByTokenHash,
  findScimGroup,
  findScimGroupByName,
  findScimUser,
  findScimUserByUserName,
  findScimUserOfUser,
  findUserIdByEmail,
  groupFilter,
  hashScimToken,
  listScimGroups,
  listScimUsers,
  memberOf,
  membershipsElsewhere,
  removeGroupMembers,
  revokeUserAccess,
  setAccountEmail,
  setMemberRole,
  touchScim,
  transaction,
  updateScimGroup,
  updateScimUser,
  userFilter,
  verifiedDomains,
  type ScimGroupRow,
  type ScimUserData,
  type ScimUserRow,
} from "./scim.repository.ts";
import {
  emailParts,
  invalidValue,
  isRecord,
  memberValueFilter,
  optionalString,
  parseFilter,
  parsePaging,
  patchOperations,
  requireSchema,
  ScimError,
  scimBoolean,
  scimString,
  SCIM_ENTERPRISE_USER,
  SCIM_GROUP,
  SCIM_LIST,
  SCIM_USER,
} from "./scim-wire.ts";
import { discovery } from "./scim-discovery.ts";

export interface ScimDeps {
  prisma: PrismaClient;
  /** The app's public base URL (resource locations are built from it). */
  baseURL: string;
}

export interface ScimRequest {
  method: string;
  /** The workspace segment of the URL. */
  workspace: string;
  /** The path after /api/scim/v2/<workspace>, split on "/". */
  path: readonly string[];
  query: URLSearchParams;
  authorization: string | null;
  /** The request body as text (already size-capped). */
  body: string;
}

export interface ScimResult {
  status: number;
  body?: unknown;
  location?: string;
}

export const scimBaseUrl = (baseURL: string, workspaceId: string) => `${baseURL}/api/scim/v2/${workspaceId}`;

const SCIM_TOKEN_PREFIX = "pscim_";
export const newScimToken = () => `${SCIM_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;

const ACTOR = { actorType: "system" as const, actorLabel: "scim" };

/** Which workspace the bearer token opens; the same 401 for a wrong, revoked or other workspace's token. */
async function authenticate(prisma: PrismaClient, workspace: string, authorization: string | null): Promise<string> {
  const m = authorization ? /^Bearer ([\x21-\x7e]{1,512})$/i.exec(authorization.trim()) : null;
  if (!m) throw new ScimError(401, "authorization: send the workspace's SCIM token as `Authorization: Bearer <token>`");
  const row = await findScimByTokenHash(prisma, hashScimToken(m[1]!));
  if (!row || row.workspaceId !== workspace) throw new ScimError(401, "authorization: the token is not valid for this SCIM endpoint");
  // "Last used" to the minute is enough, and spares a write per request during a full sync.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) await touchScim(prisma, row.workspaceId);
  return row.workspaceId;
}

function parseBody(text: string): Record<string, unknown> {
  if (!text.trim()) throw new ScimError(400, "body: a JSON object is required", "invalidSyntax");
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ScimError(400, "body: is not valid JSON", "invalidSyntax");
  }
  if (!isRecord(v)) throw new ScimError(400, "body: must be a JSON object", "invalidSyntax");
  // PostgreSQL cannot store NUL or broken UTF-16; refused here, naming where, instead of failing the write.
  const bad = unstorableIssue(v);
  if (bad) throw invalidValue(`${bad.field}: ${bad.message}`);
  return v;
}

// ── Views ───────────────────────────────────────────────────────────────────────────────────────

function userView(base: string, u: ScimUserRow) {
  const formatted = [u.givenName, u.familyName].filter(Boolean).join(" ");
  return {
    schemas: [SCIM_USER],
    id: u.id,
    ...(u.externalId ? { externalId: u.externalId } : {}),
    userName: u.userName,
    name: {
      ...(u.givenName ? { givenName: u.givenName } : {}),
      ...(u.familyName ? { familyName: u.familyName } : {}),
      ...(formatted ? { formatted } : {}),
    },
    ...(u.displayName ? { displayName: u.displayName } : {}),
    emails: [{ value: u.email, type: "work", primary: true }],
    active: u.active,
    groups: u.groups.map((g) => ({ value: g.group.id, display: g.group.displayName, $ref: `${base}/Groups/${g.group.id}` })),
    meta: {
      resourceType: "User",
      created: u.createdAt.toISOString(),
      lastModified: u.updatedAt.toISOString(),
      location: `${base}/Users/${u.id}`,
      version: `W/"${u.version}"`,
    },
  };
}

function groupView(base: string, g: ScimGroupRow, withMembers: boolean) {
  return {
    schemas: [SCIM_GROUP],
    id: g.id,
    ...(g.externalId ? { externalId: g.externalId } : {}),
    displayName: g.displayName,
    ...(withMembers
      ? { members: g.members.map((m) => ({ value: m.scimUser.id, display: m.scimUser.userName, $ref: `${base}/Users/${m.scimUser.id}` })) }
      : {}),
    meta: {
      resourceType: "Group",
      created: g.createdAt.toISOString(),
      lastModified: g.updatedAt.toISOString(),
      location: `${base}/Groups/${g.id}`,
      version: `W/"${g.version}"`,
    },
  };
}

const listResponse = (total: number, startIndex: number, resources: unknown[]) => ({
  schemas: [SCIM_LIST],
  totalResults: total,
  startIndex,
  itemsPerPage: resources.length,
  Resources: resources,
});

/** `excludedAttributes=members` (Entra ID asks so when it only checks a group exists). */
const excludesMembers = (q: URLSearchParams) =>
  (q.get("excludedAttributes") ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .includes("members");

// ── Access: group membership → role ─────────────────────────────────────────────────────────────

interface Ctx {
  tx: Tx;
  workspaceId: string;
  events: AuditInput[];
}

const audit = (ctx: Ctx, e: Omit<AuditInput, "workspaceId" | "actorType" | "actorLabel">) =>
  ctx.events.push({ ...ACTOR, workspaceId: ctx.workspaceId, ...e });

/**
 * Brings one SCIM user's membership in line with its state and groups. An owner is never touched.
 * Losing access (deactivated, deleted, or in no mapped group) ends the account's sessions and this
 * workspace's tokens in the same transaction.
 */
async function syncAccess(ctx: Ctx, scimUserId: string, reason: string, opts: { deleting?: boolean } = {}): Promise<void> {
  const { tx, workspaceId } = ctx;
  const u = await findScimUser(tx, workspaceId, scimUserId);
  if (!u) return;
  const member = await memberOf(tx, workspaceId, u.userId);
  const deprovision = opts.deleting === true || !u.active;
  if (member?.role === "owner") {
    if (deprovision)
      throw new ScimError(403, `${u.userName} is an owner of this workspace: owners cannot be deactivated or deleted through SCIM`);
    return;
  }
  const mapping = parseRoleMapping(await findRoleMapping(tx, workspaceId));
  const groups = u.groups.flatMap((g) => [g.group.displayName, ...(g.group.externalId ? [g.group.externalId] : [])]);
  const role = deprovision ? null : mappedRole(groups, mapping);
  const target = { targetType: "user", targetId: u.userId };
  if (role && !member) {
    await addMember(tx, workspaceId, u.userId, role);
    audit(ctx, { action: "scim.member_added", ...target, data: { userName: u.userName, email: u.email, role, reason } });
  } else if (role && member && member.role !== role) {
    await setMemberRole(tx, member.id, role);
    audit(ctx, {
      action: "scim.member_role_changed",
      ...target,
      data: { userName: u.userName, email: u.email, from: member.role, to: role, reason },
    });
  } else if (!role && member) {
    await deleteMember(tx, member.id);
    const revoked = await revokeUserAccess(tx, workspaceId, u.userId);
    audit(ctx, {
      action: "scim.member_removed",
      ...target,
      data: { userName: u.userName, email: u.email, role: member.role, reason, ...revoked },
    });
  } else if (deprovision) {
    // Not a member here, but the account's sessions and this workspace's tokens still end.
    const revoked = await revokeUserAccess(tx, workspaceId, u.userId);
    if (revoked.sessionsEnded || revoked.tokensRevoked)
      audit(ctx, { action: "scim.access_revoked", ...target, data: { userName: u.userName, email: u.email, reason, ...revoked } });
  }
}

// ── Users ───────────────────────────────────────────────────────────────────────────────────────

interface UserFields {
  userName?: string;
  email?: string;
  externalId?: string | null;
  displayName?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  active?: boolean;
}

/**
 * Core and enterprise attributes Parapet accepts and does not keep (Entra ID's default mappings send
 * them; refusing would stop its sync). `password` (Okta sends one) is dropped unread: SCIM users sign
 * in with SSO only.
 */
const IGNORED_USER_ATTRS = new Set([
  "title",
  "preferredlanguage",
  "locale",
  "timezone",
  "nickname",
  "profileurl",
  "usertype",
  "addresses",
  "phonenumbers",
  "ims",
  "photos",
  "x509certificates",
  "entitlements",
  "roles",
  "password",
  "groups",
  "schemas",
  "meta",
  "id",
  "name.formatted",
  "name.middlename",
  "name.honorificprefix",
  "name.honorificsuffix",
]);

function isIgnoredUserPath(path: string): boolean {
  const p = path.toLowerCase();
  if (p.startsWith(SCIM_ENTERPRISE_USER.toLowerCase())) return true;
  const bare = p.startsWith(`${SCIM_USER.toLowerCase()}:`) ? p.slice(SCIM_USER.length + 1) : p;
  const head = bare.split(/[.[]/)[0]!;
  return IGNORED_USER_ATTRS.has(bare) || IGNORED_USER_ATTRS.has(head);
}

/** The work (else primary, else first) address of an `emails` list. */
function emailOfList(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw invalidValue(`${field}: must be a list`);
  const items = v.filter(isRecord);
  const pick = items.find((e) => e.primary === true || e.primary === "True") ?? items.find((e) => e.type === "work") ?? items[0];
  return pick === undefined ? undefined : scimString(pick.value, `${field}.value`, 254);
}

/** Applies one attribute (a PATCH path or a key of a path-less value) to `f`. */
function applyUserAttr(f: UserFields, path: string, value: unknown, op: "add" | "replace" | "remove", field: string): void {
  const p = path.replace(new RegExp(`^${SCIM_USER.replace(/[.:]/g, "\\$&")}:`, "i"), "");
  const key = p.toLowerCase();
  const remove = op === "remove";
  switch (key) {
    case "active":
      if (remove) throw new ScimError(400, `${field}: active cannot be removed`, "mutability");
      f.active = scimBoolean(value, field);
      return;
    case "username":
      if (remove) throw new ScimError(400, `${field}: userName cannot be removed`, "mutability");
      f.userName = scimString(value, field).trim();
      return;
    case "externalid":
      f.externalId = remove ? null : optionalString(value, field);
      return;
    case "displayname":
      f.displayName = remove ? null : optionalString(value, field);
      return;
    case "name.givenname":
      f.givenName = remove ? null : optionalString(value, field);
      return;
    case "name.familyname":
      f.familyName = remove ? null : optionalString(value, field);
      return;
    case "name":
      if (remove) {
        f.givenName = null;
        f.familyName = null;
        return;
      }
      if (!isRecord(value)) throw invalidValue(`${field}: must be an object`);
      if ("givenName" in value) f.givenName = optionalString(value.givenName, `${field}.givenName`);
      if ("familyName" in value) f.familyName = optionalString(value.familyName, `${field}.familyName`);
      return;
    case "emails":
      if (remove) throw new ScimError(400, `${field}: the work e-mail cannot be removed`, "mutability");
      f.email = emailOfList(value, field) ?? f.email;
      return;
    case 'emails[type eq "work"].value':
    case "emails[primary eq true].value":
      if (remove) throw new ScimError(400, `${field}: the work e-mail cannot be removed`, "mutability");
      f.email = scimString(value, field, 254);
      return;
  }
  if (isIgnoredUserPath(p)) return;
  throw new ScimError(
    400,
    `${field}: ${JSON.stringify(p.slice(0, 100))} is not an attribute Parapet's User resource supports`,
    "invalidPath",
  );
}

/** A whole User resource (POST, PUT). */
function userFieldsOf(body: Record<string, unknown>): UserFields & { userName: string } {
  requireSchema(body, SCIM_USER);
  if (body.userName === undefined || body.userName === null || body.userName === "") throw invalidValue("userName: is required");
  const f: UserFields & { userName: string } = { userName: scimString(body.userName, "userName").trim() };
  if (!f.userName) throw invalidValue("userName: is required");
  f.externalId = optionalString(body.externalId, "externalId");
  f.displayName = optionalString(body.displayName, "displayName");
  f.givenName = null;
  f.familyName = null;
  if (body.name !== undefined && body.name !== null) applyUserAttr(f, "name", body.name, "replace", "name");
  f.email = emailOfList(body.emails, "emails");
  if (body.active !== undefined) f.active = scimBoolean(body.active, "active");
  return f;
}

/** The account address: the work e-mail, else the userName; it must be in a verified domain of this workspace. */
async function checkedEmail(ctx: Ctx, candidate: string, field: string): Promise<string> {
  const parts = emailParts(candidate);
  if (!parts) throw invalidValue(`${field}: ${JSON.stringify(candidate.slice(0, 100))} is not an e-mail address`);
  const domains = await verifiedDomains(ctx.tx, ctx.workspaceId);
  if (!domains.includes(parts.domain))
    throw invalidValue(
      `${field}: ${parts.email} is not in a domain verified for this workspace's SSO${domains.length ? ` (${domains.join(", ")})` : " (verify one first)"}`,
    );
  return parts.email;
}

const displayNameOf = (f: UserFields, email: string) =>
  f.displayName || [f.givenName, f.familyName].filter(Boolean).join(" ") || email.split("@")[0]!;

async function createUser(ctx: Ctx, body: Record<string, unknown>) {
  const f = userFieldsOf(body);
  const email = await checkedEmail(ctx, f.email ?? f.userName, f.email ? "emails" : "userName");
  if (await findScimUserByUserName(ctx.tx, ctx.workspaceId, f.userName))
    throw new ScimError(409, `userName: ${f.userName} is already provisioned in this workspace`, "uniqueness");
  // An account with this address is linked, not duplicated (the domain is this workspace's).
  let userId = await findUserIdByEmail(ctx.tx, email);
  if (!userId) userId = await createAccount(ctx.tx, email, displayNameOf(f, email));
  else if (await findScimUserOfUser(ctx.tx, ctx.workspaceId, userId))
    throw new ScimError(409, `emails: ${email} is already provisioned in this workspace under another userName`, "uniqueness");
  const row = await createScimUser(ctx.tx, ctx.workspaceId, userId, {
    userName: f.userName,
    email,
    externalId: f.externalId ?? null,
    displayName: f.displayName ?? null,
    givenName: f.givenName ?? null,
    familyName: f.familyName ?? null,
    active: f.active ?? true,
  });
  audit(ctx, {
    action: "scim.user_created",
    targetType: "user",
    targetId: userId,
    data: { scimId: row.id, userName: f.userName, email, externalId: f.externalId ?? null, active: row.active },
  });
  await syncAccess(ctx, row.id, "user created");
  return row.id;
}

/** Writes changed fields of an existing user, then re-derives its access. */
async function updateUser(ctx: Ctx, u: ScimUserRow, f: UserFields, how: "put" | "patch") {
  const data: Partial<ScimUserData> = {};
  const changed: string[] = [];
  if (f.userName !== undefined && f.userName !== u.userName) {
    const other = await findScimUserByUserName(ctx.tx, ctx.workspaceId, f.userName);
    if (other && other.id !== u.id)
      throw new ScimError(409, `userName: ${f.userName} is already provisioned in this workspace`, "uniqueness");
    data.userName = f.userName;
    changed.push("userName");
  }
  if (f.email !== undefined) {
    const email = await checkedEmail(ctx, f.email, "emails");
    if (email !== u.email) {
      // The account's address follows the directory only while no other workspace shares the account
      // (it is how SSO finds the account; another workspace's directory may know it by the old one).
      const elsewhere = await membershipsElsewhere(ctx.tx, u.userId, ctx.workspaceId);
      if (elsewhere > 0)
        throw new ScimError(
          400,
          `emails: ${u.email} belongs to other workspaces too; its address cannot be changed from here`,
          "mutability",
        );
      if (await findUserIdByEmail(ctx.tx, email)) throw new ScimError(409, `emails: ${email} is another account's address`, "uniqueness");
      await setAccountEmail(ctx.tx, u.userId, email);
      data.email = email;
      changed.push("emails");
    }
  }
  for (const k of ["externalId", "displayName", "givenName", "familyName"] as const) {
    if (f[k] !== undefined && f[k] !== u[k]) {
      data[k] = f[k];
      changed.push(k);
    }
  }
  const activeChange = f.active !== undefined && f.active !== u.active ? f.active : undefined;
  if (activeChange !== undefined) data.active = activeChange;
  if (changed.length === 0 && activeChange === undefined) return;
  await updateScimUser(ctx.tx, u.id, data);
  if (changed.length)
    audit(ctx, {
      action: "scim.user_updated",
      targetType: "user",
      targetId: u.userId,
      data: { scimId: u.id, userName: f.userName ?? u.userName, changed, via: how },
    });
  if (activeChange !== undefined) {
    audit(ctx, {
      action: activeChange ? "scim.user_reactivated" : "scim.user_deactivated",
      targetType: "user",
      targetId: u.userId,
      data: { scimId: u.id, userName: f.userName ?? u.userName, email: u.email },
    });
    await syncAccess(ctx, u.id, activeChange ? "user reactivated" : "user deactivated");
  }
}

function patchUserFields(body: Record<string, unknown>): UserFields {
  const f: UserFields = {};
  patchOperations(body).forEach(({ op, path, value }, i) => {
    const field = `Operations[${i}]`;
    if (path) return applyUserAttr(f, path, value, op, `${field}.value`);
    if (!isRecord(value)) throw invalidValue(`${field}.value: must be an object when there is no path`);
    for (const [k, v] of Object.entries(value)) applyUserAttr(f, k, v, op, `${field}.value.${k}`);
  });
  return f;
}

async function deleteUser(ctx: Ctx, u: ScimUserRow) {
  // Refused for an owner inside syncAccess, before anything is deleted.
  await syncAccess(ctx, u.id, "user deleted", { deleting: true });
  await deleteScimUser(ctx.tx, u.id);
  audit(ctx, {
    action: "scim.user_deleted",
    targetType: "user",
    targetId: u.userId,
    data: { scimId: u.id, userName: u.userName, email: u.email },
  });
}

// ── Groups ──────────────────────────────────────────────────────────────────────────────────────

/** `members` values: ids of this workspace's SCIM users (an unknown or other workspace's id is refused). */
async function memberIds(ctx: Ctx, v: unknown, field: string): Promise<string[]> {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidValue(`${field}: must be a list of { "value": "<user id>" }`);
  if (v.length > 10_000) throw new ScimError(413, `${field}: more than 10000 members in one request`, "tooMany");
  const ids = v.map((m: unknown, i) => {
    if (!isRecord(m)) throw invalidValue(`${field}[${i}]: must be an object with a value`);
    return scimString(m.value, `${field}[${i}].value`, 200);
  });
  const known = await existingScimUserIds(ctx.tx, ctx.workspaceId, ids);
  const unknown = ids.find((id) => !known.has(id));
  if (unknown !== undefined) throw invalidValue(`${field}: ${JSON.stringify(unknown.slice(0, 100))} is not a user of this SCIM endpoint`);
  return [...new Set(ids)];
}

async function setMembers(ctx: Ctx, groupId: string, add: readonly string[], remove: readonly string[]): Promise<string[]> {
  const touched: string[] = [];
  if (add.length) {
    if (await addGroupMembers(ctx.tx, groupId, add)) touched.push(...add);
  }
  if (remove.length) {
    if (await removeGroupMembers(ctx.tx, groupId, remove)) touched.push(...remove);
  }
  return touched;
}

async function checkGroupName(ctx: Ctx, displayName: string, except?: string) {
  const other = await findScimGroupByName(ctx.tx, ctx.workspaceId, displayName);
  if (other && other.id !== except) throw new ScimError(409, `displayName: a group named ${displayName} already exists`, "uniqueness");
}

async function resync(ctx: Ctx, scimUserIds: Iterable<string>, reason: string) {
  for (const id of new Set(scimUserIds)) await syncAccess(ctx, id, reason);
}

async function createGroup(ctx: Ctx, body: Record<string, unknown>) {
  requireSchema(body, SCIM_GROUP);
  const displayName = scimString(body.displayName ?? "", "displayName").trim();
  if (!displayName) throw invalidValue("displayName: is required");
  await checkGroupName(ctx, displayName);
  const members = await memberIds(ctx, body.members, "members");
  const g = await createScimGroup(ctx.tx, ctx.workspaceId, displayName, optionalString(body.externalId, "externalId"));
  await setMembers(ctx, g.id, members, []);
  audit(ctx, {
    action: "scim.group_created",
    targetType: "scim_group",
    targetId: g.id,
    data: { displayName, externalId: g.externalId, members: members.length },
  });
  await resync(ctx, members, `added to group ${displayName}`);
  return g.id;
}

async function replaceGroup(ctx: Ctx, g: ScimGroupRow, body: Record<string, unknown>) {
  requireSchema(body, SCIM_GROUP);
  const displayName = scimString(body.displayName ?? "", "displayName").trim();
  if (!displayName) throw invalidValue("displayName: is required");
  await checkGroupName(ctx, displayName, g.id);
  const want = new Set(await memberIds(ctx, body.members, "members"));
  const had = new Set(g.members.map((m) => m.scimUser.id));
  const touched = await setMembers(
    ctx,
    g.id,
    [...want].filter((id) => !had.has(id)),
    [...had].filter((id) => !want.has(id)),
  );
  const externalId = optionalString(body.externalId, "externalId");
  await updateScimGroup(ctx.tx, g.id, displayName, externalId);
  audit(ctx, {
    action: "scim.group_updated",
    targetType: "scim_group",
    targetId: g.id,
    data: {
      displayName,
      ...(displayName !== g.displayName ? { previousDisplayName: g.displayName } : {}),
      membersChanged: touched.length,
      via: "put",
    },
  });
  // A rename or new externalId can change what every member's groups map to.
  const renamed = displayName !== g.displayName || externalId !== g.externalId;
  await resync(ctx, renamed ? [...had, ...want] : touched, `group ${displayName} replaced`);
}

async function patchGroup(ctx: Ctx, g: ScimGroupRow, body: Record<string, unknown>) {
  const ops = patchOperations(body);
  let displayName = g.displayName;
  let externalId = g.externalId;
  const add = new Set<string>();
  const remove = new Set<string>();
  let replaceAll: Set<string> | null = null;
  const had = new Set(g.members.map((m) => m.scimUser.id));
  for (const [i, { op, path, value }] of ops.entries()) {
    const field = `Operations[${i}]`;
    const attrs: [string, unknown][] = path ? [[path, value]] : isRecord(value) ? Object.entries(value) : [];
    if (!path && !isRecord(value)) throw invalidValue(`${field}.value: must be an object when there is no path`);
    for (const [rawAttr, v] of attrs) {
      const attr = rawAttr.replace(new RegExp(`^${SCIM_GROUP.replace(/[.:]/g, "\\$&")}:`, "i"), "");
      const key = attr.toLowerCase();
      const single = memberValueFilter(attr);
      if (single !== null) {
        if (op !== "remove") throw new ScimError(400, `${field}.path: a members filter can only be removed`, "invalidPath");
        remove.add(single);
        add.delete(single);
      } else if (key === "members") {
        if (op === "remove" && (v === undefined || v === null)) {
          // Without a value, remove means every member (RFC 7644 §3.5.2.2).
          replaceAll = new Set();
          add.clear();
          remove.clear();
          continue;
        }
        const ids = op === "remove" ? await existingOrAny(ctx, v, `${field}.value`) : await memberIds(ctx, v, `${field}.value`);
        if (op === "replace") {
          replaceAll = new Set(ids);
          add.clear();
          remove.clear();
        } else if (op === "add") ids.forEach((id) => (add.add(id), remove.delete(id)));
        else ids.forEach((id) => (remove.add(id), add.delete(id)));
      } else if (key === "displayname") {
        if (op === "remove") throw new ScimError(400, `${field}: displayName cannot be removed`, "mutability");
        displayName = scimString(v, `${field}.value`).trim();
        if (!displayName) throw invalidValue(`${field}.value: displayName cannot be empty`);
      } else if (key === "externalid") {
        externalId = op === "remove" ? null : optionalString(v, `${field}.value`);
      } else if (key === "id" || key === "schemas" || key === "meta") {
        // Okta's rename sends the group's own id alongside displayName; it is read-only and unchanged.
        if (key === "id" && v !== g.id) throw new ScimError(400, `${field}.value.id: id is read-only`, "mutability");
      } else throw new ScimError(400, `${field}: ${JSON.stringify(attr.slice(0, 100))} is not an attribute of a Group`, "invalidPath");
    }
  }
  let toAdd: string[];
  let toRemove: string[];
  if (replaceAll) {
    const want: Set<string> = replaceAll;
    for (const id of add) want.add(id);
    for (const id of remove) want.delete(id);
    toAdd = [...want].filter((id) => !had.has(id));
    toRemove = [...had].filter((id) => !want.has(id));
  } else {
    toAdd = [...add].filter((id) => !had.has(id));
    toRemove = [...remove].filter((id) => had.has(id));
  }
  if (displayName !== g.displayName) await checkGroupName(ctx, displayName, g.id);
  const touched = await setMembers(ctx, g.id, toAdd, toRemove);
  const renamed = displayName !== g.displayName || externalId !== g.externalId;
  if (!renamed && touched.length === 0) return;
  await updateScimGroup(ctx.tx, g.id, displayName, externalId);
  audit(ctx, {
    action: "scim.group_updated",
    targetType: "scim_group",
    targetId: g.id,
    data: {
      displayName,
      ...(displayName !== g.displayName ? { previousDisplayName: g.displayName } : {}),
      ...(toAdd.length ? { membersAdded: toAdd } : {}),
      ...(toRemove.length ? { membersRemoved: toRemove } : {}),
      via: "patch",
    },
  });
  await resync(ctx, renamed ? [...had, ...toAdd] : touched, `group ${displayName} changed`);
}

/** Ids to remove: unknown ones are skipped (removing a member that is not there changes nothing). */
async function existingOrAny(ctx: Ctx, v: unknown, field: string): Promise<string[]> {
  if (!Array.isArray(v)) throw invalidValue(`${field}: must be a list of { "value": "<user id>" }`);
  return v.map((m: unknown, i) => {
    if (!isRecord(m)) throw invalidValue(`${field}[${i}]: must be an object with a value`);
    return scimString(m.value, `${field}[${i}].value`, 200);
  });
}

async function deleteGroup(ctx: Ctx, g: ScimGroupRow) {
  const had = g.members.map((m) => m.scimUser.id);
  await deleteScimGroup(ctx.tx, g.id);
  audit(ctx, {
    action: "scim.group_deleted",
    targetType: "scim_group",
    targetId: g.id,
    data: { displayName: g.displayName, members: had.length },
  });
  await resync(ctx, had, `group ${g.displayName} deleted`);
}

// ── Dispatch ────────────────────────────────────────────────────────────────────────────────────

/** Runs a change in one transaction with its audit events; a refusal (ScimError) changes nothing. */
async function write<T>(deps: ScimDeps, workspaceId: string, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  return transaction(deps.prisma, async (tx) => {
    const ctx: Ctx = { tx, workspaceId, events: [] };
    const out = await fn(ctx);
    await appendAudit(tx, ctx.events);
    return out;
  });
}

/** A refusal worth keeping in the audit log (an owner's deprovisioning), written outside the rolled-back change. */
async function auditRefusal(deps: ScimDeps, workspaceId: string, req: ScimRequest, e: ScimError) {
  if (e.status !== 403) return;
  await appendAudit(deps.prisma, {
    ...ACTOR,
    workspaceId,
    action: "scim.request_refused",
    targetType: "scim_request",
    targetId: `${req.method} /${req.path.join("/")}`.slice(0, 200),
    data: { status: e.status, detail: e.detail },
  });
}

/** Unique-constraint races (two creates of one userName at once) answer as SCIM's uniqueness error. */
function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "P2002";
}

const ID = /^[A-Za-z0-9-]{1,64}$/;

export async function handleScim(deps: ScimDeps, req: ScimRequest): Promise<ScimResult> {
  const workspaceId = await authenticate(deps.prisma, req.workspace, req.authorization);
  const badQuery = unstorableString(Object.fromEntries(req.query.entries()), []);
  if (badQuery) throw invalidValue(`${badQuery}: contains a NUL character or broken unicode`);
  const badPath = unstorableString([...req.path], ["path"]);
  if (badPath) throw new ScimError(404, "path: no such SCIM resource");
  const base = scimBaseUrl(deps.baseURL, workspaceId);
  const [resource, id, ...rest] = req.path;
  const m = req.method.toUpperCase();
  const notAllowed = (allowed: string) => new ScimError(405, `method: ${m} is not allowed here; allowed: ${allowed}`);
  if (rest.length) throw new ScimError(404, "path: no such SCIM resource");
  try {
    switch (resource) {
      case "ServiceProviderConfig":
      case "ResourceTypes":
      case "Schemas":
        if (m !== "GET") throw notAllowed("GET");
        return { status: 200, body: discovery(base, resource, id) };
      case "Users":
        return await users(deps, req, workspaceId, base, m, id);
      case "Groups":
        return await groups(deps, req, workspaceId, base, m, id);
      default:
        throw new ScimError(
          404,
          `path: no such SCIM resource (${JSON.stringify((resource ?? "").slice(0, 50))}); see ${base}/ResourceTypes`,
        );
    }
  } catch (e) {
    if (e instanceof ScimError) await auditRefusal(deps, workspaceId, req, e);
    if (isUniqueViolation(e)) throw new ScimError(409, "a resource with this userName, e-mail or displayName already exists", "uniqueness");
    throw e;
  }
}

async function users(
  deps: ScimDeps,
  req: ScimRequest,
  workspaceId: string,
  base: string,
  m: string,
  id: string | undefined,
): Promise<ScimResult> {
  const { prisma } = deps;
  if (id === undefined) {
    if (m === "GET") {
      const filter = parseFilter(req.query.get("filter"), ["userName", "externalId", "id", "emails.value"]);
      const { startIndex, count } = parsePaging(req.query);
      const { total, rows } = await listScimUsers(prisma, workspaceId, userFilter(filter), startIndex - 1, count);
      return {
        status: 200,
        body: listResponse(
          total,
          startIndex,
          rows.map((u) => userView(base, u)),
        ),
      };
    }
    if (m === "POST") {
      const body = parseBody(req.body);
      const newId = await write(deps, workspaceId, (ctx) => createUser(ctx, body));
      const u = (await findScimUser(prisma, workspaceId, newId))!;
      return { status: 201, body: userView(base, u), location: `${base}/Users/${newId}` };
    }
    throw new ScimError(405, `method: ${m} is not allowed on /Users; allowed: GET, POST`);
  }
  const notFound = new ScimError(404, `Users/${id.slice(0, 64)}: no such user`);
  if (!ID.test(id)) throw notFound;
  if (!["GET", "PUT", "PATCH", "DELETE"].includes(m))
    throw new ScimError(405, `method: ${m} is not allowed on /Users/{id}; allowed: GET, PUT, PATCH, DELETE`);
  if (m === "GET") {
    const u = await findScimUser(prisma, workspaceId, id);
    if (!u) throw notFound;
    return { status: 200, body: userView(base, u) };
  }
  const body = m === "DELETE" ? {} : parseBody(req.body);
  await write(deps, workspaceId, async (ctx) => {
    const u = await findScimUser(ctx.tx, workspaceId, id);
    if (!u) throw notFound;
    if (m === "DELETE") return deleteUser(ctx, u);
    if (m === "PUT") {
      const f = userFieldsOf(body);
      // PUT replaces the resource; an absent `active` keeps the current state (Okta warns a dropped
      // active would otherwise suspend the user), an absent e-mail keeps the account's address.
      return updateUser(ctx, u, f, "put");
    }
    return updateUser(ctx, u, patchUserFields(body), "patch");
  });
  if (m === "DELETE") return { status: 204 };
  const u = (await findScimUser(prisma, workspaceId, id))!;
  return { status: 200, body: userView(base, u) };
}

async function groups(
  deps: ScimDeps,
  req: ScimRequest,
  workspaceId: string,
  base: string,
  m: string,
  id: string | undefined,
): Promise<ScimResult> {
  const { prisma } = deps;
  const withMembers = !excludesMembers(req.query);
  if (id === undefined) {
    if (m === "GET") {
      const filter = parseFilter(req.query.get("filter"), ["displayName", "externalId", "id"]);
      const { startIndex, count } = parsePaging(req.query);
      const { total, rows } = await listScimGroups(prisma, workspaceId, groupFilter(filter), startIndex - 1, count);
      return {
        status: 200,
        body: listResponse(
          total,
          startIndex,
          rows.map((g) => groupView(base, g, withMembers)),
        ),
      };
    }
    if (m === "POST") {
      const body = parseBody(req.body);
      const newId = await write(deps, workspaceId, (ctx) => createGroup(ctx, body));
      const g = (await findScimGroup(prisma, workspaceId, newId))!;
      return { status: 201, body: groupView(base, g, true), location: `${base}/Groups/${newId}` };
    }
    throw new ScimError(405, `method: ${m} is not allowed on /Groups; allowed: GET, POST`);
  }
  const notFound = new ScimError(404, `Groups/${id.slice(0, 64)}: no such group`);
  if (!ID.test(id)) throw notFound;
  if (!["GET", "PUT", "PATCH", "DELETE"].includes(m))
    throw new ScimError(405, `method: ${m} is not allowed on /Groups/{id}; allowed: GET, PUT, PATCH, DELETE`);
  if (m === "GET") {
    const g = await findScimGroup(prisma, workspaceId, id);
    if (!g) throw notFound;
    return { status: 200, body: groupView(base, g, withMembers) };
  }
  const body = m === "DELETE" ? {} : parseBody(req.body);
  await write(deps, workspaceId, async (ctx) => {
    const g = await findScimGroup(ctx.tx, workspaceId, id);
    if (!g) throw notFound;
    if (m === "DELETE") return deleteGroup(ctx, g);
    if (m === "PUT") return replaceGroup(ctx, g, body);
    return patchGroup(ctx, g, body);
  });
  if (m === "DELETE") return { status: 204 };
  // PATCH answers 204 (what Entra ID's and Okta's documented exchanges show); PUT the resource.
  if (m === "PATCH") return { status: 204 };
  const g = (await findScimGroup(prisma, workspaceId, id))!;
  return { status: 200, body: groupView(base, g, true) };
}

/**
 * After the workspace's group→role mapping changed (PATCH /api/v1/sso): every SCIM user's membership
 * re-derived in the caller's transaction, returning the audit events for the caller to append.
 */
export async function resyncScimUsers(tx: Tx, workspaceId: string): Promise<AuditInput[]> {
  const ctx: Ctx = { tx, workspaceId, events: [] };
  await resync(ctx, await activeScimUserIds(tx, workspaceId), "role mapping changed");
  return ctx.events;
}
