/**
 * The /api/auth mount (apps/web/src/app/api/auth/[...all]/route.ts) called in-process like the /api/v1
 * handlers: the real route module, the real better-auth instance, this run's database. Also signs
 * people in through that mount, so tests hold real session cookies.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { PrismaClient } from "@parapet/db";
import type { Role } from "@parapet/core";
import { BASE_URL } from "./harness.ts";

const AUTH_ROUTE = join(import.meta.dirname, "..", "..", "auth", "[...all]", "route.ts");

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
let mod: Partial<Record<Method, (req: Request) => Promise<Response>>> | undefined;

export interface AuthCallResult {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON; tests assert on its shape
  body: any;
  text: string;
  headers: Headers;
}

async function read(res: Response): Promise<AuthCallResult> {
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: res.status, body, text, headers: res.headers };
}

function authRequest(method: Method, path: string, o: { cookie?: string; key?: string; body?: unknown } = {}): Request {
  const headers = new Headers({ origin: BASE_URL });
  if (o.cookie) headers.set("cookie", o.cookie);
  if (o.key) headers.set("x-api-key", o.key);
  let body: string | undefined;
  if (method !== "GET" && method !== "DELETE") {
    headers.set("content-type", "application/json");
    body = JSON.stringify(o.body ?? {});
  }
  // `path` is appended verbatim (no URL normalisation of our own), so tests can send //, %2F, …
  return new Request(`${BASE_URL}/api/auth${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
}

/** Calls the mounted auth route's export for `method`; a method the module does not export is Next's 405. */
export async function callAuth(
  method: Method,
  path: string,
  o: { cookie?: string; key?: string; body?: unknown } = {},
): Promise<AuthCallResult> {
  mod ??= (await import(/* @vite-ignore */ AUTH_ROUTE)) as typeof mod;
  const h = mod![method];
  if (typeof h !== "function") return { status: 405, body: null, text: "", headers: new Headers() };
  return read(await h(authRequest(method, path, o)));
}

/** The auth instance's own handler, bypassing the mount (the second layer of the allow-list). */
export async function callAuthInstance(
  method: Method,
  path: string,
  o: { cookie?: string; key?: string; body?: unknown } = {},
): Promise<AuthCallResult> {
  const { auth } = await import("@/server/auth");
  return read(await auth().handler(authRequest(method, path, o)));
}

const PASSWORD = "correct horse battery";

/**
 * An account with a password (created in-process, the way invitation accept does) signed in through the
 * mounted sign-in endpoint: the cookie header a browser would send afterwards.
 */
export async function signedIn(email: string): Promise<{ cookie: string; userId: string }> {
  const { auth } = await import("@/server/auth");
  const u = await auth().api.signUpEmail({ body: { email, password: PASSWORD, name: email.split("@")[0]! } });
  const res = await callAuth("POST", "/sign-in/email", { body: { email, password: PASSWORD } });
  if (res.status !== 200) throw new Error(`sign-in of ${email} failed: ${res.status} ${res.text}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  if (!cookie.includes("session_token")) throw new Error(`no session cookie for ${email}`);
  return { cookie, userId: u.user.id };
}

/** A signed-in person who is a member of `workspaceId` with `role`. */
export async function memberSession(
  prisma: PrismaClient,
  workspaceId: string,
  role: Role,
): Promise<{ cookie: string; userId: string; memberId: string; email: string }> {
  const email = `${role}-session-${randomBytes(4).toString("hex")}@example.test`;
  const { cookie, userId } = await signedIn(email);
  const memberId = `m${randomBytes(6).toString("hex")}`;
  await prisma.member.create({ data: { id: memberId, organizationId: workspaceId, userId, role, createdAt: new Date() } });
  return { cookie, userId, memberId, email };
}
