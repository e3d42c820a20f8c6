import type { IncomingMessage, ServerResponse } from "node:http";
import type { Counters } from "../common/counters.ts";
import type { WebhookEmitter } from "../common/events.ts";
import type { FaultInjector } from "../common/faults.ts";
import { readBody, sendJson, tryParseJson } from "../common/http.ts";
import type { ThrottleRule } from "../common/types.ts";
import type { GcpCore } from "./core.ts";
import { invalid, notFound } from "./errors.ts";
import { appendAdminEntry } from "./logging.ts";
import { seedGcpDemo, seedGcpOrg } from "./seed.ts";
import { directoryOf, putGroup } from "./cloudidentity.ts";
import { type Json, isObj } from "./wire.ts";
import { type GcpSimConfig, type GcpSim, HUMAN } from "./server-options.ts";

/** What the admin API reaches into: the running simulator and the pieces `startGcpSim` keeps. */
export interface AdminDeps {
  sim: GcpSim;
  core: GcpCore;
  counters: Counters;
  faults: FaultInjector;
  emitter: WebhookEmitter;
  /** The throttle rules in force (`false` when throttling is off). */
  throttleRules: () => Record<string, ThrottleRule> | false;
}

/** The JSON admin API under `/_admin/` (routes listed in README.md). */
export function adminHandler(d: AdminDeps): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> {
  const { sim, core, counters, faults, emitter } = d;
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const method = (req.method ?? "GET").toUpperCase();
    const path = url.pathname.replace(/\/+$/, "");
    const raw = method === "GET" || method === "DELETE" ? Buffer.alloc(0) : await readBody(req, 16 * 1024 * 1024);
    if (method === "GET" || method === "DELETE") req.resume();
    const parsed = tryParseJson(raw);
    if (!parsed.ok) throw invalid("Invalid JSON body.");
    const b: Json = isObj(parsed.value) ? parsed.value : {};
    const actor = typeof b.actor === "string" ? b.actor : (url.searchParams.get("actor") ?? HUMAN);
    const str = (k: string): string => {
      const val = b[k] ?? url.searchParams.get(k);
      if (typeof val !== "string" || !val) throw invalid(`'${k}' is required.`, k);
      return val;
    };
    const ok = (body: unknown): void => sendJson(res, 200, body);
    const labels = (k: string): Record<string, string> => {
      const l = b[k] ?? {};
      if (!isObj(l) || Object.values(l).some((x) => typeof x !== "string")) throw invalid(`'${k}' must be a map of strings.`, k);
      return l as Record<string, string>;
    };
    const key = `${method} ${path}`;
    switch (key) {
      case "GET /_admin/state":
        return ok(sim.summary());
      case "GET /_admin/snapshot":
        return ok(sim.snapshot());
      case "POST /_admin/reset":
        sim.reset({
          orgId: typeof b.orgId === "string" ? b.orgId : undefined,
          domain: typeof b.domain === "string" ? b.domain : undefined,
        });
        return ok(sim.summary());
      case "POST /_admin/seed": {
        if (b.demo === true) return ok(seedGcpDemo(sim));
        const n = (k: string): number | undefined => (typeof b[k] === "number" ? b[k] : undefined);
        const projects = n("projects");
        if (projects === undefined || projects < 0 || projects > 200_000)
          throw invalid("'projects' must be a number from 0 to 200000.", "projects");
        return ok(seedGcpOrg(sim, { projects, folders: n("folders"), depth: n("depth"), labels: labels("labels"), seed: n("seed") }));
      }
      case "POST /_admin/identity/group": {
        // A Cloud Identity group with its direct members (users, service accounts, other groups) by e-mail.
        const members = b.members;
        if (!Array.isArray(members) || members.some((m) => typeof m !== "string" || !m.includes("@")))
          throw invalid("'members' must be a list of e-mail addresses.", "members");
        return ok(putGroup(core, str("email"), members as string[]));
      }
      case "POST /_admin/identity/premium": {
        // Transitive group search exists only for Workspace Enterprise / Cloud Identity Premium customers.
        if (typeof b.enabled !== "boolean") throw invalid("'enabled' must be true or false.", "enabled");
        directoryOf(core).premium = b.enabled;
        return ok({ premium: b.enabled });
      }
      case "GET /_admin/config":
        return ok({ throttle: d.throttleRules(), faults: faults.get(), limits: core.limits, lroPolls: core.lroPolls });
      case "POST /_admin/config": {
        const cfg: GcpSimConfig = {};
        if (b.throttle === false || isObj(b.throttle)) cfg.throttle = b.throttle as GcpSimConfig["throttle"];
        if (isObj(b.faults)) cfg.faults = b.faults;
        if (isObj(b.limits)) cfg.limits = b.limits;
        if (b.webhook === null || isObj(b.webhook)) cfg.webhook = b.webhook as GcpSimConfig["webhook"];
        if (typeof b.pageSize === "number") cfg.pageSize = b.pageSize;
        if (typeof b.lroPolls === "number") cfg.lroPolls = b.lroPolls;
        sim.configure(cfg);
        return ok({ throttle: d.throttleRules(), faults: faults.get(), limits: core.limits, lroPolls: core.lroPolls });
      }
      case "GET /_admin/counters":
        return ok({ counters: counters.snapshot(), total: counters.total() });
      case "POST /_admin/counters/reset":
        counters.reset();
        return ok({});
      case "POST /_admin/service-accounts": {
        const perms = b.permissions;
        if (!Array.isArray(perms) || perms.some((x) => typeof x !== "string"))
          throw invalid("'permissions' must be a list of strings.", "permissions");
        const tokens = Array.isArray(b.tokens) ? (b.tokens as unknown[]).filter((x): x is string => typeof x === "string") : [];
        const keyFile = sim.registerServiceAccount({
          email: str("email"),
          permissions: perms as string[],
          tokens,
          publicKeyPem: typeof b.publicKeyPem === "string" ? b.publicKeyPem : undefined,
          keyId: typeof b.keyId === "string" ? b.keyId : undefined,
          generateKey: b.generateKey === true,
        });
        return ok({ email: str("email"), ...(keyFile ? { keyFile } : {}) });
      }
      case "POST /_admin/org-policies":
        return ok(sim.putOrgPolicy(str("name"), { spec: b.spec as Json | undefined, dryRunSpec: b.dryRunSpec as Json | undefined }, actor));
      case "DELETE /_admin/org-policies":
        sim.deleteOrgPolicy(str("name"), actor);
        return ok({});
      case "POST /_admin/org-policies/dry-run-only":
        return ok(sim.setOrgPolicyDryRunOnly(str("name"), actor));
      case "POST /_admin/deny-policies":
        return ok(sim.putDenyPolicy(str("name"), b, actor));
      case "DELETE /_admin/deny-policies":
        sim.deleteDenyPolicy(str("name"), actor);
        return ok({});
      case "POST /_admin/folders":
        return ok(sim.createFolder(str("parent"), str("displayName"), actor));
      case "POST /_admin/projects":
        return ok(
          sim.createProject(
            {
              parent: str("parent"),
              projectId: str("projectId"),
              displayName: typeof b.displayName === "string" ? b.displayName : undefined,
              labels: labels("labels"),
            },
            actor,
          ),
        );
      case "POST /_admin/projects/move":
        return ok(sim.moveProject(str("project"), str("destinationParent"), actor));
      case "POST /_admin/projects/labels":
        return ok(sim.setProjectLabels(str("project"), labels("labels"), actor));
      case "POST /_admin/audit-entries": {
        // Realistic history for replay: each item one call (an agent deleting a bucket, a refused read).
        const items = b.entries;
        if (!Array.isArray(items) || items.length === 0 || items.length > 10_000 || !items.every(isObj))
          throw invalid("'entries' must be a list of 1 to 10000 objects.", "entries");
        return ok({ entries: items.map((e) => appendAdminEntry(core, e)) });
      }
      case "GET /_admin/audit-entries":
        return ok({ count: core.auditLog.entries.length });
      case "POST /_admin/events/flush":
        await sim.flushEvents();
        return ok({ delivered: emitter.delivered, dropped: emitter.dropped });
      default:
        throw notFound(`Unknown admin route ${key}`);
    }
  };
}
