// Layering rules the build enforces (issue 14). eslint.config.js spreads `boundaryConfigs` after its own
// rules, so `pnpm check` (eslint + typecheck) fails when code crosses a boundary. The rules are ESLint's
// built-in `no-restricted-imports` and `no-restricted-syntax`, configured per area below; the proof that they
// still match is scripts/lib/lint-boundaries.test.ts. The rules in words are in docs/ARCHITECTURE.md
// ("Boundaries the build enforces").
import { readdirSync, readFileSync } from "node:fs";

/**
 * Files that break a boundary on purpose. Each entry names the files, the boundary ids it may break
 * and why; each listed file also says why in a comment of its own. Keep it short: a new entry needs
 * a reason a reviewer accepts, and moving the code behind a repository is the usual answer.
 *
 * Boundary ids: "web-db" (a), "core-prisma" (b), "providers-own" (c), "core-imports" / "no-apps" (d),
 * "worker-db" (e).
 * @type {ReadonlyArray<{ files: string[], boundaries: string[], why: string }>}
 */
export const BOUNDARY_ALLOWLIST = [];

/**
 * Not allowlisted but outside the rules by design (documented in docs/ARCHITECTURE.md): tests and
 * test support seed and inspect rows directly; core's CLI and seed scripts are database scripts that
 * create their own client.
 */
export const TEST_FILES = ["**/*.test.ts", "**/*.test.tsx", "**/_tests/**", "**/testing/**", "apps/worker/src/faults/**"];
export const CORE_DB_SCRIPTS = ["packages/core/src/cli/**", "packages/core/src/seed/**"];

/** The files that wire services to the database client (composition roots). */
export const WEB_COMPOSITION_ROOT = ["apps/web/src/server/clients.ts"];
export const WORKER_COMPOSITION_ROOT = ["apps/worker/src/main.ts"];

/**
 * What core may import from packages/providers: the contract, the egress guard's entry, limit errors,
 * and per cloud the pure modules (packing, ownership markers, artifact types, credential schemas,
 * permission lists). Adapters, SDK clients, and the per-capability files are the providers' internals:
 * only the worker composes adapters.
 */
export const PROVIDERS_PUBLIC_MODULES = [
  "@parapet/providers",
  "@parapet/providers/contract",
  "@parapet/providers/egress/index",
  "@parapet/providers/common/limit-error",
  ...["aws", "azure", "gcp", "oci"].flatMap((c) =>
    // audit-records: pure parsers of each cloud's audit-log entries and exports (the CLI's offline impact replay).
    ["packing", "markers", "types", "credentials", "permissions", "audit-records"].map((m) => `@parapet/providers/${c}/${m}`),
  ),
];

/** Prisma's model delegates (`db.<model>.<method>`), read from the schema so a new model is covered. */
export const PRISMA_MODELS = readdirSync(new URL("../prisma/schema/", import.meta.url))
  .filter((f) => f.endsWith(".prisma"))
  .flatMap((f) =>
    [...readFileSync(new URL(`../prisma/schema/${f}`, import.meta.url), "utf8").matchAll(/^model\s+(\w+)\s*\{/gm)].map((m) => m[1]),
  )
  .map((name) => name[0].toLowerCase() + name.slice(1))
  .sort();

const DELEGATE_METHODS = [
  "findUnique",
  "findUniqueOrThrow",
  "findFirst",
  "findFirstOrThrow",
  "findMany",
  "create",
  "createMany",
  "createManyAndReturn",
  "update",
  "updateMany",
  "updateManyAndReturn",
  "upsert",
  "delete",
  "deleteMany",
  "count",
  "aggregate",
  "groupBy",
];
const CLIENT_METHODS = ["$transaction", "$queryRaw", "$queryRawUnsafe", "$executeRaw", "$executeRawUnsafe", "$runCommandRaw"];

const alt = (xs) => xs.map((x) => x.replace(/\$/g, "\\$")).join("|");
const DB = "@parapet/db";

/** Prisma used directly: a model delegate call, a client call ($transaction, raw SQL), or the `Prisma` namespace. */
const prismaSyntax = (boundary, where) => [
  {
    selector: `CallExpression > MemberExpression.callee[property.name=/^(${alt(DELEGATE_METHODS)})$/] > MemberExpression.object[property.name=/^(${alt(PRISMA_MODELS)})$/]`,
    message: `[${boundary}] Prisma model query ${where}: move it into a *.repository.ts function (see docs/ARCHITECTURE.md, "Boundaries the build enforces").`,
  },
  {
    selector: `:matches(CallExpression > MemberExpression.callee, TaggedTemplateExpression > MemberExpression.tag)[property.name=/^(${alt(CLIENT_METHODS)})$/]`,
    message: `[${boundary}] Prisma client call ($transaction / raw SQL) ${where}: move it into a *.repository.ts function.`,
  },
  {
    selector: `:matches(ImportDeclaration, ExportNamedDeclaration, ExportAllDeclaration)[source.value='${DB}'] :matches(ImportSpecifier[imported.name!=/^(PrismaClient|Tx)$/], ImportNamespaceSpecifier, ImportDefaultSpecifier, ExportSpecifier), ExportAllDeclaration[source.value='${DB}'], ImportDeclaration[source.value='${DB}'][specifiers.length=0], ImportExpression[source.value='${DB}']`,
    message: `[${boundary}] only the handle types PrismaClient and Tx may be imported from ${DB} ${where} (type-only); the client, Prisma namespace and errors belong in *.repository.ts files.`,
  },
  {
    selector: `ImportDeclaration[source.value='${DB}'][importKind='value'] > ImportSpecifier[importKind='value']`,
    message: `[${boundary}] ${DB} may only be imported with \`import type\` ${where}: a value import means the client is used outside a repository.`,
  },
];

const noApps = (boundary) => ({
  regex: "(^|/)apps/|^@parapet/(web|worker)(/|$)",
  message: `[${boundary}] nothing imports apps/*: apps are composition roots, shared code lives in packages/.`,
});
const parapetOwn = (boundary, except) => ({
  regex: `^@parapet/${except ? `(?!${except})` : ""}|(^|/)(packages|apps)/|^(\\.\\./)+(core|db|cloud-sim|web|worker)(/|$)`,
  message: `[${boundary}] packages/providers imports nothing of Parapet's own (core, db, apps, other packages): it sees only cloud SDKs and zod${except ? "" : " (its *.int.test.ts may start @parapet/cloud-sim)"}.`,
});
const providersPublic = (boundary) => ({
  regex: `^@parapet/providers/(?!(${PROVIDERS_PUBLIC_MODULES.filter((m) => m !== "@parapet/providers")
    .map((m) => m.slice("@parapet/providers/".length))
    .join("|")})$)|(^|/)packages/providers/`,
  message: `[${boundary}] core imports only the providers' public modules (lint/boundaries.js PROVIDERS_PUBLIC_MODULES), not adapters or other internals.`,
});
const dbImport = (boundary, where) => ({
  regex: `^${DB}(/|$)|(^|/)packages/db/`,
  message: `[${boundary}] ${DB} is imported only by ${where}'s composition root; call a core service or repository instead.`,
});
const repositoryImport = (boundary, where) => ({
  regex: "\\.repository(\\.ts)?$",
  message: `[${boundary}] *.repository modules are wired only in ${where}'s composition root; call a core service (use-case) instead.`,
});
const otherApp = (from, to) => ({
  regex: `(^|/)apps/${to}/|^@parapet/${to}(/|$)|^(\\.\\./)+${to}/`,
  message: `[no-apps] apps/${from} does not import apps/${to}.`,
});

/**
 * One config object per area; later objects win for a rule, so each states all of its restrictions.
 * A boundary with `tests: false` does not apply to test files (tests seed and inspect rows directly, and
 * the two apps' tests share harnesses such as apps/worker/src/faults/private-servers.ts).
 * Allowlisted files get the same restrictions minus the boundaries they are allowed to break.
 * @param {{ files: string[], ignores?: string[], boundaries: Array<{ id: string, tests: boolean, imports?: object[], syntax?: object[] }> }} a
 */
function area({ files, ignores = [], boundaries }) {
  const rules = (list) => {
    const imports = list.flatMap((b) => b.imports ?? []);
    const syntax = list.flatMap((b) => b.syntax ?? []);
    return {
      "no-restricted-imports": imports.length ? ["error", { patterns: imports }] : "off",
      "no-restricted-syntax": syntax.length ? ["error", ...syntax] : "off",
    };
  };
  const name = `parapet/boundaries ${files.join(",")}`;
  const ids = boundaries.map((b) => b.id);
  return [
    { name, files, ignores: [...TEST_FILES, ...ignores], rules: rules(boundaries) },
    // Test files of the area (a nested array means every pattern must match).
    {
      name: `${name} (tests)`,
      files: files.flatMap((f) => TEST_FILES.map((t) => [f, t])),
      ignores,
      rules: rules(boundaries.filter((b) => b.tests)),
    },
    ...BOUNDARY_ALLOWLIST.filter((a) => a.boundaries.some((b) => ids.includes(b))).map((a) => ({
      name: `${name} (allowlist: ${a.files.join(",")})`,
      files: a.files,
      ignores: TEST_FILES,
      rules: rules(boundaries.filter((b) => !a.boundaries.includes(b.id))),
    })),
  ];
}

const CORE_IMPORTS = { id: "core-imports", tests: false, imports: [providersPublic("core-imports")] };
const CORE_NO_APPS = { id: "no-apps", tests: true, imports: [noApps("no-apps")] };
const CORE_PRISMA = { id: "core-prisma", tests: false, syntax: prismaSyntax("core-prisma", "in packages/core outside *.repository.ts") };

export const boundaryConfigs = [
  // (a) apps/web: no @parapet/db and no *.repository outside the composition root; never the worker.
  ...area({
    files: ["apps/web/**/*.{ts,tsx}"],
    ignores: WEB_COMPOSITION_ROOT,
    boundaries: [
      {
        id: "web-db",
        tests: false,
        imports: [dbImport("web-db", "apps/web"), repositoryImport("web-db", "apps/web")],
        syntax: prismaSyntax("web-db", "in apps/web").slice(0, 2),
      },
      { id: "no-apps", tests: false, imports: [otherApp("web", "worker")] },
    ],
  }),
  ...area({ files: WEB_COMPOSITION_ROOT, boundaries: [{ id: "no-apps", tests: false, imports: [otherApp("web", "worker")] }] }),
  // (e) apps/worker: the database only through core's repositories and services, or its composition root.
  ...area({
    files: ["apps/worker/**/*.ts"],
    ignores: WORKER_COMPOSITION_ROOT,
    boundaries: [
      {
        id: "worker-db",
        tests: false,
        imports: [dbImport("worker-db", "apps/worker")],
        syntax: prismaSyntax("worker-db", "in apps/worker").slice(0, 2),
      },
      { id: "no-apps", tests: false, imports: [otherApp("worker", "web")] },
    ],
  }),
  ...area({ files: WORKER_COMPOSITION_ROOT, boundaries: [{ id: "no-apps", tests: false, imports: [otherApp("worker", "web")] }] }),
  // (b) + (d) packages/core: Prisma only in *.repository.ts; no apps; providers only through their public modules.
  ...area({
    files: ["packages/core/**/*.ts"],
    ignores: ["packages/core/**/*.repository.ts", ...CORE_DB_SCRIPTS],
    boundaries: [CORE_IMPORTS, CORE_NO_APPS, CORE_PRISMA],
  }),
  ...area({ files: ["packages/core/**/*.repository.ts", ...CORE_DB_SCRIPTS], boundaries: [CORE_IMPORTS, CORE_NO_APPS] }),
  // (c) packages/providers: nothing of Parapet's own; its integration tests may start the simulators.
  ...area({
    files: ["packages/providers/**/*.ts"],
    boundaries: [{ id: "providers-own", tests: true, imports: [parapetOwn("providers-own")] }],
  }),
  {
    name: "parapet/boundaries packages/providers (*.int.test.ts)",
    files: ["packages/providers/**/*.int.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [parapetOwn("providers-own", "cloud-sim/")] }] },
  },
  // (d) the other packages never import apps.
  ...area({ files: ["packages/{db,cloud-sim}/**/*.ts"], boundaries: [{ id: "no-apps", tests: true, imports: [noApps("no-apps")] }] }),
];
