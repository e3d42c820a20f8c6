/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * Finding 3 of issue 22: a stranger invited someone's address to their own workspace and guessed the
 * account's password through the accept endpoint (server-side sign-in, no rate limit, invitation never
 * used up), and rotated X-Forwarded-For past the sign-in limit. Through the real route handlers
 * (/api/v1 and better-auth's /api/auth/*), the real database and Redis.
 */
import { createHash, randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { createAuth } from "@parapet/core/identity/auth";
import { signInvitationToken } from "@parapet/core/members/invitation-token";
import { BASE_URL, call, createWorkspace, type TestWorkspace } from "./harness.ts";

const prisma = getPrisma();
let stranger: TestWorkspace;
let redis: Redis;
beforeAll(async () => {
  stranger = await createWorkspace(prisma, "Stranger");
  redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
}, 120_000);
afterAll(async () => {
  redis.disconnect();
  await prisma.$disconnect();
});

type AuthRoute = { POST: (req: Request) => Promise<Response> };
const authRoute = async () => (await import("../../auth/[...all]/route.ts")) as AuthRoute;

/** POST /api/auth/sign-in/email through the app's auth route, as a browser would. */
async function signIn(email: string, password: string, headers: Record<string, string> = {}) {
  const res = await (
    await authRoute()
  ).POST(
    new Request(`${BASE_URL}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: BASE_URL, ...headers },
      body: JSON.stringify({ email, password }),
    }),
  );
  return {
    status: res.status,
    headers: res.headers,
    cookie: res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; "),
    body: (await res.json().catch(() => null)) as { message?: string } | null,
  };
}

const lockKey = (email: string) =>
  `${process.env.PARAPET_REDIS_PREFIX}signin:lock:${createHash("sha256").update(email).digest("hex").slice(0, 32)}`;

async function victim(password = "victim's own password") {
  const email = `victim-${randomBytes(4).toString("hex")}@example.test`;
  const { auth } = await import("@/server/auth");
  await auth().api.signUpEmail({ body: { email, password, name: "Victor Victim" } });
  await prisma.user.update({ where: { email }, data: { emailVerified: true } });
  return { email, password };
}

async function inviteVictim(email: string) {
  const r = await call("POST", "/invitations", { key: stranger.members.owner.key, body: { email, role: "viewer" } });
  expect(r.status, r.text).toBe(201);
  const id = r.body.id as string;
  return {
    id,
    shown: new URL(r.body.inviteUrl as string).searchParams.get("token")!,
    mailed: signInvitationToken(process.env.PARAPET_AUTH_SECRET!, id, "mailed"),
  };
}

describe("the accept endpoint is no password oracle", () => {
  it("never checks a password: with either link and even the right password, an existing account must sign in first", async () => {
    const v = await victim();
    const inv = await inviteVictim(v.email);
    for (const token of [inv.shown, inv.mailed]) {
      for (const password of ["a wrong guess 123", v.password]) {
        const r = await call("POST", "/invitations/accept", { body: { token, password } });
        expect(r.status, r.text).not.toBe(200);
        expect([401, 403]).toContain(r.status);
        expect(r.headers.getSetCookie()).toEqual([]);
      }
    }
    expect(await prisma.session.count({ where: { user: { email: v.email } } })).toBe(0);
    expect(await prisma.member.count({ where: { organizationId: stranger.id, user: { email: v.email } } })).toBe(0);

    // The owner of the account signs in through the ordinary sign-in, then accepts with the session.
    const s = await signIn(v.email, v.password);
    expect(s.status).toBe(200);
    const headers = { cookie: s.cookie, origin: BASE_URL, host: new URL(BASE_URL).host };
    const withPassword = await call("POST", "/invitations/accept", { headers, body: { token: inv.mailed, password: v.password } });
    expect(withPassword.status).toBe(422);
    expect(withPassword.body.error.message).toMatch(/^password: /);
    const ok = await call("POST", "/invitations/accept", { headers, body: { token: inv.mailed } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toEqual({ email: v.email, role: "viewer" });
  });
});

describe("sign-in guessing", () => {
  it("backs off per account whatever the client IP, for HTTP and server-side sign-ins alike", async () => {
    const v = await victim();
    const ip = (n: number) => ({ "x-forwarded-for": `198.51.100.${n}` });
    // Three free failures, from three "different" addresses.
    for (let n = 1; n <= 3; n++) expect((await signIn(v.email, `wrong guess number ${n}`, ip(n))).status).toBe(401);
    // The fourth failure starts the back-off; the right password right after it is refused too.
    expect((await signIn(v.email, "wrong guess number 4", ip(4))).status).toBe(401);
    const locked = await signIn(v.email, v.password, ip(5));
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(locked.body?.message).toMatch(/too many failed sign-ins/);
    // A server-side sign-in (what the accept endpoint used to do) meets the same lock.
    const { auth } = await import("@/server/auth");
    await expect(auth().api.signInEmail({ body: { email: v.email, password: v.password } })).rejects.toMatchObject({ statusCode: 429 });

    // The delay doubles: after the lock (2 s) a further failure locks for 4 s.
    await new Promise((r) => setTimeout(r, 2_100));
    expect((await signIn(v.email, "wrong guess number 5", ip(6))).status).toBe(401);
    const longer = await signIn(v.email, v.password, ip(7));
    expect(longer.status).toBe(429);
    expect(Number(longer.headers.get("retry-after"))).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it("revokes a pending invitation after five failed sign-ins of its address, in the audit log", async () => {
    const v = await victim();
    const inv = await inviteVictim(v.email);
    const { auth } = await import("@/server/auth");
    for (let n = 1; n <= 5; n++) {
      // Wait out the back-off so that each attempt is a real guess.
      const lock = await redis.pttl(lockKey(v.email));
      if (lock > 0) await new Promise((r) => setTimeout(r, lock + 50));
      await expect(auth().api.signInEmail({ body: { email: v.email, password: `wrong guess ${n}` } })).rejects.toMatchObject({
        statusCode: 401,
      });
    }
    const row = await prisma.invitation.findUniqueOrThrow({ where: { id: inv.id } });
    expect(row).toMatchObject({ status: "canceled", failedSignIns: 5 });
    const audit = await prisma.auditEvent.findFirstOrThrow({
      where: { workspaceId: stranger.id, action: "member.invitation_revoked", targetId: inv.id },
    });
    expect(audit.data).toMatchObject({ reason: "failed sign-ins" });
    const gone = await call("GET", "/invitations/lookup", { query: { token: inv.mailed } });
    expect(gone.status).toBe(409);
    expect(gone.body.error.message).toContain("withdrawn");
  }, 30_000);
});

describe("the per-IP sign-in limit", () => {
  // A dedicated auth instance with a small limit, built by the same createAuth the app uses.
  const make = (trustedProxies?: string[]) =>
    createAuth({
      prisma,
      baseURL: BASE_URL,
      secret: process.env.PARAPET_AUTH_SECRET!,
      redis,
      redisPrefix: `${process.env.PARAPET_REDIS_PREFIX}xff-${randomBytes(3).toString("hex")}:`,
      signInPerMinute: 3,
      ...(trustedProxies ? { trustedProxies } : {}),
    });
  const attempt = (a: ReturnType<typeof make>, xff: string) =>
    a.handler(
      new Request(`${BASE_URL}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: BASE_URL, "x-forwarded-for": xff },
        // A different (unknown) address each time: only the IP limit is in play.
        body: JSON.stringify({ email: `nobody-${randomBytes(4).toString("hex")}@example.test`, password: "some password here" }),
      }),
    );

  it("does not believe a client-sent X-Forwarded-For when no proxy is configured", async () => {
    const a = make();
    const statuses: number[] = [];
    for (let n = 1; n <= 5; n++) statuses.push((await attempt(a, `203.0.113.${n}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it("behind a trusted proxy, keys on the address the proxy saw, not on what the client prepended", async () => {
    const a = make(["10.0.0.5"]);
    const statuses: number[] = [];
    // The proxy (10.0.0.5) appends the real client (192.0.2.7); the left part is the client's own text.
    for (let n = 1; n <= 4; n++) statuses.push((await attempt(a, `203.0.113.${n}, 192.0.2.7`)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    // Another real client has its own budget.
    expect((await attempt(a, "192.0.2.8")).status).toBe(401);
  });
});
