import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Counters } from "../common/counters.ts";
import { WebhookEmitter } from "../common/events.ts";
import { FaultInjector } from "../common/faults.ts";
import { readBody, sendJson, tryParseJson } from "../common/http.ts";
import { loadState, Persister } from "../common/persist.ts";
import { mulberry32 } from "../common/rng.ts";
import { Throttler } from "../common/throttle.ts";
import type { FaultConfig, RunningSim, SimOptions, ThrottleRule } from "../common/types.ts";
import { OciAuditLog } from "./audit.ts";
import { invalid, notFound, OciApiError } from "./errors.ts";
import { toOciEvent } from "./events.ts";
import { makeRequestId } from "./ids.ts";
import { addTarget } from "./targets.ts";
import {
  DEFAULT_LIMITS,
  type OciCloudGuardTarget,
  type OciCompartment,
  type OciLimits,
  type OciPolicy,
  type OciStateData,
  type OciUser,
  type OciWorkRequest,
} from "./model.ts";
import { generateApiKeyPair, seedOciDemo, seedOciTenancy, type OciDemoResult, type OciSeedResult, type OciSeedSpec } from "./seed.ts";
import { OCI_SIM_REGION, OciHttpApi, type OciFamily } from "./server.ts";
import { OciStore, type Actor } from "./store.ts";
import { asObject, bool, strArray, str } from "./validate.ts";

export { seedOciTenancy, generateApiKeyPair } from "./seed.ts";
export type { OciDemoResult, OciDemoCredentials } from "./seed.ts";
export type { OciEventMessage } from "./events.ts";
export type { OciFamily } from "./server.ts";
export type { Actor } from "./store.ts";

/**
 * Default token buckets per call family. OCI does not publish IAM/Cloud Guard request quotas; these are
 * set so a reconcile loop sees 429s under bursts the way it does against the real control plane.
 */
export const DEFAULT_OCI_THROTTLE: Record<OciFamily, ThrottleRule> = {
  "identity-read": { burst: 100, ratePerSec: 50 },
  "identity-write": { burst: 20, ratePerSec: 10 },
  "cloudguard-read": { burst: 50, ratePerSec: 20 },
  "cloudguard-write": { burst: 10, ratePerSec: 5 },
};

interface OciSimConfig {
  throttle: Record<string, ThrottleRule> | false;
  faults: FaultConfig;
  limits: OciLimits;
  webhook: { url: string; secret?: string } | null;
  /** Page size when the caller sends no `limit`. */
  pageSize: number;
  /** Largest `limit` accepted (OCI: 1000). */
  maxPageSize: number;
  /** Allowed difference between the request date and the simulator's clock (OCI: 5 minutes). */
  clockSkewToleranceSec: number;
}

/** A partial config update; limits merge key by key. */
type OciSimConfigPatch = Partial<Omit<OciSimConfig, "limits">> & { limits?: Partial<OciLimits> };

export interface OciSimOptions extends SimOptions {
  limits?: Partial<OciLimits>;
  pageSize?: number;
  clockSkewToleranceSec?: number;
}

interface OciUserCredentials {
  tenancyId: string;
  userId: string;
  fingerprint: string;
  publicKeyPem: string;
  /** Present when the simulator generated the key pair. */
  privateKeyPem?: string;
}

interface OciPolicyEdit {
  statements?: string[];
  description?: string;
  freeformTags?: Record<string, string>;
  definedTags?: Record<string, Record<string, unknown>>;
}

/** Out-of-band changes as a human would make them in the console (attributed to `humanUserId`). */
interface OciHumanActions {
  createCompartment(
    parentId: string,
    name: string,
    opts?: { description?: string; freeformTags?: Record<string, string>; definedTags?: Record<string, Record<string, unknown>> },
  ): OciCompartment;
  moveCompartment(id: string, targetCompartmentId: string): void;
  /** DeleteCompartment as the Console does it: the work request's outcome (FAILED while not empty). */
  deleteCompartment(id: string): OciWorkRequest["status"];
  tagCompartment(
    id: string,
    tags: { freeformTags?: Record<string, string>; definedTags?: Record<string, Record<string, unknown>> },
  ): OciCompartment;
  createPolicy(details: {
    compartmentId: string;
    name: string;
    description: string;
    statements: string[];
    freeformTags?: Record<string, string>;
    definedTags?: Record<string, Record<string, unknown>>;
  }): OciPolicy;
  editPolicy(id: string, edit: OciPolicyEdit): OciPolicy;
  deletePolicy(id: string): void;
  deleteSecurityZone(id: string): void;
  /** Enabling also creates the deny-policy guard unless `guard: false` (the Console asks). */
  setDenyPoliciesEnabled(enabled: boolean, opts?: { guard?: boolean }): void;
  /** The customer's own Cloud Guard target on a compartment (the Console's "Create target"). */
  createCloudGuardTarget(compartmentId: string, displayName: string): OciCloudGuardTarget;
}

export interface OciSim extends RunningSim {
  cloud: "oci";
  tenancyId: string;
  /** The user out-of-band (admin/console) changes are attributed to. */
  humanUserId: string;
  store: OciStore;
  getConfig(): OciSimConfig;
  configure(patch: OciSimConfigPatch): OciSimConfig;
  summary(): Record<string, unknown>;
  /** Registers a user with an API key; generates an RSA key pair unless a public key PEM is given. */
  createUser(opts?: { name?: string; permissions?: string[]; publicKeyPem?: string; groups?: string[] }): OciUserCredentials;
  setUserPermissions(userId: string, permissions: string[]): OciUser;
  human: OciHumanActions;
  seed(spec: OciSeedSpec): OciSeedResult;
  seedDemo(): OciDemoResult;
  /** Credentials of the demo user once `seedDemo` (or `seedOciDemo`) ran through this sim. */
  demo: OciDemoResult | undefined;
  /** Resolves once every webhook event emitted so far was delivered or dropped. */
  flushEvents(): Promise<void>;
  eventStats(): { delivered: number; dropped: number };
}

const num = (v: unknown, what: string, min = 0): number => {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min) throw invalid(`${what} must be a number >= ${min}.`);
  return v;
};

/** Checks an admin config patch field by field so a bad PUT changes nothing and names the field. */
function parseConfigPatch(x: Record<string, unknown>): OciSimConfigPatch {
  const out: OciSimConfigPatch = {};
  for (const key of Object.keys(x)) {
    if (!["throttle", "faults", "limits", "webhook", "pageSize", "clockSkewToleranceSec"].includes(key)) {
      throw invalid(`Unknown config field '${key}'.`);
    }
  }
  if (x.throttle !== undefined) {
    if (x.throttle === false) out.throttle = false;
    else {
      const t = asObject(x.throttle, "throttle");
      const rules: Record<string, ThrottleRule> = {};
      for (const [family, rule] of Object.entries(t)) {
        const r = asObject(rule, `throttle.${family}`);
        rules[family] = {
          burst: num(r.burst, `throttle.${family}.burst`, 1),
          ratePerSec: num(r.ratePerSec, `throttle.${family}.ratePerSec`, 0.001),
        };
      }
      out.throttle = rules;
    }
  }
  if (x.faults !== undefined) {
    const f = asObject(x.faults, "faults");
    const faults: FaultConfig = {};
    if (f.errorRate !== undefined) {
      faults.errorRate = num(f.errorRate, "faults.errorRate");
      if (faults.errorRate > 1) throw invalid("faults.errorRate must be between 0 and 1.");
    }
    if (f.latencyMs !== undefined) {
      const l = asObject(f.latencyMs, "faults.latencyMs");
      faults.latencyMs = { min: num(l.min, "faults.latencyMs.min"), max: num(l.max, "faults.latencyMs.max") };
    }
    if (f.outages !== undefined) {
      if (!Array.isArray(f.outages)) throw invalid("faults.outages must be an array.");
      faults.outages = f.outages.map((o: unknown, i) => {
        const w = asObject(o, `faults.outages[${i}]`);
        return { start: num(w.start, `faults.outages[${i}].start`), end: num(w.end, `faults.outages[${i}].end`) };
      });
    }
    out.faults = faults;
  }
  if (x.limits !== undefined) {
    const l = asObject(x.limits, "limits");
    const limits: Partial<OciLimits> = {};
    for (const [k, v] of Object.entries(l)) {
      if (!(k in DEFAULT_LIMITS)) throw invalid(`Unknown limit '${k}'.`);
      limits[k as keyof OciLimits] = num(v, `limits.${k}`, 1);
    }
    out.limits = limits;
  }
  if (x.webhook !== undefined) {
    if (x.webhook === null) out.webhook = null;
    else {
      const w = asObject(x.webhook, "webhook");
      const url = str(w, "url", { required: true, max: 2000 }) as string;
      const secret = str(w, "secret", { max: 500 });
      out.webhook = { url, ...(secret !== undefined ? { secret } : {}) };
    }
  }
  if (x.pageSize !== undefined) out.pageSize = num(x.pageSize, "pageSize", 1);
  if (x.clockSkewToleranceSec !== undefined) out.clockSkewToleranceSec = num(x.clockSkewToleranceSec, "clockSkewToleranceSec");
  return out;
}

function configSnapshot(c: OciSimConfig): OciSimConfig {
  return structuredClone(c);
}

export async function startOciSim(opts: OciSimOptions = {}): Promise<OciSim> {
  const rand = opts.seed !== undefined ? mulberry32(opts.seed) : Math.random;
  const cfg: OciSimConfig = {
    throttle: opts.throttle === false ? false : { ...DEFAULT_OCI_THROTTLE, ...(opts.throttle ?? {}) },
    faults: opts.faults ?? {},
    limits: { ...DEFAULT_LIMITS, ...(opts.limits ?? {}) },
    webhook: opts.webhook ?? null,
    pageSize: opts.pageSize ?? 100,
    maxPageSize: 1000,
    clockSkewToleranceSec: opts.clockSkewToleranceSec ?? 300,
  };
  const emitter = new WebhookEmitter(cfg.webhook ?? undefined);
  const counters = new Counters();
  const throttler = new Throttler(cfg.throttle);
  const faults = new FaultInjector(cfg.faults, rand);
  // the store is created below; the closure only runs at save time
  const persister = new Persister(opts.persistFile, () => ({ ...store.toData(), ...(demo ? { demo } : {}) }));
  const store: OciStore = new OciStore(rand, (m) => {
    emitter.emit(toOciEvent(m, store, Date.now()));
    persister.schedule();
  });
  store.limits = cfg.limits;
  const loaded = loadState<OciStateData>(opts.persistFile);
  if (loaded) store.load(loaded);
  let demo: OciDemoResult | undefined = loaded?.demo as OciDemoResult | undefined;

  const auditLog = new OciAuditLog(rand);
  const api = new OciHttpApi(store, () => cfg, counters, throttler, faults, auditLog);
  const human: Actor = { principalId: store.humanUserId, via: "admin" };
  const humanActor = (): Actor => ({ ...human, principalId: store.humanUserId });

  const configure = (patch: OciSimConfigPatch): OciSimConfig => {
    if (patch.throttle !== undefined) {
      cfg.throttle = patch.throttle;
      throttler.setRules(cfg.throttle);
    }
    if (patch.faults !== undefined) {
      cfg.faults = patch.faults;
      faults.set(cfg.faults);
    }
    if (patch.limits !== undefined) {
      Object.assign(cfg.limits, patch.limits);
    }
    if (patch.webhook !== undefined) {
      cfg.webhook = patch.webhook;
      emitter.configure(cfg.webhook ?? undefined);
    }
    if (patch.pageSize !== undefined) {
      if (!Number.isInteger(patch.pageSize) || patch.pageSize < 1 || patch.pageSize > cfg.maxPageSize) {
        throw invalid(`pageSize must be an integer between 1 and ${cfg.maxPageSize}.`);
      }
      cfg.pageSize = patch.pageSize;
    }
    if (patch.clockSkewToleranceSec !== undefined) {
      if (typeof patch.clockSkewToleranceSec !== "number" || patch.clockSkewToleranceSec < 0) {
        throw invalid("clockSkewToleranceSec must be a non-negative number.");
      }
      cfg.clockSkewToleranceSec = patch.clockSkewToleranceSec;
    }
    return configSnapshot(cfg);
  };

  const createUser = (o: { name?: string; permissions?: string[]; publicKeyPem?: string; groups?: string[] } = {}): OciUserCredentials => {
    const pair = o.publicKeyPem ? undefined : generateApiKeyPair();
    const publicKeyPem = o.publicKeyPem ?? (pair as { publicKeyPem: string }).publicKeyPem;
    const groupIds = (o.groups ?? []).map((g) => store.ensureGroup(g).id);
    const user = store.addUser(o.name ?? `user-${store.users.size}@example.com`, o.permissions ?? ["*"], undefined, groupIds);
    let fingerprint: string;
    try {
      fingerprint = store.addApiKey(user.id, publicKeyPem);
    } catch (e) {
      store.users.delete(user.id);
      throw e;
    }
    persister.schedule();
    return {
      tenancyId: store.tenancy.id,
      userId: user.id,
      fingerprint,
      publicKeyPem,
      ...(pair ? { privateKeyPem: pair.privateKeyPem } : {}),
    };
  };

  const setUserPermissions = (userId: string, permissions: string[]): OciUser => {
    const u = store.users.get(userId);
    if (!u) throw notFound(`User ${userId} not found.`);
    u.permissions = [...permissions];
    persister.schedule();
    return u;
  };

  const humanActions: OciHumanActions = {
    createCompartment: (parentId, name, o = {}) =>
      store.createCompartment(
        { compartmentId: parentId, name, description: o.description ?? name, freeformTags: o.freeformTags, definedTags: o.definedTags },
        humanActor(),
      ),
    moveCompartment: (id, target) => {
      store.moveCompartment(id, { targetCompartmentId: target }, undefined, humanActor());
    },
    deleteCompartment: (id) => store.deleteCompartment(id, undefined, humanActor()).status,
    tagCompartment: (id, tags) => store.updateCompartment(id, tags, undefined, humanActor()),
    createPolicy: (details) => store.createPolicy(details, humanActor()),
    editPolicy: (id, edit) => store.updatePolicy(id, edit, undefined, humanActor()),
    deletePolicy: (id) => store.deletePolicy(id, undefined, humanActor()),
    deleteSecurityZone: (id) => store.deleteZone(id, undefined, humanActor()),
    setDenyPoliciesEnabled: (enabled, opts) => store.setDenyPoliciesEnabled(enabled, humanActor(), opts),
    createCloudGuardTarget: (compartmentId, displayName) => addTarget(store, { compartmentId, displayName, type: "COMPARTMENT" }),
  };

  const sim: OciSim = {
    cloud: "oci",
    url: "",
    port: 0,
    get tenancyId() {
      return store.tenancy.id;
    },
    get humanUserId() {
      return store.humanUserId;
    },
    store,
    counters: () => counters.snapshot(),
    resetCounters: () => counters.reset(),
    getConfig: () => configSnapshot(cfg),
    configure,
    summary: () => store.summary(),
    createUser,
    setUserPermissions,
    human: humanActions,
    seed: (spec) => {
      const r = seedOciTenancy(store, spec);
      persister.schedule();
      return r;
    },
    seedDemo: () => {
      demo = seedOciDemo(store);
      persister.schedule();
      return demo;
    },
    get demo() {
      return demo;
    },
    flushEvents: () => emitter.flush(),
    eventStats: () => ({ delivered: emitter.delivered, dropped: emitter.dropped }),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      persister.flush();
    },
  };

  /**
   * Appends an audit event for a call the simulator does not serve (data-plane and other services'
   * calls: an agent's instance principal deleting a bucket, a denied secret read), in the same wire
   * form as the calls it records itself.
   */
  const appendAuditEvent = (x: Record<string, unknown>) => {
    const eventName = str(x, "eventName", { required: true, max: 100 }) as string;
    const compartmentId = str(x, "compartmentId", { required: true, max: 255 }) as string;
    const principalId = str(x, "principalId", { required: true, max: 255 }) as string;
    const kind = /^ocid1\.([a-z0-9]+)\./.exec(principalId)?.[1];
    const principalType =
      str(x, "principalType", { max: 40 }) ?? (kind === "user" ? "user" : kind === "instance" ? "instance" : "resource");
    if (!["user", "instance", "resource"].includes(principalType)) throw invalid("principalType must be user, instance or resource.");
    const status = x.status ?? 200;
    if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) {
      throw invalid("status must be an HTTP status code.");
    }
    const timeRaw = str(x, "time", { max: 40 });
    const time = timeRaw ? new Date(timeRaw) : new Date();
    if (Number.isNaN(time.getTime())) throw invalid("time must be an RFC 3339 timestamp.");
    const current = x.current;
    if (current !== undefined && current !== null && (typeof current !== "object" || Array.isArray(current))) {
      throw invalid("current must be an object (the resource after the call) or null.");
    }
    const principalName = str(x, "principalName", { max: 255 });
    const message = str(x, "message", { max: 1000 });
    const resourceId = str(x, "resourceId", { max: 1000 });
    const resourceName = str(x, "resourceName", { max: 255 });
    return auditLog.record({
      eventName,
      service: str(x, "service", { max: 60 }) ?? "objectstorage",
      compartmentId,
      ...(store.compartments.get(compartmentId) ? { compartmentName: store.compartments.get(compartmentId)?.name } : {}),
      principalId,
      ...(principalName ? { principalName } : {}),
      principalType,
      tenancyId: store.tenancy.id,
      method: str(x, "method", { max: 10 }) ?? "POST",
      path: str(x, "path", { max: 1000 }) ?? `/${eventName}`,
      status,
      ...(message ? { message } : {}),
      region: str(x, "region", { max: 40 }) ?? OCI_SIM_REGION,
      ...(resourceId ? { resourceId } : {}),
      ...(resourceName ? { resourceName } : {}),
      ...(current !== undefined ? { current: current as Record<string, unknown> | null } : {}),
      time,
    });
  };

  const admin = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const method = (req.method ?? "GET").toUpperCase();
    const raw = await readBody(req);
    const parsed = tryParseJson(raw);
    if (!parsed.ok) throw new OciApiError(400, "CannotParseRequest", "The request body is not valid JSON.");
    const body = (parsed.value ?? {}) as unknown;
    const ok = (value: unknown, status = 200): void => sendJson(res, status, value);
    const seg = path
      .split("/")
      .filter(Boolean)
      .slice(1)
      .map((s) => decodeURIComponent(s));
    const [a, b, c] = seg;
    const o = (): Record<string, unknown> => asObject(body, "Request body");
    if (method === "GET" && a === "state" && b === undefined) return ok(store.summary());
    if (method === "GET" && a === "state" && b === "full") return ok(store.toData());
    if (method === "POST" && a === "seed" && b === undefined) {
      const x = o();
      const compartments = x.compartments;
      const depth = x.depth;
      if (typeof compartments !== "number" || compartments < 0 || compartments > 100_000) {
        throw invalid("compartments must be a number between 0 and 100000.");
      }
      if (depth !== undefined && typeof depth !== "number") throw invalid("depth must be a number.");
      const tags = x.tags as OciSeedSpec["tags"];
      if (tags !== undefined && typeof tags !== "boolean" && (typeof tags !== "object" || tags === null)) {
        throw invalid("tags must be a boolean or an object of key → values.");
      }
      return ok(sim.seed({ compartments, depth, tags }));
    }
    if (method === "POST" && a === "seed-demo") return ok(sim.seedDemo());
    if (method === "GET" && a === "demo") {
      if (!demo) throw notFound("The demo tenancy has not been seeded.");
      return ok(demo);
    }
    if (a === "config" && method === "GET") return ok(configSnapshot(cfg));
    if (a === "config" && method === "PUT") return ok(configure(parseConfigPatch(o())));
    if (a === "counters" && method === "GET" && b === undefined) return ok(counters.snapshot());
    if (a === "counters" && method === "POST" && b === "reset") {
      counters.reset();
      return ok({});
    }
    if (a === "users" && method === "POST" && b === undefined) {
      const x = o();
      return ok(
        createUser({
          name: str(x, "name", { max: 100 }),
          permissions: strArray(x, "permissions"),
          publicKeyPem: str(x, "publicKeyPem"),
          groups: strArray(x, "groups", { maxItems: 20 }),
        }),
      );
    }
    if (a === "users" && b && c === "permissions" && method === "PUT") {
      const u = setUserPermissions(b, strArray(o(), "permissions", { required: true }) as string[]);
      return ok({ id: u.id, name: u.name, permissions: u.permissions });
    }
    if (a === "compartments" && method === "POST" && b === undefined) {
      const x = o();
      return ok(
        store.createCompartment(
          {
            compartmentId: x.parentId ?? x.compartmentId,
            name: x.name,
            description: x.description ?? x.name,
            freeformTags: x.freeformTags,
            definedTags: x.definedTags,
          },
          humanActor(),
        ),
      );
    }
    if (a === "compartments" && b && c === "move" && method === "POST") {
      return ok(store.moveCompartment(b, body, undefined, humanActor()));
    }
    if (a === "compartments" && b && c === undefined && method === "DELETE") {
      return ok(store.deleteCompartment(b, undefined, humanActor()));
    }
    if (a === "compartments" && b && c === "tags" && method === "PUT") {
      const x = o();
      return ok(store.updateCompartment(b, { freeformTags: x.freeformTags, definedTags: x.definedTags }, undefined, humanActor()));
    }
    if (a === "policies" && method === "POST" && b === undefined) return ok(store.createPolicy(body, humanActor()));
    if (a === "policies" && b && method === "PUT") return ok(store.updatePolicy(b, body, undefined, humanActor()));
    if (a === "policies" && b && method === "DELETE") {
      store.deletePolicy(b, undefined, humanActor());
      return ok({});
    }
    if (a === "cloudguard-targets" && method === "POST" && b === undefined) {
      const x = o();
      return ok(
        addTarget(store, {
          compartmentId: str(x, "compartmentId", { required: true }) as string,
          displayName: str(x, "displayName", { required: true, max: 255 }) as string,
          type: "COMPARTMENT",
        }),
      );
    }
    if (a === "security-zones" && b && method === "DELETE") {
      store.deleteZone(b, undefined, humanActor());
      return ok({});
    }
    if (a === "audit-events" && method === "POST" && b === undefined) return ok(appendAuditEvent(o()), 201);
    if (a === "tenancy" && method === "PUT") {
      const enabled = bool(o(), "denyPoliciesEnabled");
      if (enabled === undefined) throw invalid("denyPoliciesEnabled is required.");
      store.setDenyPoliciesEnabled(enabled, humanActor(), { guard: bool(o(), "guard") ?? true });
      return ok(store.summary());
    }
    throw new OciApiError(404, "NotFound", `No admin route matches ${method} ${path}.`);
  };

  const server = createServer((req, res) => {
    const url = req.url ?? "/";
    const path = url.split("?")[0] ?? "/";
    const done = (p: Promise<void>): void => {
      p.catch((e: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const err = e instanceof OciApiError ? e : new OciApiError(500, "InternalServerError", "An internal server error occurred.");
        sendJson(res, err.status, { code: err.code, message: err.message });
      });
    };
    if (path === "/_admin" || path.startsWith("/_admin/")) {
      done(admin(req, res, path).then(() => persister.schedule()));
      return;
    }
    if (OciHttpApi.owns(path)) {
      done(api.handle(req, res));
      return;
    }
    done(Promise.reject(new OciApiError(404, "NotFound", `No API matches ${req.method ?? "GET"} ${path}.`)));
  });
  server.on("clientError", (_err, socket) => {
    if (socket.writable) {
      const body = JSON.stringify({ code: "CannotParseRequest", message: "The request could not be parsed." });
      const rid = makeRequestId(store.rand);
      socket.end(
        `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nopc-request-id: ${rid}\r\nconnection: close\r\n\r\n${body}`,
      );
    } else socket.destroy();
  });
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  sim.port = port;
  sim.url = `http://${host}:${port}`;
  return sim;
}
