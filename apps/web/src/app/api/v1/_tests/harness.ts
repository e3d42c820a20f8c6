/**
 * In-process harness for the /api/v1 route handlers: the real handlers, the real database (this run's
 * test file's database), real Redis queues and real better-auth API keys; only the HTTP listener is skipped.
 * Route modules are loaded from the file system by their OpenAPI path, so a documented route without
 * a handler fails loudly.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";
import "@parapet/core/testing/provided-context";
import { testDatabaseUrl, testRedisPrefix } from "@parapet/core/testing/db";
import type { PrismaClient } from "@parapet/db";
import type { Role } from "@parapet/core";

const WEB_SRC = join(import.meta.dirname, "..", "..", "..", "..");
export const BASE_URL = "http://127.0.0.1:3999";
export const MASTER_KEY = randomBytes(32).toString("base64");

export const ALLOWLISTED_PORT = 41399;
const ALLOWLIST = `127.0.0.1:${ALLOWLISTED_PORT},*.sim.parapet.test`;

/** Configures the web app's env for this test run; call before the first request. */
function configureEnv(): void {
  process.env.DATABASE_URL = testDatabaseUrl();
  process.env.REDIS_URL = inject("redisUrl");
  process.env.PARAPET_REDIS_PREFIX = testRedisPrefix();
  process.env.PARAPET_AUTH_SECRET ??= randomBytes(32).toString("base64url");
  process.env.PARAPET_MASTER_KEY = MASTER_KEY;
  process.env.PARAPET_MASTER_KEY_ID = "test-k1";
  process.env.PARAPET_BASE_URL = BASE_URL;
  process.env.PARAPET_SIGNIN_PER_MINUTE = "1000";
  // The operator allowlist these tests run with: one loopback port and one private domain, so the
  // SSRF tests can show both that listed hosts are accepted and that every other form is refused.
  process.env.PARAPET_ENDPOINT_ALLOWLIST = ALLOWLIST;
  process.env.PARAPET_AUDIT_KEY = inject("auditKey");
  process.env.PARAPET_AUDIT_CHECKPOINT_DIR = inject("auditCheckpointDir");
}
configureEnv();

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

export function routeFile(template: string): string {
  return join(
    WEB_SRC,
    "app",
    "api",
    "v1",
    ...template
      .split("/")
      .filter(Boolean)
      .map((s) => s.replace(/^\{(\w+)\}$/, "[$1]")),
    "route.ts",
  );
}

const modules = new Map<string, Record<string, unknown>>();
export async function handlerFor(method: string, template: string): Promise<Handler> {
  const file = routeFile(template);
  if (!existsSync(file)) throw new Error(`no route file for ${template} (${file})`);
  let mod = modules.get(file);
  if (!mod) {
    mod = (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
    modules.set(file, mod);
  }
  const h = mod[method];
  if (typeof h !== "function") throw new Error(`${file} exports no ${method}`);
  return h as Handler;
}

export interface CallOptions {
  key?: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** Sent verbatim (for malformed JSON). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON; tests assert on its shape
  body: any;
  text: string;
  headers: Headers;
}

export async function call(method: "GET" | "POST" | "PATCH" | "DELETE", template: string, o: CallOptions = {}): Promise<CallResult> {
  const params = o.params ?? {};
  const path = template.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(params[k] ?? "missing"));
  const url = new URL(`${BASE_URL}/api/v1${path}`);
  for (const [k, v] of Object.entries(o.query ?? {})) url.searchParams.set(k, v);
  const headers = new Headers(o.headers);
  if (o.key) headers.set("x-api-key", o.key);
  let body: string | undefined;
  if (o.rawBody !== undefined) body = o.rawBody;
  else if (o.body !== undefined) body = JSON.stringify(o.body);
  if (body !== undefined) headers.set("content-type", "application/json");
  const handler = await handlerFor(method, template);
  const res = await handler(new Request(url, { method, headers, ...(body !== undefined ? { body } : {}) }), {
    params: Promise.resolve(params),
  });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

export const ROLE_LIST: Role[] = ["owner", "admin", "author", "approver", "viewer"];

interface Member {
  userId: string;
  memberId: string;
  email: string;
  key: string;
}

export interface TestWorkspace {
  id: string;
  slug: string;
  members: Record<Role, Member>;
  /** A second admin (so admins can be requester and approver in tests). */
  admin2: Member;
}

const uid = (p: string) => `${p}${randomBytes(6).toString("hex")}`;

/** A workspace with one member per role, each with an API token bound to the workspace and role. */
export async function createWorkspace(prisma: PrismaClient, name = "Acme"): Promise<TestWorkspace> {
  const { auth } = await import("@/server/auth");
  const id = uid("ws");
  const slug = id.toLowerCase();
  await prisma.workspace.create({ data: { id, name, slug, createdAt: new Date() } });
  const make = async (role: Role): Promise<Member> => {
    const userId = uid("u");
    const email = `${role}-${userId}@example.test`;
    await prisma.user.create({ data: { id: userId, name: `${role} ${userId}`, email, emailVerified: true } });
    const memberId = uid("m");
    await prisma.member.create({ data: { id: memberId, organizationId: id, userId, role, createdAt: new Date() } });
    const k = await auth().api.createApiKey({
      body: { userId, name: `${role} key`, metadata: { workspaceId: id, role }, rateLimitEnabled: false },
    });
    return { userId, memberId, email, key: k.key };
  };
  const members = {} as Record<Role, Member>;
  for (const r of ROLE_LIST) members[r] = await make(r);
  return { id, slug, members, admin2: await make("admin") };
}

/** Counts that any mutation changes (every mutation appends an audit event). */
export async function snapshot(prisma: PrismaClient, workspaceId: string) {
  const [audit, guardrails, versions, approvals, exemptions, connections, invitations, members, settings, nodes, sso, ssoProviders, scim] =
    await Promise.all([
      prisma.auditEvent.count({ where: { workspaceId } }),
      prisma.guardrail.findMany({
        where: { workspaceId },
        select: { id: true, status: true, currentVersion: true, name: true },
        orderBy: { id: "asc" },
      }),
      prisma.guardrailVersion.count({ where: { guardrail: { workspaceId } } }),
      prisma.approval.findMany({ where: { workspaceId }, select: { id: true, status: true }, orderBy: { id: "asc" } }),
      prisma.exemption.findMany({ where: { workspaceId }, select: { id: true, status: true }, orderBy: { id: "asc" } }),
      prisma.connection.findMany({
        where: { workspaceId },
        select: { id: true, name: true, updatedAt: true, credentialCiphertext: true },
        orderBy: { id: "asc" },
      }),
      prisma.invitation.count({ where: { organizationId: workspaceId } }),
      prisma.member.findMany({ where: { organizationId: workspaceId }, select: { id: true, role: true }, orderBy: { id: "asc" } }),
      prisma.workspaceSettings.findUnique({ where: { workspaceId } }),
      prisma.node.findMany({ where: { workspaceId }, select: { id: true, labelOverrides: true }, orderBy: { id: "asc" } }),
      prisma.workspaceSso.findUnique({ where: { workspaceId } }),
      prisma.ssoProvider.findMany({ where: { organizationId: workspaceId }, orderBy: { id: "asc" } }),
      prisma.workspaceScim.findUnique({ where: { workspaceId } }),
    ]);
  return JSON.parse(
    JSON.stringify({
      audit,
      guardrails,
      versions,
      approvals,
      exemptions,
      connections,
      invitations,
      members,
      settings,
      nodes,
      sso,
      ssoProviders,
      scim,
    }),
  ) as unknown;
}
