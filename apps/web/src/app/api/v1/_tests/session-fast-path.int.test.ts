/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * The session cookie's one-statement check (identity/session-verify.ts, issue 15): it accepts only the
 * plain case and leaves everything else to better-auth, and it caches nothing — so each way a session
 * or a membership ends or changes (sign-out, a revoked session, expiry, a removed member, a changed
 * role, a deleted user) takes effect on the very next request. Each path is driven the way it happens
 * in the product (the mounted sign-out, the members API) or, where there is no product path yet (a
 * revoked session, a deleted user), by the row change itself.
 */
import { createHmac, randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { verifySessionCookie } from "@parapet/core/identity/sessions";
import { auth } from "@/server/auth";
import { BASE_URL, call, createWorkspace, type TestWorkspace } from "./harness.ts";
import { callAuth, memberSession } from "./auth-harness.ts";

const prisma = getPrisma();
let W: TestWorkspace;
const host = new URL(BASE_URL).host;

beforeAll(async () => {
  W = await createWorkspace(prisma, "Session fast path");
});

const me = (cookie: string) => call("GET", "/me", { headers: { cookie, host, origin: BASE_URL } });
const tokenOf = (cookie: string) => decodeURIComponent(/session_token=([^;]+)/.exec(cookie)![1]!).split(".")[0]!;

describe("the session cookie on /api/v1", () => {
  it("a fresh session is accepted by the fast path and acts with its member's role", async () => {
    const s = await memberSession(prisma, W.id, "viewer");
    const v = await verifySessionCookie(auth(), prisma, s.cookie);
    expect(v).not.toBe("defer");
    expect(v).toMatchObject({ userId: s.userId, email: s.email, memberships: [{ organizationId: W.id, role: "viewer" }] });
    const r = await me(s.cookie);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ role: "viewer", via: "user", workspace: { id: W.id } });
  });

  it("a changed role applies on the very next request", async () => {
    const s = await memberSession(prisma, W.id, "viewer");
    expect((await me(s.cookie)).body.role).toBe("viewer");
    const changed = await call("PATCH", "/members/{id}", {
      key: W.members.owner.key,
      params: { id: s.memberId },
      body: { role: "author" },
    });
    expect(changed.status).toBe(200);
    expect((await me(s.cookie)).body.role).toBe("author");
    // And back down: the lower role applies at once too.
    await call("PATCH", "/members/{id}", { key: W.members.owner.key, params: { id: s.memberId }, body: { role: "viewer" } });
    expect((await me(s.cookie)).body.role).toBe("viewer");
  });

  it("a removed member is refused on the very next request", async () => {
    const s = await memberSession(prisma, W.id, "viewer");
    expect((await me(s.cookie)).status).toBe(200);
    const removed = await call("DELETE", "/members/{id}", { key: W.members.owner.key, params: { id: s.memberId } });
    expect(removed.status).toBeLessThan(300);
    const r = await me(s.cookie);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("forbidden");
  });

  it("sign-out ends the session on the very next request", async () => {
    const s = await memberSession(prisma, W.id, "viewer");
    expect((await me(s.cookie)).status).toBe(200);
    const out = await callAuth("POST", "/sign-out", { cookie: s.cookie });
    expect(out.status).toBe(200);
    expect(await verifySessionCookie(auth(), prisma, s.cookie)).toBe("defer");
    expect((await me(s.cookie)).status).toBe(401);
  });

  it("a revoked session (its row deleted) and a deleted user are refused on the very next request", async () => {
    const s = await memberSession(prisma, W.id, "viewer");
    expect((await me(s.cookie)).status).toBe(200);
    await prisma.session.deleteMany({ where: { token: tokenOf(s.cookie) } });
    expect((await me(s.cookie)).status).toBe(401);

    const t = await memberSession(prisma, W.id, "viewer");
    expect((await me(t.cookie)).status).toBe(200);
    await prisma.user.delete({ where: { id: t.userId } });
    expect((await me(t.cookie)).status).toBe(401);
  });

  it("an expired session is left to better-auth, which refuses it and deletes the row", async () => {
    const s = await memberSession(prisma, W.id, "viewer");
    const token = tokenOf(s.cookie);
    await prisma.session.update({ where: { token }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await verifySessionCookie(auth(), prisma, s.cookie)).toBe("defer");
    expect((await me(s.cookie)).status).toBe(401);
    expect(await prisma.session.count({ where: { token } })).toBe(0);
  });

  it("a session due for its sliding refresh is left to better-auth, which extends it and serves the request", async () => {
    const s = await memberSession(prisma, W.id, "viewer");
    const token = tokenOf(s.cookie);
    const { expiresIn, updateAge } = (await auth().$context).sessionConfig;
    // Due: expiresAt - expiresIn + updateAge <= now (better-auth's getSession).
    const due = new Date(Date.now() + (expiresIn - updateAge) * 1000 - 60_000);
    await prisma.session.update({ where: { token }, data: { expiresAt: due } });
    expect(await verifySessionCookie(auth(), prisma, s.cookie)).toBe("defer");
    expect((await me(s.cookie)).status).toBe(200);
    const after = await prisma.session.findUniqueOrThrow({ where: { token } });
    expect(after.expiresAt.getTime()).toBeGreaterThan(due.getTime() + 60_000);
    // Refreshed, it is the plain case again.
    expect(await verifySessionCookie(auth(), prisma, s.cookie)).not.toBe("defer");
  });

  it("a forged, tampered or unknown cookie is never accepted", async () => {
    const s = await memberSession(prisma, W.id, "viewer");
    const [name, value] = s.cookie.split(";")[0]!.split("=") as [string, string];
    const raw = decodeURIComponent(value);
    const token = raw.slice(0, raw.lastIndexOf("."));
    const sig = raw.slice(raw.lastIndexOf(".") + 1);
    const flip = (c: string) => (c === "A" ? "B" : "A");
    const cases = [
      // The real token with another signature (one character changed, and one made with another secret).
      `${token}.${flip(sig[0]!)}${sig.slice(1)}`,
      `${token}.${createHmac("sha256", randomBytes(32)).update(token).digest("base64")}`,
      // An unknown token correctly signed with the server's secret.
      `${randomBytes(24).toString("base64url")}.${createHmac("sha256", (await auth().$context).secret)
        .update("x")
        .digest("base64")}`,
      // No signature, a signature of the wrong length, garbage.
      token,
      `${token}.abc=`,
      "%%%",
    ];
    for (const c of cases) {
      const cookie = `${name}=${encodeURIComponent(c)}`;
      expect(await verifySessionCookie(auth(), prisma, cookie)).toBe("defer");
      expect((await me(cookie)).status).toBe(401);
    }
    const secret = (await auth().$context).secret;
    const unknown = randomBytes(24).toString("base64url");
    const signedUnknown = `${name}=${encodeURIComponent(`${unknown}.${createHmac("sha256", secret).update(unknown).digest("base64")}`)}`;
    expect(await verifySessionCookie(auth(), prisma, signedUnknown)).toBe("defer");
    expect((await me(signedUnknown)).status).toBe(401);
    // The real cookie still works (nothing above disturbed it).
    expect((await me(s.cookie)).status).toBe(200);
  });
});
