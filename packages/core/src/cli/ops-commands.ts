import { createPrisma } from "@parapet/db";
import { workspaceBySlug } from "../audit/audit-query.repository.ts";
import { verifyWorkspaceChain } from "../audit/verify-workspace-chain.ts";
import { AppError } from "../common/errors.ts";
import { rotateMasterKey } from "../connections/rotate-master-key.ts";
import type { TCommand } from "./commands.ts";
import { opsEnv, opsKeyring, OpsEnvError } from "./ops-env.ts";

function flag(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === `--${name}`) return args[i + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

/** `parapet audit verify --workspace <slug>`: walks the hash chain; exit 1 and the first broken link when tampered. */
export const auditCommand: TCommand = {
  usage: "parapet audit verify --workspace <slug>",
  summary: "verify a workspace's hash-chained audit log (reads DATABASE_URL); exit 1 at the first broken link",
  async run(args, io) {
    const slug = flag(args, "workspace");
    if (args[0] !== "verify" || !slug) {
      io.err(`usage: ${this.usage}\n`);
      return 2;
    }
    try {
      const env = opsEnv();
      const prisma = createPrisma({ url: env.DATABASE_URL, max: 2 });
      try {
        const v = await verifyWorkspaceChain(prisma, slug);
        if (v.ok) {
          io.out(`ok: ${v.checked} audit events of workspace ${slug} verified, chain intact\n`);
          return 0;
        }
        const b = v.firstBroken!;
        io.out(`BROKEN: workspace ${slug}: audit event seq ${b.seq} (id ${b.id}): ${b.reason}; ${v.checked} events before it verified\n`);
        return 1;
      } finally {
        await prisma.$disconnect();
      }
    } catch (e) {
      if (e instanceof OpsEnvError || e instanceof AppError) {
        io.err(`${e.message}\n`);
        return 1;
      }
      throw e;
    }
  },
};

/** `parapet keys rotate`: re-wraps every sealed secret under PARAPET_MASTER_KEY (old keys in PARAPET_MASTER_KEYS_OLD). */
export const keysCommand: TCommand = {
  usage: "parapet keys rotate [--workspace <slug>]",
  summary: "re-wrap every sealed credential and webhook secret under PARAPET_MASTER_KEY (old keys from PARAPET_MASTER_KEYS_OLD)",
  async run(args, io) {
    const slug = flag(args, "workspace");
    if (args[0] !== "rotate" || args.length !== (slug ? 3 : 1)) {
      io.err(`usage: ${this.usage}\n`);
      return 2;
    }
    try {
      const env = opsEnv();
      const keys = opsKeyring(env);
      const prisma = createPrisma({ url: env.DATABASE_URL, max: 2 });
      try {
        const ws = slug ? await workspaceBySlug(prisma, slug) : null;
        if (slug && !ws) {
          io.err(`workspace "${slug}" was not found\n`);
          return 1;
        }
        const r = await rotateMasterKey(prisma, keys, ws ? { workspaceId: ws.id } : {});
        io.out(`re-wrapped ${r.rewrapped} secrets under key "${keys.current.id}" (${r.alreadyCurrent} already current, ${r.connections} connections)\n`);
        for (const f of r.failed) io.err(`connection ${f.connectionId} ${f.what}: ${f.error}\n`);
        return r.failed.length ? 1 : 0;
      } finally {
        await prisma.$disconnect();
      }
    } catch (e) {
      if (e instanceof OpsEnvError) {
        io.err(`${e.message}\n`);
        return 1;
      }
      throw e;
    }
  },
};
