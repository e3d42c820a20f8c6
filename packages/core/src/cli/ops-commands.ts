import { createPrisma, Prisma, probeDatabase, type PrismaClient } from "@parapet/db";
import { workspaceBySlug } from "../audit/audit-query.repository.ts";
import { verifyWorkspaceChain } from "../audit/verify-workspace-chain.ts";
import { describeConnectError } from "../common/connectivity.ts";
import { AppError } from "../common/errors.ts";
import { unstorableString } from "../common/unstorable.ts";
import { rotateMasterKey } from "../connections/rotate-master-key.ts";
import type { TCommand } from "./commands.ts";
import { OPS_USAGE } from "./ops-usage.ts";
import { opsAuditConfig, opsEnv, opsKeyring, OpsEnvError } from "./ops-env.ts";
import { configureAudit } from "../audit/audit-keys.ts";
import { writeCheckpoint } from "../audit/checkpoints.ts";

function flag(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === `--${name}`) return args[i + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

/**
 * Runs `fn` against DATABASE_URL. An unreachable database, or one without Parapet's tables, is one
 * line naming DATABASE_URL (password redacted), not a driver stack trace.
 */
async function withDatabase<T>(url: string, fn: (prisma: PrismaClient) => Promise<T>): Promise<T> {
  try {
    await probeDatabase(url);
  } catch (e) {
    throw new OpsEnvError(describeConnectError(e, "DATABASE_URL", url));
  }
  const prisma = createPrisma({ url, max: 2 });
  try {
    return await fn(prisma);
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError) {
      throw new OpsEnvError(
        e.code === "P2021" || e.code === "P2022"
          ? "DATABASE_URL: the database has no Parapet schema (apply the migrations first)"
          : `DATABASE_URL: the database refused the query (${e.code})`,
      );
    }
    if (e instanceof Prisma.PrismaClientInitializationError || e instanceof Prisma.PrismaClientUnknownRequestError)
      throw new OpsEnvError(`DATABASE_URL: database error (${e.name})`);
    throw e;
  } finally {
    await prisma.$disconnect();
  }
}

/** A workspace slug as typed: bounded, and text the database can compare (no NUL). */
function checkSlug(slug: string): void {
  if (slug.length > 200 || unstorableString(slug, []))
    throw new OpsEnvError(
      `--workspace: expected a workspace slug, got "${slug.slice(0, 40).replace(/[^\x20-\x7e]/g, "?")}${slug.length > 40 ? "…" : ""}"`,
    );
}

/**
 * `parapet audit verify|checkpoint --workspace <slug>`: verify walks the keyed chain and compares it with
 * the latest checkpoint (exit 1 and the first broken link when tampered); checkpoint signs the current
 * head into PARAPET_AUDIT_CHECKPOINT_DIR.
 */
export const auditCommand: TCommand = {
  ...OPS_USAGE.audit,
  async run(args, io) {
    const slug = flag(args, "workspace");
    if ((args[0] !== "verify" && args[0] !== "checkpoint") || !slug) {
      io.err(`usage: ${this.usage}\n`);
      return 2;
    }
    try {
      checkSlug(slug);
      const env = opsEnv();
      // After the database answers, so an unreachable one is the first thing reported.
      const keyed = <T>(fn: (prisma: PrismaClient) => Promise<T>) =>
        withDatabase(env.DATABASE_URL, (prisma) => {
          configureAudit(opsAuditConfig(env));
          return fn(prisma);
        });
      if (args[0] === "checkpoint") {
        const r = await keyed(async (prisma) => {
          const ws = await workspaceBySlug(prisma, slug);
          if (!ws) throw new OpsEnvError(`--workspace: no workspace "${slug}"`);
          return writeCheckpoint(prisma, ws.id, { force: true });
        });
        if (r.written) {
          io.out(`ok: checkpoint of workspace ${slug} at seq ${r.checkpoint.seq} written\n`);
          return 0;
        }
        io.out(
          r.reason === "disabled"
            ? "not written: PARAPET_AUDIT_CHECKPOINT_DIR is not set\n"
            : `not written: the chain is broken (${r.detail ?? r.reason}); run audit verify\n`,
        );
        return 1;
      }
      const v = await keyed((prisma) => verifyWorkspaceChain(prisma, slug));
      const cp = v.checkpoint ? `, checkpoint of ${v.checkpoint.at} (seq ${v.checkpoint.seq}) matched` : ", no checkpoint to compare with";
      if (v.ok) {
        io.out(`ok: ${v.checked} audit events of workspace ${slug} verified, chain intact${cp}\n`);
        return 0;
      }
      const b = v.firstBroken!;
      io.out(
        `BROKEN: workspace ${slug}: audit event seq ${b.seq}${b.id ? ` (id ${b.id})` : ""}: ${b.reason}; ${v.checked} events before it verified\n`,
      );
      return 1;
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
  ...OPS_USAGE.keys,
  async run(args, io) {
    const slug = flag(args, "workspace");
    if (args[0] !== "rotate" || args.length !== (slug ? 3 : 1)) {
      io.err(`usage: ${this.usage}\n`);
      return 2;
    }
    try {
      if (slug) checkSlug(slug);
      const env = opsEnv();
      const keys = opsKeyring(env);
      return await withDatabase(env.DATABASE_URL, async (prisma) => {
        // Rotation appends audit events: they are keyed like every other.
        configureAudit(opsAuditConfig(env));
        const ws = slug ? await workspaceBySlug(prisma, slug) : null;
        if (slug && !ws) {
          io.err(`--workspace: workspace "${slug}" was not found\n`);
          return 1;
        }
        const r = await rotateMasterKey(prisma, keys, ws ? { workspaceId: ws.id } : {});
        io.out(
          `re-wrapped ${r.rewrapped} secrets under key "${keys.current.id}" (${r.alreadyCurrent} already current, ${r.connections} connections)\n`,
        );
        for (const f of r.failed) io.err(`connection ${f.connectionId} ${f.what}: ${f.error}\n`);
        return r.failed.length ? 1 : 0;
      });
    } catch (e) {
      if (e instanceof OpsEnvError) {
        io.err(`${e.message}\n`);
        return 1;
      }
      throw e;
    }
  },
};
