import { readFileSync } from "node:fs";
import { packAwsPolicies, type TAwsBoundStatement, type TAwsPackTarget } from "@parapet/providers/aws/packing";
import {
  buildAzureInitiative,
  buildGcpNodeArtifacts,
  buildOciPoliciesForTarget,
  LimitError,
  ociSecurityZonePolicyNames,
} from "../catalog/index.ts";
import { getControl } from "../catalog/catalog.ts";
import { stableStringify } from "../catalog/canonical.ts";
import { CatalogError, compileControl } from "../catalog/compile.ts";
import { ZConnectionFacts } from "../catalog/principals.ts";
import { runScenarios } from "../catalog/scenarios.ts";
import type { TCloud, TFragment, TFragmentByCloud } from "../catalog/types.ts";
import { configuredClouds, FileError, parseGuardrailsFile, type TParsedFile } from "./guardrails-file.ts";
import { OPS_USAGE } from "./ops-usage.ts";
import { runImpact } from "./impact-command.ts";
import {
  APPLY_USAGE,
  EXPORT_USAGE,
  PLAN_USAGE,
  RemoteError,
  runApply,
  runExport,
  runPlan,
  UsageError,
  type RemoteIo,
} from "./remote-commands.ts";
import type * as OpsModule from "./ops-commands.ts";

export interface TIo {
  out(text: string): void;
  err(text: string): void;
  /** The environment the remote commands read (PARAPET_URL, PARAPET_TOKEN, CI's repository and commit); default process.env. */
  env?: Record<string, string | undefined>;
  sleep?: (ms: number) => Promise<void>;
}

/** One CLI subcommand: parses its own arguments, returns the process exit code. */
export interface TCommand {
  usage: string;
  summary: string;
  run(args: string[], io: TIo): Promise<number>;
}

function loadFile(path: string): TParsedFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new FileError([`${path}: cannot read file (${(e as NodeJS.ErrnoException).code ?? "error"})`]);
  }
  return parseGuardrailsFile(path, text);
}

function defaultTargets(cloud: TCloud, facts: Record<string, unknown>): string[] {
  switch (cloud) {
    case "aws":
      return ["root"];
    case "azure":
      return [`providers/Microsoft.Management/managementGroups/${String(facts.rootManagementGroupId)}`];
    case "gcp":
      return [`organizations/${String(facts.organizationId)}`];
    case "oci":
      return [String(facts.tenancyOcid)];
  }
}

interface TCompiledGuardrail {
  guardrailId: string;
  controlId: string;
  mode: string;
  cloud: TCloud;
  fidelity: string;
  gap?: string;
  targets: string[];
  fragment: TFragment;
}

/** Compiles every guardrail of the file for the configured clouds; errors point into the file. */
function compileFile(parsed: TParsedFile, only?: TCloud): TCompiledGuardrail[] {
  const f = parsed.data;
  const problems: string[] = [];
  const out: TCompiledGuardrail[] = [];
  for (const cloud of configuredClouds(f)) {
    if (only && cloud !== only) continue;
    const conn = f.connections[cloud]!;
    const facts = ZConnectionFacts[cloud].safeParse(conn.facts);
    if (!facts.success) {
      const i = facts.error.issues[0]!;
      const path = ["connections", cloud, "facts", ...i.path.map((p) => (typeof p === "number" ? p : String(p)))];
      problems.push(`${parsed.where(path)} ${path.join(".")}: ${i.message}`);
      continue;
    }
    f.guardrails.forEach((g, index) => {
      const control = getControl(g.control)!;
      try {
        const c = compileControl(control, {
          cloud,
          mode: g.mode,
          workspaceId: f.workspace,
          guardrail: { id: g.id, version: g.version },
          params: g.params,
          principals: conn.principals,
          facts: conn.facts,
        });
        out.push({
          guardrailId: g.id,
          controlId: control.id,
          mode: g.mode,
          cloud,
          fidelity: c.fidelity,
          ...(c.gap ? { gap: c.gap } : {}),
          targets: [...new Set(g.scope[cloud] ?? defaultTargets(cloud, facts.data))].sort(),
          fragment: c.fragment,
        });
      } catch (e) {
        if (!(e instanceof CatalogError)) throw e;
        const [head, ...rest] = e.path;
        const path =
          head === "params"
            ? ["guardrails", index, "params", ...rest]
            : head === "principals"
              ? ["connections", cloud, "principals", ...rest.slice(1)]
              : ["guardrails", index];
        const where = parsed.where(path);
        problems.push(`${where} ${path.join(".")}: ${head === "params" || head === "principals" ? e.reason : e.message}`);
      }
    });
  }
  if (problems.length > 0) throw new FileError([...new Set(problems)]);
  return out;
}

/** Native artifacts per cloud: AWS packed per target, Azure one initiative per scope, GCP per node, OCI per compartment. */
function buildArtifacts(parsed: TParsedFile, compiled: TCompiledGuardrail[]): Record<string, unknown> {
  const f = parsed.data;
  const result: Record<string, unknown> = {};
  const byCloud = <C extends TCloud>(cloud: C) =>
    compiled.filter((c) => c.cloud === cloud) as (TCompiledGuardrail & { fragment: TFragmentByCloud[C] })[];
  const targetsOf = <T>(items: (TCompiledGuardrail & { fragment: T })[]) => {
    const m = new Map<string, T[]>();
    for (const it of items) for (const t of it.targets) m.set(t, [...(m.get(t) ?? []), it.fragment]);
    return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  };
  const guardrails = compiled.map((c) => ({
    guardrailId: c.guardrailId,
    control: c.controlId,
    cloud: c.cloud,
    mode: c.mode,
    fidelity: c.fidelity,
    gap: c.gap ?? null,
    targets: c.targets,
  }));
  result.guardrails = guardrails;

  const aws = byCloud("aws");
  if (aws.length > 0) {
    const conn = f.connections.aws!;
    const targets: TAwsPackTarget[] = targetsOf(aws).map(([targetId, frags]) => ({
      targetId,
      statements: frags.filter((x) => x.attach).flatMap((x): TAwsBoundStatement[] => x.statements),
      ...(conn.slotsTaken?.[targetId] ? { slotsTaken: conn.slotsTaken[targetId] } : {}),
    }));
    result.aws = {
      ...packAwsPolicies({ workspaceId: f.workspace, targets, ...(conn.limits ? { limits: conn.limits } : {}) }),
      // No native audit mode: audit guardrails are compiled and shown here, never attached.
      audit: aws.filter((x) => !x.fragment.attach).map((x) => ({ guardrailId: x.guardrailId, statements: x.fragment.statements })),
    };
  }
  const azure = byCloud("azure");
  if (azure.length > 0) {
    const root = `providers/Microsoft.Management/managementGroups/${String(f.connections.azure!.facts.rootManagementGroupId)}`;
    result.azure = targetsOf(azure).map(([scope, frags]) =>
      buildAzureInitiative(scope, frags, { workspaceId: f.workspace, definitionScope: root }),
    );
  }
  const gcp = byCloud("gcp");
  if (gcp.length > 0) result.gcp = targetsOf(gcp).map(([node, frags]) => buildGcpNodeArtifacts(node, frags, f.workspace));
  const oci = byCloud("oci");
  if (oci.length > 0) {
    const tenancy = String(f.connections.oci!.facts.tenancyOcid);
    result.oci = targetsOf(oci).map(([target, frags]) => ({
      target,
      policies: buildOciPoliciesForTarget({ compartmentId: target, isRoot: target === tenancy }, frags, f.workspace),
      securityZonePolicies: ociSecurityZonePolicyNames(frags),
      audit: frags.filter((x) => !x.attach).map((x) => ({ guardrailId: x.guardrailId, statements: x.statements })),
    }));
  }
  return result;
}

function parseCloud(args: string[]): { rest: string[]; cloud?: TCloud } {
  const rest: string[] = [];
  let cloud: TCloud | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = a.startsWith("--cloud=") ? a.slice(8) : a === "--cloud" ? args[++i] : undefined;
    if (value !== undefined) {
      if (!["aws", "azure", "gcp", "oci"].includes(value)) throw new FileError([`--cloud: expected aws|azure|gcp|oci, got "${value}"`]);
      cloud = value as TCloud;
    } else rest.push(a);
  }
  return { rest, ...(cloud ? { cloud } : {}) };
}

const compileCommand: TCommand = {
  usage: "parapet compile <guardrails.yaml> [--cloud aws|azure|gcp|oci]",
  summary: "print the native artifacts (AWS packed into SCPs/RCPs) as JSON",
  async run(args, io) {
    const { rest, cloud } = parseCloud(args);
    if (rest.length !== 1) {
      io.err(`usage: ${this.usage}\n`);
      return 2;
    }
    const parsed = loadFile(rest[0]!);
    if (cloud && !parsed.data.connections[cloud])
      throw new FileError([`${parsed.where(["connections"])} connections.${cloud}: not configured`]);
    const artifacts = buildArtifacts(parsed, compileFile(parsed, cloud));
    io.out(`${stableStringify(artifacts, 2)}\n`);
    const issues = (artifacts.aws as { issues?: { message: string }[] } | undefined)?.issues ?? [];
    for (const i of issues) io.err(`${parsed.file}: aws: ${i.message}\n`);
    return issues.length > 0 ? 1 : 0;
  },
};

const testCommand: TCommand = {
  usage: "parapet test <guardrails.yaml>",
  summary: "run every guardrail's scenarios with the file's parameters and principals; non-zero exit on failure",
  async run(args, io) {
    if (args.length !== 1) {
      io.err(`usage: ${this.usage}\n`);
      return 2;
    }
    const parsed = loadFile(args[0]!);
    compileFile(parsed);
    const f = parsed.data;
    const clouds = new Set(configuredClouds(f));
    const principals = Object.fromEntries([...clouds].map((c) => [c, f.connections[c]!.principals]));
    let failed = 0;
    let total = 0;
    for (const g of f.guardrails) {
      const results = (await runScenarios(getControl(g.control)!, g.params, principals)).filter((r) => clouds.has(r.cloud));
      for (const r of results) {
        total++;
        if (!r.passed) failed++;
        io.out(
          `${r.passed ? "ok  " : "FAIL"} ${g.id} [${r.cloud}] ${r.name}${r.passed ? "" : ` — expected ${r.expected}, got ${r.actual}${r.detail ? `: ${r.detail}` : ""}`}\n`,
        );
      }
    }
    io.out(`\n${total - failed}/${total} scenarios passed\n`);
    return failed > 0 ? 1 : 0;
  },
};

const impactCommand: TCommand = {
  usage:
    "parapet impact <guardrails.yaml> --cloud aws|azure|gcp|oci --events <export file> [--guardrail <id>] [--principals <facts.json>] [--connector <identity>] [--json]",
  summary: "replay an audit-log export against the file's guardrails as enforce would deploy them; non-zero exit on a lockout",
  async run(args, io) {
    const { rest, cloud } = parseCloud(args);
    const opts: Record<string, string> = {};
    const positional: string[] = [];
    let json = false;
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i]!;
      const m = /^--(events|guardrail|principals|connector)(?:=(.*))?$/.exec(a);
      if (m) {
        const v = m[2] ?? rest[++i];
        if (v === undefined) {
          io.err(`--${m[1]}: expected a value\nusage: ${this.usage}\n`);
          return 2;
        }
        opts[m[1]!] = v;
      } else if (a === "--json") json = true;
      else positional.push(a);
    }
    if (positional.length !== 1 || !cloud || !opts.events) {
      io.err(`usage: ${this.usage}\n`);
      return 2;
    }
    const parsed = loadFile(positional[0]!);
    return runImpact(
      parsed,
      {
        cloud,
        events: opts.events,
        json,
        ...(opts.guardrail ? { guardrail: opts.guardrail } : {}),
        ...(opts.principals ? { principals: opts.principals } : {}),
        ...(opts.connector ? { connector: opts.connector } : {}),
      },
      (t) => io.out(t),
    );
  },
};

/**
 * Operator commands read the database through @parapet/db, whose Prisma client is generated: they are
 * loaded only when run, so `compile` and `test` (policy as code) work in a CI job that ran
 * `pnpm install` and nothing else.
 */
type TOpsModule = typeof OpsModule;

function lazyOps(name: keyof typeof OPS_USAGE): TCommand {
  return {
    ...OPS_USAGE[name],
    async run(args, io) {
      let ops: TOpsModule;
      try {
        ops = await import("./ops-commands.ts");
      } catch (e) {
        io.err(
          `parapet ${name} needs the database package and its generated Prisma client (pnpm db:generate): ${(e as Error).message.split("\n")[0]}\n`,
        );
        return 1;
      }
      return (name === "audit" ? ops.auditCommand : ops.keysCommand).run(args, io);
    },
  };
}

const remoteIo = (io: TIo): RemoteIo => ({ ...io, env: io.env ?? process.env });

const planCommand: TCommand = {
  usage: PLAN_USAGE,
  summary: "compare the file with a running Parapet's workspace (token in PARAPET_TOKEN); exit 0 no changes, 3 changes, 1 error",
  run: (args, io) => runPlan(args, remoteIo(io)),
};
const applyCommand: TCommand = {
  usage: APPLY_USAGE,
  summary:
    "apply the file to the workspace; weakening waits for a second member (exit 4), --wait for the decision (0 approved, 5 rejected)",
  run: (args, io) => runApply(args, remoteIo(io)),
};
const exportCommand: TCommand = {
  usage: EXPORT_USAGE,
  summary: "write the workspace's guardrails (and exemptions) as a file that plans as no changes",
  run: (args, io) => runExport(args, remoteIo(io)),
};

/** Subcommands by name; later ones (e.g. `audit verify`) register here. */
const COMMANDS: Record<string, TCommand> = {
  compile: compileCommand,
  test: testCommand,
  impact: impactCommand,
  plan: planCommand,
  apply: applyCommand,
  export: exportCommand,
  audit: lazyOps("audit"),
  keys: lazyOps("keys"),
};

export async function runCli(argv: string[], io: TIo): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(
      `usage:\n${Object.values(COMMANDS)
        .map((c) => `  ${c.usage}\n      ${c.summary}`)
        .join("\n")}\n`,
    );
    return 2;
  }
  try {
    return await command.run(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    if (e instanceof FileError || e instanceof LimitError || e instanceof RemoteError) {
      io.err(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
