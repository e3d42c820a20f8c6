import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Counters } from "../common/counters.ts";
import { WebhookEmitter } from "../common/events.ts";
import { FaultInjector } from "../common/faults.ts";
import { BodyTooLargeError, readBody, sendJson, tryParseJson } from "../common/http.ts";
import { loadState, Persister } from "../common/persist.ts";
import { mulberry32 } from "../common/rng.ts";
import { Throttler } from "../common/throttle.ts";
import type { FaultConfig, RunningSim, SimOptions, ThrottleRule } from "../common/types.ts";
import { Authenticator, generateKeyFile, type ServiceAccountKeyFile } from "./auth.ts";
import * as crm from "./crm.ts";
import { type Ctx, GcpCore } from "./core.ts";
import { GcpError, invalid, notFound, rateLimited, unauthenticated, unavailable } from "./errors.ts";
import * as iam from "./iam.ts";
import { DEFAULT_LIMITS, type GcpLimits, GcpState, type GcpStateSnapshot, type ServiceAccount } from "./model.ts";
import * as op from "./orgpolicy.ts";
import { seedGcpDemo, seedGcpOrg } from "./seed.ts";
import { type Json, isObj } from "./wire.ts";

/** Default quotas per call family (Org Policy ~ 10 writes/s and 50 reads/s; CRM and IAM lower for writes). */
export const GCP_DEFAULT_THROTTLE: Record<string, ThrottleRule> = {
  "orgpolicy.read": { burst: 50, ratePerSec: 50 },
  "orgpolicy.write": { burst: 10, ratePerSec: 10 },
  "crm.read": { burst: 50, ratePerSec: 25 },
  "crm.write": { burst: 10, ratePerSec: 5 },
  "iam.read": { burst: 40, ratePerSec: 20 },
  "iam.write": { burst: 10, ratePerSec: 5 },
};

export interface GcpSimOptions extends SimOptions {
  orgId?: string;
  domain?: string;
  limits?: Partial<GcpLimits>;
  /** How many GetOperation polls an operation stays pending (0 = done in the first response). */
  lroPolls?: number;
  /** Pub/Sub subscription name put in push envelopes. */
  subscription?: string;
}

export interface GcpSimConfig {
  throttle?: Record<string, ThrottleRule> | false;
  faults?: FaultConfig;
  limits?: Partial<GcpLimits>;
  webhook?: { url: string; secret?: string } | null;
  /** Shorthand for limits.defaultPageSize. */
  pageSize?: number;
  lroPolls?: number;
}

export interface RegisterServiceAccount {
  email: string;
  permissions: string[];
  tokens?: string[];
  /** PEM public key to register under `keyId`. */
  publicKeyPem?: string;
  keyId?: string;
  /** Generate a key pair and return a key file whose token_uri points at this simulator. */
  generateKey?: boolean;
}

export interface GcpSummary {
  orgId: string;
  domain: string;
  folders: number;
  projects: number;
  orgPolicies: number;
  customConstraints: number;
  denyPolicies: number;
  serviceAccounts: string[];
  pendingOperations: number;
  events: { delivered: number; dropped: number };
}

export interface GcpSim extends RunningSim {
  cloud: "gcp";
  /** Current organization id (e.g. 123456789012 after seedGcpDemo). */
  readonly orgId: string;
  readonly core: GcpCore;
  summary(): GcpSummary;
  configure(cfg: GcpSimConfig): void;
  /** Replaces all state with an empty organization (service accounts are dropped too). */
  reset(opts?: { orgId?: string; domain?: string }): void;
  registerServiceAccount(sa: RegisterServiceAccount): ServiceAccountKeyFile | undefined;
  /** Out-of-band changes, made "as a human" (audit events carry `actor`). */
  putOrgPolicy(name: string, policy: { spec?: Json; dryRunSpec?: Json }, actor?: string): Json;
  deleteOrgPolicy(name: string, actor?: string): void;
  setOrgPolicyDryRunOnly(name: string, actor?: string): Json;
  putDenyPolicy(name: string, policy: Json, actor?: string): Json;
  deleteDenyPolicy(name: string, actor?: string): void;
  createFolder(parent: string, displayName: string, actor?: string): Json;
  createProject(input: { parent: string; projectId: string; displayName?: string; labels?: Record<string, string> }, actor?: string): Json;
  moveProject(project: string, destinationParent: string, actor?: string): Json;
  setProjectLabels(project: string, labels: Record<string, string>, actor?: string): Json;
  snapshot(): GcpStateSnapshot;
  /** Waits until every emitted webhook event was delivered or dropped. */
  flushEvents(): Promise<void>;
}

const HUMAN = "cloud-admin@example.com";

type Handler = (ctx: Ctx) => Json;
interface Route {
  op: string;
  family: string;
  service: string;
  handler: Handler;
}

/** Splits a trailing `:verb` off the last path segment (`name:getEffectivePolicy`). */
function verbOf(seg: string | undefined): [string | undefined, string | undefined] {
  if (seg === undefined) return [undefined, undefined];
  const i = seg.lastIndexOf(":");
  return i < 0 ? [seg, undefined] : [seg.slice(0, i), seg.slice(i + 1)];
}

function route(method: string, s: string[]): Route | undefined {
  const r = (svc: "orgpolicy" | "crm" | "iam", name: string, write: boolean, handler: Handler): Route => ({
    op: `${svc}.${name}`,
    family: `${svc}.${write ? "write" : "read"}`,
    service: svc,
    handler,
  });
  const [v, a, b, c, d, e, f] = s;
  if (v === "v2" && a === "policies") {
    if (s.length === 4) {
      if (method === "GET") return r("iam", "ListPolicies", false, (x) => iam.listDenyPolicies(x, b, c));
      if (method === "POST") return r("iam", "CreatePolicy", true, (x) => iam.createDenyPolicy(x, b, c));
    }
    if (s.length === 5) {
      if (method === "GET") return r("iam", "GetPolicy", false, (x) => iam.getDenyPolicy(x, b, c, d));
      if (method === "PUT") return r("iam", "UpdatePolicy", true, (x) => iam.updateDenyPolicy(x, b, c, d));
      if (method === "DELETE") return r("iam", "DeletePolicy", true, (x) => iam.deleteDenyPolicy(x, b, c, d));
    }
    if (s.length === 7 && e === "operations" && method === "GET") {
      return r("iam", "GetOperation", false, (x) => crm.getOperation(x, iam.denyOperationName(x, b, d, f)));
    }
    return undefined;
  }
  if (v === "v2" && (a === "organizations" || a === "folders" || a === "projects")) {
    if (s.length === 4 && c === "policies") {
      if (method === "GET") return r("orgpolicy", "ListPolicies", false, (x) => op.listPolicies(x, a, b));
      if (method === "POST") return r("orgpolicy", "CreatePolicy", true, (x) => op.createPolicy(x, a, b));
    }
    if (s.length === 4 && c === "constraints" && method === "GET") {
      return r("orgpolicy", "ListConstraints", false, (x) => op.listConstraints(x, a, b));
    }
    if (s.length === 5 && c === "policies") {
      const [name, verb] = verbOf(d);
      if (verb === "getEffectivePolicy" && method === "GET") {
        return r("orgpolicy", "GetEffectivePolicy", false, (x) => op.getEffectivePolicy(x, a, b, name));
      }
      if (verb !== undefined) return undefined;
      if (method === "GET") return r("orgpolicy", "GetPolicy", false, (x) => op.getPolicy(x, a, b, d));
      if (method === "PATCH") return r("orgpolicy", "UpdatePolicy", true, (x) => op.updatePolicy(x, a, b, d));
      if (method === "DELETE") return r("orgpolicy", "DeletePolicy", true, (x) => op.deletePolicy(x, a, b, d));
    }
    if (a === "organizations" && c === "customConstraints") {
      if (s.length === 4 && method === "GET") return r("orgpolicy", "ListCustomConstraints", false, (x) => op.listCustomConstraints(x, b));
      if (s.length === 4 && method === "POST") return r("orgpolicy", "CreateCustomConstraint", true, (x) => op.createCustomConstraint(x, b));
      if (s.length === 5 && method === "GET") return r("orgpolicy", "GetCustomConstraint", false, (x) => op.getCustomConstraint(x, b, d));
      if (s.length === 5 && method === "PATCH") return r("orgpolicy", "UpdateCustomConstraint", true, (x) => op.updateCustomConstraint(x, b, d));
      if (s.length === 5 && method === "DELETE") return r("orgpolicy", "DeleteCustomConstraint", true, (x) => op.deleteCustomConstraint(x, b, d));
    }
    return undefined;
  }
  if (v === "v3") {
    if (a === "operations" && s.length >= 3 && method === "GET") {
      return r("crm", "GetOperation", false, (x) => crm.getOperation(x, s.slice(1).join("/")));
    }
    if (s.length === 2) {
      if (a === "organizations:search" && method === "GET") return r("crm", "SearchOrganizations", false, crm.searchOrganizations);
      if (a === "folders:search" && method === "GET") return r("crm", "SearchFolders", false, crm.searchFolders);
      if (a === "projects:search" && method === "GET") return r("crm", "SearchProjects", false, crm.searchProjects);
      if (a === "folders" && method === "GET") return r("crm", "ListFolders", false, crm.listFolders);
      if (a === "folders" && method === "POST") return r("crm", "CreateFolder", true, crm.createFolder);
      if (a === "projects" && method === "GET") return r("crm", "ListProjects", false, crm.listProjects);
      if (a === "projects" && method === "POST") return r("crm", "CreateProject", true, crm.createProject);
    }
    if (s.length === 3) {
      const [id, verb] = verbOf(b);
      if (a === "organizations" && !verb && method === "GET") return r("crm", "GetOrganization", false, (x) => crm.getOrganization(x, id));
      if (a === "organizations" && verb === "testIamPermissions" && method === "POST") {
        return r("crm", "TestIamPermissions", false, (x) => crm.testOrganizationIamPermissions(x, id));
      }
      if (a === "folders") {
        if (verb === "move" && method === "POST") return r("crm", "MoveFolder", true, (x) => crm.moveFolder(x, id));
        if (!verb && method === "GET") return r("crm", "GetFolder", false, (x) => crm.getFolder(x, id));
        if (!verb && method === "PATCH") return r("crm", "UpdateFolder", true, (x) => crm.updateFolder(x, id));
        if (!verb && method === "DELETE") return r("crm", "DeleteFolder", true, (x) => crm.deleteFolder(x, id));
      }
      if (a === "projects") {
        if (verb === "move" && method === "POST") return r("crm", "MoveProject", true, (x) => crm.moveProject(x, id));
        if (!verb && method === "GET") return r("crm", "GetProject", false, (x) => crm.getProject(x, id));
        if (!verb && method === "PATCH") return r("crm", "UpdateProject", true, (x) => crm.updateProject(x, id));
        if (!verb && method === "DELETE") return r("crm", "DeleteProject", true, (x) => crm.deleteProject(x, id));
      }
    }
  }
  return undefined;
}

const SERVICE_HOST: Record<string, string> = {
  orgpolicy: "orgpolicy.googleapis.com",
  crm: "cloudresourcemanager.googleapis.com",
  iam: "iam.googleapis.com",
};

/** Starts the GCP simulator (Org Policy v2, Resource Manager v3, IAM v2 deny policies, OAuth token endpoint). */
export async function startGcpSim(opts: GcpSimOptions = {}): Promise<GcpSim> {
  const emitter = new WebhookEmitter(opts.webhook);
  const limits: GcpLimits = { ...DEFAULT_LIMITS, ...(opts.limits ?? {}) };
  const loaded = loadState<GcpStateSnapshot>(opts.persistFile);
  const core = new GcpCore(loaded ? GcpState.restore(loaded) : new GcpState(opts.orgId, opts.domain), limits, emitter);
  core.lroPolls = opts.lroPolls ?? 1;
  if (opts.subscription) core.subscription = opts.subscription;
  const counters = new Counters();
  const throttler = new Throttler(opts.throttle === undefined ? GCP_DEFAULT_THROTTLE : opts.throttle);
  let throttleRules: Record<string, ThrottleRule> | false = opts.throttle === undefined ? GCP_DEFAULT_THROTTLE : opts.throttle;
  const faults = new FaultInjector(opts.faults ?? {}, opts.seed === undefined ? Math.random : mulberry32(opts.seed));
  const persister = new Persister(opts.persistFile, () => core.state.snapshot());
  core.onChange(() => persister.schedule());
  const auth = new Authenticator(() => core.state);
  auth.reindex();
  let baseUrl = "";

  const sim: GcpSim = {
    cloud: "gcp",
    url: "",
    port: 0,
    get orgId() {
      return core.state.org.id;
    },
    core,
    counters: () => counters.snapshot(),
    resetCounters: () => counters.reset(),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      persister.flush();
    },
    summary: () => ({
      orgId: core.state.org.id,
      domain: core.state.org.displayName,
      folders: core.state.folders.size,
      projects: core.state.projects.size,
      orgPolicies: core.state.policies.size,
      customConstraints: core.state.customConstraints.size,
      denyPolicies: core.state.denyPolicies.size,
      serviceAccounts: [...core.state.serviceAccounts.keys()],
      pendingOperations: [...core.state.operations.values()].filter((o) => o.pollsLeft > 0).length,
      events: { delivered: emitter.delivered, dropped: emitter.dropped },
    }),
    configure: (cfg) => {
      if (cfg.throttle !== undefined) {
        throttleRules = cfg.throttle;
        throttler.setRules(cfg.throttle);
      }
      if (cfg.faults) faults.set(cfg.faults);
      if (cfg.limits) Object.assign(core.limits, cfg.limits);
      if (cfg.pageSize !== undefined) core.limits.defaultPageSize = cfg.pageSize;
      if (cfg.lroPolls !== undefined) core.lroPolls = cfg.lroPolls;
      if (cfg.webhook !== undefined) emitter.configure(cfg.webhook ?? undefined);
    },
    reset: (r = {}) => {
      core.state = new GcpState(r.orgId ?? core.state.org.id, r.domain ?? core.state.org.displayName);
      auth.reindex();
      core.changed();
    },
    registerServiceAccount: (input) => {
      if (!/^[^@\s]+@[^@\s]+$/.test(input.email)) throw invalid(`Invalid service account email "${input.email}".`, "email");
      const prev = core.state.serviceAccounts.get(input.email);
      const sa: ServiceAccount = {
        email: input.email,
        permissions: [...input.permissions],
        tokens: [...new Set([...(prev?.tokens ?? []), ...(input.tokens ?? [])])],
        keys: { ...(prev?.keys ?? {}) },
      };
      if (input.publicKeyPem) sa.keys[input.keyId ?? `key-${Object.keys(sa.keys).length + 1}`] = input.publicKeyPem;
      const keyFile = input.generateKey
        ? generateKeyFile(sa, `${baseUrl}/token`, input.email.split("@")[1]?.split(".")[0] ?? "sim")
        : undefined;
      core.state.serviceAccounts.set(sa.email, sa);
      auth.reindex();
      core.changed();
      return keyFile;
    },
    putOrgPolicy: (name, policy, actor = HUMAN) => op.adminPutPolicy(core, name, policy, actor),
    deleteOrgPolicy: (name, actor = HUMAN) => op.adminDeletePolicy(core, name, actor),
    setOrgPolicyDryRunOnly: (name, actor = HUMAN) => op.adminDryRunOnly(core, name, actor),
    putDenyPolicy: (name, policy, actor = HUMAN) => {
      const existing = iam.findDenyPolicy(core, name);
      if (existing) return iam.denyPolicyWire(iam.doUpdateDenyPolicy(core, existing, policy, actor, false));
      const m = /^policies\/([^/]+)\/denypolicies\/([^/]+)$/.exec(name);
      if (!m) throw invalid(`Invalid deny policy name "${name}".`, "name");
      const attachment = decodeURIComponent(m[1] ?? "");
      const [, kind, id] = /^cloudresourcemanager\.googleapis\.com\/(organizations|folders|projects)\/(.+)$/.exec(attachment) ?? [];
      const canonical = kind && id ? core.state.canonicalContainer(kind, id) : undefined;
      if (!canonical) throw notFound(`Attachment point ${attachment} does not exist.`);
      return iam.denyPolicyWire(iam.doCreateDenyPolicy(core, `cloudresourcemanager.googleapis.com/${canonical}`, m[2] ?? "", policy, actor));
    },
    deleteDenyPolicy: (name, actor = HUMAN) => {
      const p = iam.findDenyPolicy(core, name);
      if (!p) throw notFound(`Deny policy ${name} was not found.`);
      iam.doDeleteDenyPolicy(core, p, actor);
    },
    createFolder: (parent, displayName, actor = HUMAN) => crm.folderWire(crm.doCreateFolder(core, parent, displayName, actor), false),
    createProject: (input, actor = HUMAN) => crm.projectWire(crm.doCreateProject(core, input, actor), false),
    moveProject: (project, dest, actor = HUMAN) => {
      const p = core.state.findProject(project.replace(/^projects\//, ""));
      if (!p) throw notFound(`Project ${project} was not found.`);
      return crm.projectWire(crm.doMoveProject(core, p, dest, actor), false);
    },
    setProjectLabels: (project, labels, actor = HUMAN) => {
      const p = core.state.findProject(project.replace(/^projects\//, ""));
      if (!p) throw notFound(`Project ${project} was not found.`);
      return crm.projectWire(crm.doUpdateProject(core, p, { labels }, actor), false);
    },
    snapshot: () => core.state.snapshot(),
    flushEvents: () => emitter.flush(),
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    await faults.delay();
    const decision = faults.decide();
    if (decision.kind !== "none") throw unavailable();
    let segs: string[];
    try {
      segs = url.pathname.split("/").filter(Boolean).map((x) => decodeURIComponent(x));
    } catch {
      throw invalid("Malformed percent-encoding in the request path.");
    }
    const method = (req.method ?? "GET").toUpperCase();
    const rt = route(method, segs);
    if (!rt) throw notFound(`Method not found: ${method} ${url.pathname}`);
    counters.inc(rt.op);
    const principal = auth.principal(req.headers.authorization);
    if (!principal) throw unauthenticated();
    const wait = throttler.check(rt.family);
    if (wait > 0) throw rateLimited(SERVICE_HOST[rt.service] ?? rt.service, rt.family, wait);
    let body: unknown;
    if (method === "POST" || method === "PATCH" || method === "PUT") {
      const raw = await readBody(req, 1024 * 1024);
      const parsed = tryParseJson(raw);
      if (!parsed.ok) throw invalid("Invalid JSON payload received. Unexpected token.");
      body = parsed.value;
    } else {
      req.resume();
    }
    const ctx: Ctx = {
      core,
      method,
      segs,
      query: url.searchParams,
      body,
      principal,
      intEnums: (url.searchParams.get("$alt") ?? "").includes("enum-encoding=int"),
    };
    sendJson(res, 200, rt.handler(ctx), { "content-type": "application/json; charset=UTF-8" });
  };

  const handleAdmin = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
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
        sim.reset({ orgId: typeof b.orgId === "string" ? b.orgId : undefined, domain: typeof b.domain === "string" ? b.domain : undefined });
        return ok(sim.summary());
      case "POST /_admin/seed": {
        if (b.demo === true) return ok(seedGcpDemo(sim));
        const n = (k: string): number | undefined => (typeof b[k] === "number" ? (b[k]) : undefined);
        const projects = n("projects");
        if (projects === undefined || projects < 0 || projects > 200_000) throw invalid("'projects' must be a number from 0 to 200000.", "projects");
        return ok(seedGcpOrg(sim, { projects, folders: n("folders"), depth: n("depth"), labels: labels("labels"), seed: n("seed") }));
      }
      case "GET /_admin/config":
        return ok({ throttle: throttleRules, faults: faults.get(), limits: core.limits, lroPolls: core.lroPolls });
      case "POST /_admin/config": {
        const cfg: GcpSimConfig = {};
        if (b.throttle === false || isObj(b.throttle)) cfg.throttle = b.throttle as GcpSimConfig["throttle"];
        if (isObj(b.faults)) cfg.faults = b.faults;
        if (isObj(b.limits)) cfg.limits = b.limits;
        if (b.webhook === null || isObj(b.webhook)) cfg.webhook = b.webhook as GcpSimConfig["webhook"];
        if (typeof b.pageSize === "number") cfg.pageSize = b.pageSize;
        if (typeof b.lroPolls === "number") cfg.lroPolls = b.lroPolls;
        sim.configure(cfg);
        return ok({ throttle: throttleRules, faults: faults.get(), limits: core.limits, lroPolls: core.lroPolls });
      }
      case "GET /_admin/counters":
        return ok({ counters: counters.snapshot(), total: counters.total() });
      case "POST /_admin/counters/reset":
        counters.reset();
        return ok({});
      case "POST /_admin/service-accounts": {
        const perms = b.permissions;
        if (!Array.isArray(perms) || perms.some((x) => typeof x !== "string")) throw invalid("'permissions' must be a list of strings.", "permissions");
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
            { parent: str("parent"), projectId: str("projectId"), displayName: typeof b.displayName === "string" ? b.displayName : undefined, labels: labels("labels") },
            actor,
          ),
        );
      case "POST /_admin/projects/move":
        return ok(sim.moveProject(str("project"), str("destinationParent"), actor));
      case "POST /_admin/projects/labels":
        return ok(sim.setProjectLabels(str("project"), labels("labels"), actor));
      case "POST /_admin/events/flush":
        await sim.flushEvents();
        return ok({ delivered: emitter.delivered, dropped: emitter.dropped });
      default:
        throw notFound(`Unknown admin route ${key}`);
    }
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const fail = (err: unknown): void => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      let e: GcpError;
      if (err instanceof GcpError) e = err;
      else if (err instanceof BodyTooLargeError) e = invalid("Request payload size exceeds the limit.");
      else e = new GcpError("INTERNAL", "Internal error encountered.");
      sendJson(res, e.httpStatus, e.toJSON(), { "content-type": "application/json; charset=UTF-8", ...e.headers });
    };
    req.on("error", () => res.destroy());
    let work: Promise<void>;
    if (url.pathname.startsWith("/_admin/")) work = handleAdmin(req, res, url);
    else if ((url.pathname === "/token" || url.pathname === "/oauth2/v4/token") && req.method === "POST") {
      work = readBody(req, 64 * 1024).then((raw) => {
        const r = auth.tokenEndpoint(raw.toString("utf8"), req.headers["content-type"]);
        sendJson(res, r.status, r.body);
      });
    } else work = handleApi(req, res, url);
    work.catch(fail);
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const addr = server.address() as AddressInfo;
  baseUrl = `http://${opts.host ?? "127.0.0.1"}:${addr.port}`;
  sim.url = baseUrl;
  sim.port = addr.port;
  return sim;
}
