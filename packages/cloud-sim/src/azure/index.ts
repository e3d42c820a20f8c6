import type { ActivityCall, ActivityEntry } from "./activity-log.ts";
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { generate } from "selfsigned";
import { BodyTooLargeError, MAX_BODY_BYTES, readBody, sendJson } from "../common/http.ts";
import { loadState } from "../common/persist.ts";
import type { RunningSim, SimOptions } from "../common/types.ts";
import { handleAdmin } from "./admin.ts";
import { handleArm } from "./arm.ts";
import { tokenGrant } from "./auth.ts";
import { AzureCore, type AzureEvent } from "./core.ts";
import { ArmError } from "./errors.ts";
import type { AppRegistration, AzureLimits, AzureRuntimeConfig, PolicyResource, RoleGrant, Subscription } from "./model.ts";
import { installBuiltIns, seedAzureDemoCore, seedAzureTenantCore, type DemoInfo, type SeedOptions, type SeedResult } from "./seed.ts";
import type { StateSnapshot } from "./state.ts";

export type { AzureEvent } from "./core.ts";
export { DEFAULT_THROTTLE } from "./model.ts";
export { DEMO_APP, DEMO_READER_APP, SECURITY_BENCHMARK } from "./seed.ts";
export type { DemoInfo, SeedOptions, SeedResult } from "./seed.ts";

/** Tenant id every simulator uses unless told otherwise, so demo configuration can name it. */
const DEMO_TENANT_ID = "4c7d2e1a-9b3f-4a6c-8e2d-5f1b3a7c9e60";

export interface AzureSimOptions extends SimOptions {
  tenantId?: string;
  limits?: Partial<AzureLimits>;
  /** Page size of every list operation (default 100). */
  pageSize?: number;
  /** Seed the landing-zone demo tenant at start (ignored when state was loaded from persistFile). */
  demo?: boolean;
}

export interface AzureSim extends RunningSim {
  cloud: "azure";
  /** PEM of the self-signed certificate the HTTPS server presents; pass as `tlsOptions: { ca }`. */
  caPem: string;
  tenantId: string;
  rootManagementGroupId: string;
  /** Microsoft-identity-platform-like authority host (token endpoint at `${authorityHost}/${tenantId}/oauth2/v2.0/token`). */
  authorityHost: string;
  /** Options for PolicyClient / ManagementGroupsAPI constructors: `{ endpoint, tlsOptions: { ca } }`. */
  clientOptions(): { endpoint: string; tlsOptions: { ca: string } };
  registerApp(app: {
    appId?: string;
    displayName?: string;
    secret?: string;
    grants?: RoleGrant[];
    federated?: AppRegistration["federated"];
  }): AppRegistration;
  /** Bearer token for a registered app (default lifetime 3599 s). */
  issueToken(appId: string, opts?: { token?: string; lifetimeSec?: number }): string;
  configure(patch: Partial<Omit<AzureRuntimeConfig, "limits">> & { limits?: Partial<AzureLimits> }): AzureRuntimeConfig;
  seedAzureTenant(opts: SeedOptions): SeedResult;
  seedAzureDemo(): DemoInfo;
  // Out-of-band changes, as a person in the portal would make them (each emits an event).
  setEnforcementMode(assignmentId: string, mode: "Default" | "DoNotEnforce", actor?: string): PolicyResource;
  addNotScopes(assignmentId: string, notScopes: string[], actor?: string): PolicyResource;
  editDefinitionRule(definitionId: string, policyRule: unknown, actor?: string): PolicyResource;
  deleteResource(id: string, opts?: { force?: boolean; actor?: string }): void;
  moveSubscription(subscriptionId: string, managementGroup: string, actor?: string): Subscription;
  addSubscription(a: {
    subscriptionId?: string;
    displayName?: string;
    managementGroup?: string;
    tags?: Record<string, string>;
    actor?: string;
  }): Subscription;
  tagSubscription(
    subscriptionId: string,
    tags: Record<string, string>,
    operation?: "Merge" | "Replace" | "Delete",
    actor?: string,
  ): Subscription;
  addManagementGroup(name: string, displayName?: string, parent?: string, actor?: string): void;
  deleteManagementGroup(name: string, actor?: string): void;
  renameSubscription(subscriptionId: string, displayName: string, actor?: string): Subscription;
  cancelSubscription(subscriptionId: string, actor?: string): Subscription;
  summary(): Record<string, unknown>;
  snapshot(): StateSnapshot;
  /** Events emitted so far (most recent 10,000), whether or not a webhook is configured. */
  events(): AzureEvent[];
  /** Activity Log entries recorded so far (every write, delete and action served, plus appended ones). */
  activityLog(): ActivityEntry[];
  /** Appends calls to the Activity Log (a delete by an agent app, a write refused by policy…); returns their entries. */
  appendActivity(calls: ActivityCall[]): ActivityEntry[];
  /** Resolves once every webhook delivery started so far has succeeded or been dropped. */
  flushEvents(): Promise<void>;
  /** The underlying engine, for benchmarks that need direct access. */
  core: AzureCore;
}

async function certificate(): Promise<{ key: string; cert: string }> {
  const notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const pems = await generate([{ name: "commonName", value: "management.azure.local" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notAfterDate: notAfter,
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 2, value: "management.azure.local" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

function aad(core: AzureCore, method: string, segs: string[], body: Buffer): { status: number; body: unknown } | undefined {
  const base = core.baseUrl;
  const tenant = segs[0] ?? "";
  const known = tenant.toLowerCase() === core.state.tenantId.toLowerCase();
  const notFoundTenant = {
    status: 400,
    body: { error: "invalid_request", error_description: `AADSTS90002: Tenant '${tenant}' not found.`, error_codes: [90002] },
  };
  if (segs.length === 4 && segs[1] === "oauth2" && segs[2] === "v2.0" && segs[3] === "token") {
    if (method !== "POST")
      return {
        status: 405,
        body: { error: "invalid_request", error_description: "AADSTS900561: The endpoint only accepts POST requests." },
      };
    if (!known) return notFoundTenant;
    return tokenGrant(core.state.tenantId, new URLSearchParams(body.toString("utf8")), core.state.apps, core.tokens);
  }
  if (segs.length === 4 && segs[1] === "v2.0" && segs[2] === ".well-known" && segs[3] === "openid-configuration" && method === "GET") {
    if (!known) return notFoundTenant;
    const t = core.state.tenantId;
    return {
      status: 200,
      body: {
        token_endpoint: `${base}/${t}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        jwks_uri: `${base}/${t}/discovery/v2.0/keys`,
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        issuer: `${base}/${t}/v2.0`,
        authorization_endpoint: `${base}/${t}/oauth2/v2.0/authorize`,
        tenant_region_scope: "EU",
      },
    };
  }
  if (segs.length === 3 && segs[0] === "common" && segs[1] === "discovery" && segs[2] === "instance" && method === "GET") {
    const host = new URL(base).host;
    return {
      status: 200,
      body: {
        tenant_discovery_endpoint: `${base}/${core.state.tenantId}/v2.0/.well-known/openid-configuration`,
        "api-version": "1.1",
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      },
    };
  }
  return undefined;
}

/** Starts the Azure ARM simulator on HTTPS (loopback, port 0 by default). */
export async function startAzureSim(opts: AzureSimOptions = {}): Promise<AzureSim> {
  const core = new AzureCore({
    tenantId: opts.tenantId ?? DEMO_TENANT_ID,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.throttle !== undefined ? { throttle: opts.throttle } : {}),
    ...(opts.faults !== undefined ? { faults: opts.faults } : {}),
    ...(opts.webhook !== undefined ? { webhook: opts.webhook } : {}),
    ...(opts.limits !== undefined ? { limits: opts.limits } : {}),
    ...(opts.pageSize !== undefined ? { pageSize: opts.pageSize } : {}),
    ...(opts.persistFile !== undefined ? { persistFile: opts.persistFile } : {}),
  });
  installBuiltIns(core.state);
  const loaded = loadState<StateSnapshot>(opts.persistFile);
  if (loaded && loaded.tenantId.toLowerCase() === core.state.tenantId.toLowerCase()) core.state.restore(loaded);
  else if (opts.demo) seedAzureDemoCore(core);

  const { key, cert } = await certificate();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const headers = { "x-ms-request-id": requestId, "x-ms-correlation-request-id": requestId };
    const reply = (status: number, body: unknown, extra: Record<string, string> = {}): void => {
      if (res.headersSent || res.destroyed) return;
      if (body === undefined) {
        res.writeHead(status, { ...headers, ...extra, "content-length": "0" });
        res.end();
      } else sendJson(res, status, body, { ...headers, ...extra });
    };
    try {
      let url: URL;
      try {
        // Concatenate rather than resolve: a path starting with "//" must not be read as a host.
        url = new URL(core.baseUrl + (req.url?.startsWith("/") ? req.url : `/${req.url ?? ""}`));
      } catch {
        throw new ArmError(400, "InvalidRequestUri", `The request URI '${req.url ?? ""}' is not valid.`);
      }
      const method = (req.method ?? "GET").toUpperCase();
      let body: Buffer;
      try {
        body = await readBody(req, MAX_BODY_BYTES);
      } catch (e) {
        if (e instanceof BodyTooLargeError) {
          reply(
            413,
            new ArmError(
              413,
              "RequestContentTooLarge",
              `The request content size exceeds the maximum size of ${core.config.limits.maxBodyBytes} bytes.`,
            ).body(),
            { connection: "close" },
          );
          req.destroy();
          return;
        }
        throw e;
      }
      if (url.pathname === "/_admin" || url.pathname.startsWith("/_admin/")) {
        const r = await handleAdmin(core, method, url.pathname, body);
        reply(r.status, r.body);
        return;
      }
      const segs = url.pathname.split("/").filter(Boolean);
      const a = aad(core, method, segs, body);
      if (a) {
        reply(a.status, a.body, { "cache-control": "no-store" });
        return;
      }
      if (body.length > core.config.limits.maxBodyBytes) {
        throw new ArmError(
          413,
          "RequestContentTooLarge",
          `The request content size exceeds the maximum size of ${core.config.limits.maxBodyBytes} bytes.`,
        );
      }
      const r = await handleArm(core, { method, url, body }, req.headers.authorization);
      reply(r.status, r.body, r.headers);
    } catch (e) {
      if (e instanceof ArmError) reply(e.status, e.body(), e.headers);
      else {
        reply(500, {
          error: {
            code: "InternalServerError",
            message: `Encountered internal server error. Diagnostic information: tracking id '${requestId}'.`,
          },
        });
      }
    }
  };

  const server: Server = createServer({ key, cert }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.destroy();
    });
  });
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host && opts.host !== "0.0.0.0" ? opts.host : "127.0.0.1";
  core.baseUrl = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;

  const sim: AzureSim = {
    cloud: "azure",
    url: core.baseUrl,
    port,
    caPem: cert,
    tenantId: core.state.tenantId,
    rootManagementGroupId: core.state.tenantId,
    authorityHost: core.baseUrl,
    core,
    clientOptions: () => ({ endpoint: core.baseUrl, tlsOptions: { ca: cert } }),
    counters: () => core.counters.snapshot(),
    resetCounters: () => core.counters.reset(),
    registerApp: (a) => core.registerApp(a),
    issueToken: (appId, o) => core.issueToken(appId, o),
    configure: (p) => core.configure(p),
    seedAzureTenant: (o) => seedAzureTenantCore(core, o),
    seedAzureDemo: () => seedAzureDemoCore(core),
    setEnforcementMode: (id, mode, actor) => core.setEnforcementMode(id, mode, actor),
    addNotScopes: (id, ns, actor) => core.addNotScopes(id, ns, actor),
    editDefinitionRule: (id, rule, actor) => core.editDefinitionRule(id, rule, actor),
    deleteResource: (id, o) => core.deleteResource(id, o),
    moveSubscription: (s, mg, actor) => core.moveSubscription(s, mg, actor),
    addSubscription: (a) => core.addSubscription(a),
    tagSubscription: (s, t, op, actor) => core.tagSubscription(s, t, op, actor),
    addManagementGroup: (n, d, p, actor) => core.addManagementGroup(n, d, p, actor),
    deleteManagementGroup: (n, actor) => core.deleteManagementGroup(n, actor),
    renameSubscription: (s, n, actor) => core.renameSubscription(s, n, actor),
    cancelSubscription: (s, actor) => core.cancelSubscription(s, actor),
    summary: () => core.summary(),
    snapshot: () => core.state.snapshot(),
    events: () => [...core.events],
    activityLog: () => [...core.activity.entries],
    appendActivity: (calls) => calls.flatMap((c) => core.activity.record(c)),
    flushEvents: () => core.emitter.flush(),
    close: async () => {
      await core.emitter.flush();
      core.persister.flush();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return sim;
}

/** Seeds a tenant of any size (e.g. 10,000 subscriptions) in process; no events are emitted for a bulk seed. */
export function seedAzureTenant(sim: AzureSim, opts: SeedOptions): SeedResult {
  return seedAzureTenantCore(sim.core, opts);
}
