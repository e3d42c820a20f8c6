/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * Issue 18: the invitation accept endpoint's password step spends from the sign-in endpoint's own
 * per-IP bucket, so alternating between the two buys no extra attempts.
 */
import { afterAll, describe, expect, it } from "vitest";
import { getPrisma } from "@parapet/db";
import { call } from "./harness.ts";
import { callAuth } from "./auth-harness.ts";

// Before the first request reads the environment: three sign-in attempts per minute.
process.env.PARAPET_SIGNIN_PER_MINUTE = "3";
const prisma = getPrisma();
afterAll(async () => {
  await prisma.$disconnect();
});

describe("invitation accept behind the sign-in rate limiter", () => {
  it("password attempts at accept and at sign-in share one per-IP budget", async () => {
    const body = { token: "v1.not-a-real-invitation", password: "a long enough password", name: "Sam" };
    for (let i = 0; i < 2; i++) {
      const r = await call("POST", "/invitations/accept", { body });
      expect(r.status, r.text).toBe(422);
    }
    const signIn = await callAuth("POST", "/sign-in/email", { body: { email: "nobody@example.test", password: "wrong password!" } });
    expect(signIn.status).toBe(401);
    // The budget of three is spent: both doors now refuse.
    const limited = await call("POST", "/invitations/accept", { body });
    expect(limited.status).toBe(429);
    expect(limited.body.error.message).toMatch(/^password: too many sign-in attempts; try again in \d+ s$/);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await callAuth("POST", "/sign-in/email", { body: { email: "nobody@example.test", password: "wrong password!" } })).status).toBe(
      429,
    );
    // Without a password (the signed-in path) nothing is spent and the token is judged as before.
    const tokenOnly = await call("POST", "/invitations/accept", { body: { token: body.token } });
    expect(tokenOnly.status).toBe(422);
  });
});
