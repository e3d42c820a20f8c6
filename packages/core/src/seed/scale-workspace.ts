/**
 * Seeds a workspace at dashboard scale for the browser journeys and demos: two connections with
 * 10,000 environments in nested folders, N active guardrails, a coverage row per environment ×
 * guardrail (the status mix a real estate shows), open drift for the drifted cells, and one Parapet
 * policy per top-level folder so "where is it attached" has answers. Written with set-based SQL (a few
 * seconds); the connections are `disabled` so no worker ever tries to reach these imaginary clouds.
 *
 *   DATABASE_URL=… tsx packages/core/src/seed/scale-workspace.ts --email=someone@example.test [--password=…] [--envs=10000] [--guardrails=20]
 *
 * The user becomes the workspace's owner. With --password, a missing user is created with that password
 * (a throwaway test login: the app itself has no open sign-up, accounts come from invitations). Prints
 * one JSON line.
 */
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import { hashPassword } from "better-auth/crypto";
import { createPrisma, type PrismaClient } from "@parapet/db";

interface ScaleOptions {
  ownerEmail: string;
  /** Creates the owner with this password when no such user exists. */
  ownerPassword?: string;
  environments: number;
  guardrails: number;
}

interface ScaleResult {
  workspaceId: string;
  connections: Array<{ id: string; cloud: string; environments: number }>;
  environments: number;
  coverageRows: number;
  openDrift: number;
  seconds: number;
}

/** Folders per connection and sub-folders per folder: three levels, so the matrix shows real branches. */
const FOLDERS = 12;
const SUBFOLDERS = 4;

async function seedScaleWorkspace(prisma: PrismaClient, o: ScaleOptions): Promise<ScaleResult> {
  const t0 = performance.now();
  const user =
    (await prisma.user.findUnique({ where: { email: o.ownerEmail.toLowerCase() } })) ??
    (o.ownerPassword ? await createUser(prisma, o.ownerEmail.toLowerCase(), o.ownerPassword) : null);
  if (!user) throw new Error(`no user ${o.ownerEmail}: pass --password to create one`);
  const tag = randomBytes(4).toString("hex");
  const ws = `ws_scale_${tag}`;
  await prisma.workspace.create({ data: { id: ws, name: `Scale test ${tag}`, slug: `scale-${tag}`, createdAt: new Date() } });
  await prisma.member.create({ data: { id: `m_scale_${tag}`, organizationId: ws, userId: user.id, role: "owner", createdAt: new Date() } });
  await prisma.workspaceSettings.create({ data: { workspaceId: ws, timezone: "UTC" } });

  const aws = Math.round(o.environments * 0.7);
  const split: Array<{ cloud: "aws" | "gcp"; n: number; kind: [string, string, string, string] }> = [
    { cloud: "aws", n: aws, kind: ["root", "ou", "ou", "account"] },
    { cloud: "gcp", n: o.environments - aws, kind: ["organization", "folder", "folder", "project"] },
  ];
  const connections: ScaleResult["connections"] = [];
  for (const s of split) {
    const conn = `c_scale_${s.cloud}_${tag}`;
    connections.push({ id: conn, cloud: s.cloud, environments: s.n });
    await prisma.connection.create({
      data: {
        id: conn,
        workspaceId: ws,
        cloud: s.cloud,
        name: `Scale ${s.cloud.toUpperCase()} estate`,
        status: "disabled",
        lastDiscoveredAt: new Date(),
        lastReconciledAt: new Date(),
      },
    });
    const root = `n_${tag}_${s.cloud}_root`;
    await prisma.$executeRawUnsafe(
      `INSERT INTO node (id, "workspaceId", "connectionId", "externalId", kind, name, path, depth) VALUES ($1, $2, $3, $4, $5, $6, '/' || $1 || '/', 0)`,
      root,
      ws,
      conn,
      `${s.cloud}-root-${tag}`,
      s.kind[0],
      s.cloud === "aws" ? "Root" : "Acme organization",
    );
    await prisma.$executeRawUnsafe(
      `INSERT INTO node (id, "workspaceId", "connectionId", "externalId", kind, name, "parentId", path, depth, "effectiveLabels")
       SELECT $4 || '_f' || i, $1, $2, $4 || '-f' || i, $5, 'business-unit-' || lpad(i::text, 2, '0'), $3, '/' || $3 || '/' || $4 || '_f' || i || '/', 1,
              jsonb_build_object('env', (ARRAY['prod','nonprod','sandbox'])[1 + i % 3])
       FROM generate_series(1, ${FOLDERS}) i`,
      ws,
      conn,
      root,
      `n_${tag}_${s.cloud}`,
      s.kind[1],
    );
    await prisma.$executeRawUnsafe(
      `INSERT INTO node (id, "workspaceId", "connectionId", "externalId", kind, name, "parentId", path, depth, "effectiveLabels")
       SELECT $4 || '_f' || i || '_s' || j, $1, $2, $4 || '-f' || i || '-s' || j, $5, 'team-' || i || '-' || j, $4 || '_f' || i,
              '/' || $3 || '/' || $4 || '_f' || i || '/' || $4 || '_f' || i || '_s' || j || '/', 2,
              jsonb_build_object('env', (ARRAY['prod','nonprod','sandbox'])[1 + i % 3])
       FROM generate_series(1, ${FOLDERS}) i CROSS JOIN generate_series(1, ${SUBFOLDERS}) j`,
      ws,
      conn,
      root,
      `n_${tag}_${s.cloud}`,
      s.kind[2],
    );
    // Environments spread over the sub-folders (folder f, sub-folder sf), names sortable by number.
    await prisma.$executeRawUnsafe(
      `INSERT INTO node (id, "workspaceId", "connectionId", "externalId", kind, name, "parentId", path, depth, "isEnvironment", "effectiveLabels")
       SELECT $4 || '_e' || k, $1, $2, $4 || '-env-' || k, $5, $6 || '-' || lpad(k::text, 5, '0'), $4 || '_f' || f || '_s' || sf,
              '/' || $3 || '/' || $4 || '_f' || f || '/' || $4 || '_f' || f || '_s' || sf || '/' || $4 || '_e' || k || '/', 3, true,
              jsonb_build_object('env', (ARRAY['prod','nonprod','sandbox'])[1 + f % 3])
       FROM generate_series(1, ${s.n}) k
       CROSS JOIN LATERAL (SELECT 1 + (k % ${FOLDERS}) AS f, 1 + ((k / ${FOLDERS}) % ${SUBFOLDERS}) AS sf) x`,
      ws,
      conn,
      root,
      `n_${tag}_${s.cloud}`,
      s.kind[3],
      s.cloud === "aws" ? "account" : "project",
    );
  }
  await prisma.$executeRawUnsafe(
    `INSERT INTO guardrail (id, "workspaceId", "controlId", name, "updatedAt")
     SELECT 'g_${tag}_' || i, $1, (ARRAY['restrict-regions','deny-root-user','audit-logging-locked','no-public-data','require-encryption'])[1 + i % 5], 'Guardrail ' || lpad(i::text, 2, '0'), now()
     FROM generate_series(1, ${o.guardrails}) i`,
    ws,
  );
  await prisma.$executeRawUnsafe(
    `INSERT INTO guardrail_version (id, "guardrailId", version, params, scope, mode, remediation)
     SELECT 'gv_${tag}_' || i, 'g_${tag}_' || i, 1, '{}', '{"all":true}', (CASE WHEN i % 7 = 0 THEN 'audit' ELSE 'enforce' END)::"GuardrailMode", 'auto'
     FROM generate_series(1, ${o.guardrails}) i`,
  );
  const rows = await prisma.$executeRawUnsafe(
    `INSERT INTO coverage_row (id, "workspaceId", "connectionId", "nodeId", "guardrailId", status, fidelity, detail, "updatedAt")
     SELECT n.id || '_' || g.id, $1, n."connectionId", n.id, g.id, st.status::"CoverageStatus", CASE WHEN st.status = 'unsupported' THEN 'unsupported' ELSE 'enforced' END,
            CASE WHEN st.status = 'drifted' THEN 'the policy is not in place on ' || n."externalId" END, now()
     FROM node n CROSS JOIN guardrail g JOIN guardrail_version gv ON gv."guardrailId" = g.id
     CROSS JOIN LATERAL (SELECT abs(hashtext(n.id || g.id)) % 1000 AS h) x
     CROSS JOIN LATERAL (SELECT CASE WHEN gv.mode = 'audit' THEN (CASE WHEN h < 950 THEN 'audit' ELSE 'unsupported' END)
                                     WHEN h < 880 THEN 'enforced' WHEN h < 930 THEN 'audit' WHEN h < 950 THEN 'exempt' WHEN h < 975 THEN 'drifted'
                                     WHEN h < 990 THEN 'unsupported' ELSE 'unknown' END AS status) st
     WHERE n."workspaceId" = $1 AND n."isEnvironment" AND g."workspaceId" = $1`,
    ws,
  );
  const drift = await prisma.$executeRawUnsafe(
    `INSERT INTO drift_finding (id, "workspaceId", "connectionId", "guardrailId", "nodeId", kind, status, fingerprint, summary, "openedAt", "lastSeenAt")
     SELECT 'd_' || c.id, $1, c."connectionId", c."guardrailId", c."nodeId", (ARRAY['missing','modified','detached','weakened']::"DriftKind"[])[1 + abs(hashtext(c.id)) % 4], 'open',
            'scale|' || c.id, 'Guardrail artifact changed outside Parapet', now() - (abs(hashtext(c.id)) % 86400) * interval '1 second', now()
     FROM coverage_row c WHERE c."workspaceId" = $1 AND c.status = 'drifted'`,
    ws,
  );
  // One policy per business unit carrying every guardrail: the attachment point of its environments.
  await prisma.$executeRawUnsafe(
    `INSERT INTO artifact (id, "workspaceId", "connectionId", kind, name, "externalId", "contentHash", content, attachments, "guardrailIds", state, "updatedAt")
     SELECT 'a_' || f.id, $1, f."connectionId", CASE WHEN c.cloud = 'aws' THEN 'aws.scp' ELSE 'gcp.deny-policy' END, 'parapet-' || f."externalId", 'p-' || f."externalId", 'h', '{}',
            jsonb_build_array(f."externalId"), (SELECT array_agg(g.id ORDER BY g.id) FROM guardrail g WHERE g."workspaceId" = $1), 'applied', now()
     FROM node f JOIN connection c ON c.id = f."connectionId" WHERE f."workspaceId" = $1 AND f.depth = 1`,
    ws,
  );
  await prisma.$executeRawUnsafe(`ANALYZE node`);
  await prisma.$executeRawUnsafe(`ANALYZE coverage_row`);
  return {
    workspaceId: ws,
    connections,
    environments: o.environments,
    coverageRows: rows,
    openDrift: drift,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** A user with an e-mail/password login, stored the way better-auth's sign-up stores it (its own password hash). */
async function createUser(prisma: PrismaClient, email: string, password: string) {
  const id = `u_scale_${randomBytes(8).toString("hex")}`;
  const user = await prisma.user.create({ data: { id, email, name: "Scale Tester" } });
  await prisma.authAccount.create({
    data: { id: `acc_${id}`, accountId: id, providerId: "credential", userId: id, password: await hashPassword(password) },
  });
  return user;
}

function arg(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const email = arg("email");
  if (!email) {
    console.error(
      "usage: tsx packages/core/src/seed/scale-workspace.ts --email=<user> [--password=<creates the user if missing>] [--envs=10000] [--guardrails=20]",
    );
    process.exit(2);
  }
  const prisma = createPrisma({ max: 2 });
  try {
    const password = arg("password");
    const r = await seedScaleWorkspace(prisma, {
      ownerEmail: email,
      ...(password ? { ownerPassword: password } : {}),
      environments: Number(arg("envs") ?? 10_000),
      guardrails: Number(arg("guardrails") ?? 20),
    });
    console.log(JSON.stringify(r));
  } finally {
    await prisma.$disconnect();
  }
}
