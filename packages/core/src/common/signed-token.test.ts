import { describe, expect, it } from "vitest";
import { signInvitationToken, verifyInvitationToken } from "../members/invitation-token.ts";
import { signUnsubscribeToken, verifyUnsubscribeToken } from "../reports/unsubscribe-token.ts";
import { signIdToken, verifyIdToken } from "./signed-token.ts";

const secret = "a-deployment-secret-of-some-length";

describe("signed id tokens", () => {
  it("verify for their own purpose and secret only", () => {
    const t = signIdToken(secret, "p1", "abc_123");
    expect(verifyIdToken(secret, "p1", t)).toBe("abc_123");
    expect(verifyIdToken(secret, "p2", t)).toBeNull();
    expect(verifyIdToken(`${secret}x`, "p1", t)).toBeNull();
    expect(verifyIdToken(secret, "p1", `${t.slice(0, -1)}A`)).toBeNull();
    expect(verifyIdToken(secret, "p1", t.replace("abc_123", "abc_124"))).toBeNull();
    for (const bad of [null, undefined, "", "v1..x", "v2.abc.xyz", "x".repeat(500)]) expect(verifyIdToken(secret, "p1", bad)).toBeNull();
    expect(() => signIdToken("short", "p1", "a")).toThrow(/at least 16/);
  });

  it("an unsubscribe token is no invitation, and the reverse", () => {
    expect(verifyInvitationToken(secret, signUnsubscribeToken(secret, "sub1"))).toBeNull();
    expect(verifyUnsubscribeToken(secret, signInvitationToken(secret, "inv1"))).toBeNull();
    expect(verifyUnsubscribeToken(secret, signUnsubscribeToken(secret, "sub1"))).toBe("sub1");
    expect(verifyInvitationToken(secret, signInvitationToken(secret, "inv1"))).toEqual({ id: "inv1", mailboxProven: false });
    expect(verifyUnsubscribeToken(secret, signInvitationToken(secret, "inv1", "mailed"))).toBeNull();
  });

  it("only the mailed invitation link proves the mailbox; the inviter's copy cannot be turned into it", () => {
    const shown = signInvitationToken(secret, "inv1");
    const mailed = signInvitationToken(secret, "inv1", "mailed");
    expect(mailed).not.toBe(shown);
    expect(verifyInvitationToken(secret, mailed)).toEqual({ id: "inv1", mailboxProven: true });
    expect(verifyInvitationToken(secret, shown)).toEqual({ id: "inv1", mailboxProven: false });
    expect(verifyInvitationToken(secret, `${mailed.slice(0, -4)}AAAA`)).toBeNull();
  });
});
