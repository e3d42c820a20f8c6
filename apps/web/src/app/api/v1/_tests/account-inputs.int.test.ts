/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * Finding 8 of issue 22, through the real route handlers and better-auth's API: sign-up does not reveal who has an account,
 * common passwords and unsafe workspace/person names are refused wherever better-auth takes them, and
 * invitations (mail sent on Parapet's name to any address) are rate-limited per inviter.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { INVITATION_LIMITS } from "@parapet/core/members/invite-member";
import { BASE_URL, call, createWorkspace, type TestWorkspace } from "./harness.ts";

const prisma = getPrisma();
let w: TestWorkspace;
beforeAll(async () => {
  w = await createWorkspace(prisma, "Inputs");
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});

async function authPost(path: string, body: unknown) {
  const { POST } = (await import("../../auth/[...all]/route.ts")) as { POST: (req: Request) => Promise<Response> };
  const res = await POST(
    new Request(`${BASE_URL}/api/auth${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: BASE_URL },
      body: JSON.stringify(body),
    }),
  );
  return { status: res.status };
}

const address = (p: string) => `${p}-${randomBytes(4).toString("hex")}@example.test`;

// Sign-up is not exposed over HTTP (http-surface.ts); the server's own sign-ups (the invitation accept
// route, the demo seed) go through the same better-auth endpoint and its hooks.
const signUp = async (body: { email: string; password: string; name: string }) => {
  const { auth } = await import("@/server/auth");
  return auth()
    .api.signUpEmail({ body })
    .then(
      (r) => ({ ok: true as const, token: r.token, userKeys: Object.keys(r.user).sort() }),
      (e: { statusCode?: number; message?: string }) => ({ ok: false as const, status: e.statusCode, message: e.message ?? "" }),
    );
};

describe("sign-up", () => {
  it("answers an existing address exactly like a new one, and changes nothing for the existing account", async () => {
    const taken = address("taken");
    expect((await signUp({ email: taken, password: "the owner's password", name: "Owner Person" })).ok).toBe(true);
    const again = await signUp({ email: taken, password: "an attacker's password", name: "Someone Else" });
    const fresh = await signUp({ email: address("fresh"), password: "an attacker's password", name: "Someone Else" });
    expect(again).toEqual(fresh);
    expect(again).toMatchObject({ ok: true, token: null });
    expect((await authPost("/sign-in/email", { email: taken, password: "the owner's password" })).status).toBe(200);
    expect((await authPost("/sign-in/email", { email: taken, password: "an attacker's password" })).status).toBe(401);
  });

  it("refuses a common password and an unsafe name, naming the field, and creates nothing", async () => {
    const email = address("weak");
    for (const password of ["1234567890", "QWERTYUIOP", "password123"]) {
      const r = await signUp({ email, password, name: "Wanda Weak" });
      expect(r).toMatchObject({
        ok: false,
        status: 400,
        message: expect.stringMatching(/^password: this password is on a list of commonly used passwords/) as unknown,
      });
    }
    const r = await signUp({ email, password: "a long enough password", name: "Your account is locked: call +1 555 0100" });
    expect(r).toMatchObject({ ok: false, status: 400, message: expect.stringMatching(/^name: /) as unknown });
    expect(await prisma.user.count({ where: { email } })).toBe(0);
  });
});

describe("workspace names", () => {
  it("are letters, digits, spaces and a little punctuation, at most 64 characters", async () => {
    const { auth } = await import("@/server/auth");
    const slug = () => `ws-${randomBytes(4).toString("hex")}`;
    for (const name of ["Acme <Security>", "Urgent: verify at https://evil.example", "Line\r\nBcc: x@example.test", "x".repeat(65)]) {
      await expect(auth().api.createOrganization({ body: { name, slug: slug(), userId: w.members.owner.userId } })).rejects.toMatchObject({
        statusCode: 400,
      });
    }
    const ok = await auth().api.createOrganization({ body: { name: "Müller & Söhne (EU)", slug: slug(), userId: w.members.owner.userId } });
    expect(ok?.name).toBe("Müller & Söhne (EU)");
  });
});

describe("invitations", () => {
  it(`are limited to ${INVITATION_LIMITS.perInviterPerHour} an hour per inviter`, async () => {
    for (let i = 0; i < INVITATION_LIMITS.perInviterPerHour; i++) {
      const r = await call("POST", "/invitations", { key: w.admin2.key, body: { email: address(`bulk${i}`), role: "viewer" } });
      expect(r.status, r.text).toBe(201);
    }
    const before = await prisma.invitation.count({ where: { organizationId: w.id } });
    const over = await call("POST", "/invitations", { key: w.admin2.key, body: { email: address("one-too-many"), role: "viewer" } });
    expect(over.status).toBe(429);
    expect(over.body.error.message).toMatch(/^email: you sent 20 invitations in the last hour/);
    expect(await prisma.invitation.count({ where: { organizationId: w.id } })).toBe(before);
    // Another admin of the same workspace still can.
    expect(
      (await call("POST", "/invitations", { key: w.members.admin.key, body: { email: address("other-admin"), role: "viewer" } })).status,
    ).toBe(201);
  });
});
