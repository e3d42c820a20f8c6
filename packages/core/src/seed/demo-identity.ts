import type { PrismaClient } from "@parapet/db";
import type { ParapetAuth } from "../identity/auth.ts";
import type { Role } from "../identity/roles.ts";

/** The demo login printed by the start command. Demo mode only; never used elsewhere. */
export const DEMO_USERS: ReadonlyArray<{ email: string; name: string; password: string; role: Role }> = [
  { email: "demo@parapet.local", name: "Dana Demo", password: "parapet-demo-2026", role: "owner" },
  { email: "approver@parapet.local", name: "Avery Approver", password: "parapet-demo-2026", role: "approver" },
  { email: "viewer@parapet.local", name: "Vic Viewer", password: "parapet-demo-2026", role: "viewer" },
];
const DEMO_WORKSPACE = { name: "Acme Corp", slug: "acme" } as const;

/**
 * Creates the demo users and workspace through better-auth's own API (so passwords are hashed its
 * way), and adds the other demo members with their roles. Idempotent: re-running changes nothing.
 */
export async function seedDemoIdentity(prisma: PrismaClient, auth: ParapetAuth): Promise<{ workspaceId: string; ownerId: string }> {
  const ids: Record<string, string> = {};
  for (const u of DEMO_USERS) {
    const existing = await prisma.user.findUnique({ where: { email: u.email } });
    if (existing) {
      ids[u.email] = existing.id;
      continue;
    }
    const res = await auth.api.signUpEmail({ body: { email: u.email, password: u.password, name: u.name } });
    ids[u.email] = res.user.id;
  }
  // The demo's addresses are its own (parapet.local): they stand verified, so the demo approver can
  // decide approvals (deciding needs a verified address; see approvals/decide-approval.ts).
  await prisma.user.updateMany({ where: { id: { in: Object.values(ids) }, emailVerified: false }, data: { emailVerified: true } });
  const ownerId = ids[DEMO_USERS[0]!.email]!;
  let ws = await prisma.workspace.findUnique({ where: { slug: DEMO_WORKSPACE.slug } });
  if (!ws) {
    const created = await auth.api.createOrganization({
      body: { name: DEMO_WORKSPACE.name, slug: DEMO_WORKSPACE.slug, userId: ownerId },
    });
    if (!created) throw new Error("could not create the demo workspace");
    ws = await prisma.workspace.findUniqueOrThrow({ where: { id: created.id } });
  }
  for (const u of DEMO_USERS.slice(1)) {
    const userId = ids[u.email]!;
    const member = await prisma.member.findUnique({
      where: { organizationId_userId: { organizationId: ws.id, userId } },
    });
    if (!member) await auth.api.addMember({ body: { userId, organizationId: ws.id, role: u.role } });
  }
  await prisma.workspaceSettings.upsert({
    where: { workspaceId: ws.id },
    create: { workspaceId: ws.id, timezone: "Europe/London" },
    update: {},
  });
  return { workspaceId: ws.id, ownerId };
}
