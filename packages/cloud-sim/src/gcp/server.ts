import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Counters } from "../common/counters.ts";
import { WebhookEmitter } from "../common/events.ts";
import { FaultInjector } from "../common/faults.ts";
import { BodyTooLargeError, readBody, sendJson, tryParseJson } from "../common/http.ts";
import { loadState, Persister } from "../common/persist.ts";
import { mulberry32 } from "../common/rng.ts";
import { Throttler } from "../common/throttle.ts";
import type { ThrottleRule } from "../common/types.ts";
import { Authenticator, generateKeyFile } from "./auth.ts";
import * as crm from "./crm.ts";
import { type Ctx, GcpCore } from "./core.ts";
import { GcpError, invalid, notFound, rateLimited, unauthenticated, unavailable } from "./errors.ts";
import * as iam from "./iam.ts";
import { DEFAULT_LIMITS, type GcpLimits, GcpState, type GcpStateSnapshot, type ServiceAccount } from "./model.ts";
import * as op from "./orgpolicy.ts";
import { GCP_DEFAULT_THROTTLE, type GcpSimOptions, type GcpSim, HUMAN } from "./server-options.ts";
import { route, SERVICE_HOST } from "./server-routes.ts";
import { adminHandler } from "./server-admin.ts";
import { recordCall } from "./logging.ts";

// By part: server-options.ts (options, config and the GcpSim interface), server-routes.ts (Google API
// routes), server-admin.ts (the admin API); this file runs the HTTP server.
export { GCP_DEFAULT_THROTTLE, type GcpSim, type GcpSimOptions } from "./server-options.ts";

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
      core.auditLog.clear();
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
      return iam.denyPolicyWire(
        iam.doCreateDenyPolicy(core, `cloudresourcemanager.googleapis.com/${canonical}`, m[2] ?? "", policy, actor),
      );
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
      segs = url.pathname
        .split("/")
        .filter(Boolean)
        .map((x) => decodeURIComponent(x));
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
      checks: [],
    };
    // Every call served goes to the audit log (logging.ts), except reads of the log itself.
    const write = rt.family.endsWith(".write");
    const logged = rt.service !== "logging";
    let out: unknown;
    try {
      out = rt.handler(ctx);
    } catch (e) {
      if (logged && e instanceof GcpError && e.status === "PERMISSION_DENIED")
        recordCall(ctx, rt.op, rt.service, write, { code: 7, message: e.message });
      throw e;
    }
    if (logged) recordCall(ctx, rt.op, rt.service, write);
    sendJson(res, 200, out, { "content-type": "application/json; charset=UTF-8" });
  };
  const handleAdmin = adminHandler({ sim, core, counters, faults, emitter, throttleRules: () => throttleRules });

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
