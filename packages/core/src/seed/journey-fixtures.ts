/**
 * Fixtures for the browser journeys that need a fresh identity rather than the shared demo workspace
 * (issue 18's sign-in journeys: enrolling MFA, ending sessions, SSO), written straight into the stack's
 * database as the scale seed does:
 *
 *   DATABASE_URL=… tsx packages/core/src/seed/journey-fixtures.ts workspace --email=… --password=… [--name=…]
 *     a new workspace owned by a new password user; prints {"workspaceId","userId"}
 *   DATABASE_URL=… tsx packages/core/src/seed/journey-fixtures.ts verify-sso-domain --provider=…
 *     marks an SSO provider's domain verified: the journey cannot publish a DNS TXT record, and the
 *     DNS override (PARAPET_SSO_DNS_OVERRIDE) is refused by a production build; verification itself is
 *     tested against the real use-case in sso-oidc.int.test.ts
 *
 * The app itself has no open sign-up (accounts come from invitations): these are throwaway test logins.
 */
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import { hashPassword } from "better-auth/crypto";
import { createPrisma } from "@parapet/db";

function arg(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const cmd = process.argv[2];
  const prisma = createPrisma({ max: 2 });
  try {
    if (cmd === "workspace") {
      const email = arg("email")?.toLowerCase();
      const password = arg("password");
      if (!email || !password) throw new Error("workspace needs --email and --password");
      const tag = randomBytes(6).toString("hex");
      const userId = `u_journey_${tag}`;
      const workspaceId = `ws_journey_${tag}`;
      await prisma.user.create({ data: { id: userId, email, name: email.split("@")[0]!, emailVerified: true } });
      await prisma.authAccount.create({
        data: { id: `acc_${userId}`, accountId: userId, providerId: "credential", userId, password: await hashPassword(password) },
      });
      await prisma.workspace.create({
        data: { id: workspaceId, name: arg("name") ?? `Journey ${tag}`, slug: `journey-${tag}`, createdAt: new Date() },
      });
      await prisma.member.create({
        data: { id: `m_journey_${tag}`, organizationId: workspaceId, userId, role: "owner", createdAt: new Date() },
      });
      await prisma.workspaceSettings.create({ data: { workspaceId, timezone: "UTC" } });
      console.log(JSON.stringify({ workspaceId, userId }));
    } else if (cmd === "verify-sso-domain") {
      const providerId = arg("provider");
      if (!providerId) throw new Error("verify-sso-domain needs --provider");
      const n = await prisma.ssoProvider.updateMany({ where: { providerId }, data: { domainVerified: true } });
      if (n.count !== 1) throw new Error(`no SSO provider ${providerId}`);
      console.log(JSON.stringify({ providerId, domainVerified: true }));
    } else {
      console.error("usage: journey-fixtures.ts workspace --email=… --password=… [--name=…] | verify-sso-domain --provider=…");
      process.exit(2);
    }
  } finally {
    await prisma.$disconnect();
  }
}
