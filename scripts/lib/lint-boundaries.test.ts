import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";

/**
 * Proof that the layering rules of eslint.config.js (lint/boundaries.js) still match: small snippets are
 * linted as if they were at representative paths, and each forbidden import or Prisma call must be
 * reported, each allowed one not. Type information is switched off (the boundary rules are syntactic),
 * so this runs in seconds; the real config file is loaded, so dropping the rules from it fails here.
 */
const root = fileURLToPath(new URL("../..", import.meta.url));
const eslint = new ESLint({
  cwd: root,
  overrideConfig: [tseslint.configs.disableTypeChecked, { linterOptions: { reportUnusedDisableDirectives: "off" } }],
});

async function boundaryMessages(path: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: `${root}/${path}` });
  return (r?.messages ?? [])
    .filter((m) => m.ruleId === "no-restricted-imports" || m.ruleId === "no-restricted-syntax")
    .map((m) => m.message);
}

const cases: Array<{ name: string; path: string; code: string; boundary: string | null }> = [
  // (a) apps/web
  {
    name: "web route imports @parapet/db",
    path: "apps/web/src/app/api/v1/x/route.ts",
    code: `import { Prisma } from "@parapet/db";\nexport const x = Prisma;`,
    boundary: "web-db",
  },
  {
    name: "web route imports @parapet/db as a type",
    path: "apps/web/src/app/api/v1/x/route.ts",
    code: `import type { PrismaClient } from "@parapet/db";\nexport type X = PrismaClient;`,
    boundary: "web-db",
  },
  {
    name: "web page imports a core repository",
    path: "apps/web/src/app/(console)/x/page.tsx",
    code: `import { listConnections } from "@parapet/core/connections/connections.repository";\nexport const x = listConnections;`,
    boundary: "web-db",
  },
  {
    name: "web server module queries a model",
    path: "apps/web/src/server/x.ts",
    code: `import { prisma } from "./clients";\nexport const x = () => prisma().member.findMany({});`,
    boundary: "web-db",
  },
  {
    name: "web server module runs raw SQL",
    path: "apps/web/src/server/x.ts",
    code: 'import { prisma } from "./clients";\nexport const x = () => prisma().$queryRaw`SELECT 1`;',
    boundary: "web-db",
  },
  {
    name: "web imports the worker",
    path: "apps/web/src/server/x.ts",
    code: `import { main } from "../../../worker/src/main.ts";\nexport const x = main;`,
    boundary: "no-apps",
  },
  {
    name: "web composition root imports @parapet/db",
    path: "apps/web/src/server/clients.ts",
    code: `import { getPrisma } from "@parapet/db";\nexport const prisma = () => getPrisma();`,
    boundary: null,
  },
  {
    name: "web route calls a core service",
    path: "apps/web/src/app/api/v1/x/route.ts",
    code: `import { getConnection } from "@parapet/core/connections/get-connection";\nexport const x = getConnection;`,
    boundary: null,
  },
  {
    name: "web integration test seeds through @parapet/db",
    path: "apps/web/src/app/api/v1/_tests/x.int.test.ts",
    code: `import { createPrisma } from "@parapet/db";\nexport const x = () => createPrisma().member.findMany({});`,
    boundary: null,
  },
  // (b) packages/core
  {
    name: "core service queries a model",
    path: "packages/core/src/connections/x.ts",
    code: `import type { PrismaClient } from "@parapet/db";\nexport const x = (db: PrismaClient) => db.connection.findMany({});`,
    boundary: "core-prisma",
  },
  {
    name: "core service opens a transaction",
    path: "packages/core/src/connections/x.ts",
    code: `import type { PrismaClient } from "@parapet/db";\nexport const x = (db: PrismaClient) => db.$transaction(async () => 1);`,
    boundary: "core-prisma",
  },
  {
    name: "core service uses the Prisma namespace",
    path: "packages/core/src/reports/x.ts",
    code: `import { Prisma } from "@parapet/db";\nexport const x = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError;`,
    boundary: "core-prisma",
  },
  {
    name: "core service value-imports the client",
    path: "packages/core/src/reports/x.ts",
    code: `import { createPrisma } from "@parapet/db";\nexport const x = createPrisma;`,
    boundary: "core-prisma",
  },
  {
    name: "core service names the handle type",
    path: "packages/core/src/connections/x.ts",
    code: `import type { PrismaClient, Tx } from "@parapet/db";\nimport { listConnections } from "./connections.repository.ts";\nexport const x = (db: PrismaClient | Tx) => listConnections(db, "w");`,
    boundary: null,
  },
  {
    name: "core repository queries a model",
    path: "packages/core/src/connections/x.repository.ts",
    code: `import { Prisma, type PrismaClient } from "@parapet/db";\nexport const x = (db: PrismaClient) => db.connection.findMany({ where: Prisma.skip ? {} : {} });`,
    boundary: null,
  },
  {
    name: "core CLI creates its client",
    path: "packages/core/src/cli/x.ts",
    code: `import { createPrisma } from "@parapet/db";\nexport const x = () => createPrisma().workspace.count();`,
    boundary: null,
  },
  // (c) packages/providers
  {
    name: "provider imports core",
    path: "packages/providers/src/aws/x.ts",
    code: `import { AppError } from "@parapet/core/common/errors";\nexport const x = AppError;`,
    boundary: "providers-own",
  },
  {
    name: "provider imports the db",
    path: "packages/providers/src/gcp/x.ts",
    code: `import { getPrisma } from "@parapet/db";\nexport const x = getPrisma;`,
    boundary: "providers-own",
  },
  {
    name: "provider reaches into core by path",
    path: "packages/providers/src/oci/x.ts",
    code: `import { x as y } from "../../../core/src/common/errors.ts";\nexport const x = y;`,
    boundary: "providers-own",
  },
  {
    name: "provider unit test imports the simulators",
    path: "packages/providers/src/aws/x.test.ts",
    code: `import { startAwsSim } from "@parapet/cloud-sim/aws/index";\nexport const x = startAwsSim;`,
    boundary: "providers-own",
  },
  {
    name: "provider integration test starts the simulators",
    path: "packages/providers/src/aws/x.int.test.ts",
    code: `import { startAwsSim } from "@parapet/cloud-sim/aws/index";\nexport const x = startAwsSim;`,
    boundary: null,
  },
  {
    name: "provider integration test imports core",
    path: "packages/providers/src/aws/x.int.test.ts",
    code: `import { AppError } from "@parapet/core/common/errors";\nexport const x = AppError;`,
    boundary: "providers-own",
  },
  {
    name: "provider imports a shared helper and an SDK",
    path: "packages/providers/src/aws/x.ts",
    code: `import { sleep } from "../common/sleep.ts";\nimport { z } from "zod";\nexport const x = [sleep, z];`,
    boundary: null,
  },
  // (d) core → apps / providers' internals; nothing imports apps
  {
    name: "core imports the web app",
    path: "packages/core/src/common/x.ts",
    code: `import { env } from "../../../../apps/web/src/env.ts";\nexport const x = env;`,
    boundary: "no-apps",
  },
  {
    name: "core test imports the worker",
    path: "packages/core/src/common/x.test.ts",
    code: `import { main } from "@parapet/worker/main";\nexport const x = main;`,
    boundary: "no-apps",
  },
  {
    name: "core imports a provider adapter",
    path: "packages/core/src/reconcile/x.ts",
    code: `import { createGcpAdapter } from "@parapet/providers/gcp/adapter";\nexport const x = createGcpAdapter;`,
    boundary: "core-imports",
  },
  {
    name: "core imports a provider's SDK client",
    path: "packages/core/src/reconcile/x.ts",
    code: `import { client } from "@parapet/providers/aws/client";\nexport const x = client;`,
    boundary: "core-imports",
  },
  {
    name: "core imports the providers' public modules",
    path: "packages/core/src/catalog/x.ts",
    code: `import type { Cloud } from "@parapet/providers/contract";\nimport { packAws } from "@parapet/providers/aws/packing";\nimport { checkEndpointUrl } from "@parapet/providers/egress/index";\nexport const x: [Cloud?, unknown?, unknown?] = [undefined, packAws, checkEndpointUrl];`,
    boundary: null,
  },
  {
    name: "the db package imports an app",
    path: "packages/db/src/x.ts",
    code: `import { env } from "../../../apps/worker/src/env.ts";\nexport const x = env;`,
    boundary: "no-apps",
  },
  {
    name: "the simulators import an app",
    path: "packages/cloud-sim/src/aws/x.ts",
    code: `import { env } from "@parapet/web/env";\nexport const x = env;`,
    boundary: "no-apps",
  },
  // (e) apps/worker
  {
    name: "worker imports @parapet/db",
    path: "apps/worker/src/workers/x.worker.ts",
    code: `import type { PrismaClient } from "@parapet/db";\nexport type X = PrismaClient;`,
    boundary: "worker-db",
  },
  {
    name: "worker queries a model",
    path: "apps/worker/src/workers/x.worker.ts",
    code: `export const x = (deps: { prisma: { connection: { findUnique(a: unknown): unknown } } }) => deps.prisma.connection.findUnique({});`,
    boundary: "worker-db",
  },
  {
    name: "worker imports the web app",
    path: "apps/worker/src/x.ts",
    code: `import { env } from "../../web/src/env.ts";\nexport const x = env;`,
    boundary: "no-apps",
  },
  {
    name: "worker calls a core repository",
    path: "apps/worker/src/x.ts",
    code: `import { releaseLeasesHeldBy } from "@parapet/core/reconcile/lease.repository";\nexport const x = releaseLeasesHeldBy;`,
    boundary: null,
  },
  {
    name: "worker composition root creates the client",
    path: "apps/worker/src/main.ts",
    code: `import { createPrisma } from "@parapet/db";\nexport const x = createPrisma;`,
    boundary: null,
  },
];

describe("layering boundaries (lint/boundaries.js)", () => {
  it.each(cases)("$name → $boundary", async ({ path, code, boundary }) => {
    const messages = await boundaryMessages(path, code);
    if (boundary === null) expect(messages).toEqual([]);
    else
      expect(
        messages.some((m) => m.includes(`[${boundary}]`)),
        messages.join("\n") || "nothing reported",
      ).toBe(true);
  });

  it("the allowlist is one exported constant whose entries say why", async () => {
    const { BOUNDARY_ALLOWLIST } = await import("../../lint/boundaries.js");
    for (const a of BOUNDARY_ALLOWLIST) {
      expect(a.files.length).toBeGreaterThan(0);
      expect(a.why.length).toBeGreaterThan(20);
      // Each allowlisted file says so itself, next to the code that needs it.
      for (const f of a.files) expect(readFileSync(`${root}/${f.replace(/\[\[\]/g, "[")}`, "utf8"), f).toContain("BOUNDARY_ALLOWLIST");
    }
  });
});
