/**
 * A database whose demo secrets were sealed by another checkout is refused with a message naming the
 * cause (issue 22, finding 9), instead of the demo crashing on AES-GCM's "unable to authenticate data".
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { openEventSecret, parseMasterKey, sealCredentials, sealEventSecret, type Keyring } from "@parapet/core";
import { createTestUser, createTestWorkspace, testPrisma, uid } from "@parapet/core/testing/db";
import { assertSealedWithOurKey, ForeignKeyError } from "./checkout.ts";

const prisma = testPrisma();
const where = { database: "parapet_demo_other_1234abcd", secretsFile: "/checkout/.data/secrets.json" };

/** A checkout's demo keyring: a fresh key under the id every demo uses (made unique to this test run). */
function checkoutKeys(id: string): Keyring {
  const current = parseMasterKey(id, randomBytes(32).toString("base64"));
  return { current, all: [current] };
}

async function sealedConnection(keys: Keyring) {
  const ws = await createTestWorkspace(prisma);
  const owner = await createTestUser(prisma, ws.id);
  const c = await prisma.connection.create({
    data: { id: uid("c"), workspaceId: ws.id, cloud: "aws", name: uid("n"), createdById: owner.id },
  });
  return prisma.connection.update({
    where: { id: c.id },
    data: {
      credentialCiphertext: sealCredentials(keys, c.id, { kind: "x" }),
      credentialKeyId: keys.current.id,
      eventSecretCiphertext: sealEventSecret(keys, c.id, "s"),
    },
  });
}

describe("assertSealedWithOurKey", () => {
  it("refuses a database another checkout's demo sealed, naming the database, the cause and the way out", async () => {
    const keyId = uid("demo-k1-");
    const first = checkoutKeys(keyId);
    const conn = await sealedConnection(first);
    const second = checkoutKeys(keyId);
    // What the second checkout's demo hit before: the bare cipher error.
    expect(() => openEventSecret(second, conn.id, conn.eventSecretCiphertext!)).toThrow(/unable to authenticate data/);
    const err = await assertSealedWithOurKey(prisma, second, where).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ForeignKeyError);
    expect((err as Error).message).toContain(
      "database parapet_demo_other_1234abcd holds connection secrets sealed with another master key",
    );
    expect((err as Error).message).toContain("another checkout's demo");
    expect((err as Error).message).toContain("/checkout/.data/secrets.json");
    expect((err as Error).message).toContain("DATABASE_URL");
  });

  it("accepts the checkout's own database, and one with nothing sealed under its key id yet", async () => {
    const keyId = uid("demo-k1-");
    const own = checkoutKeys(keyId);
    await sealedConnection(own);
    await expect(assertSealedWithOurKey(prisma, own, where)).resolves.toBeUndefined();
    await expect(assertSealedWithOurKey(prisma, checkoutKeys(uid("demo-k1-")), where)).resolves.toBeUndefined();
  });
});
