import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Counters } from "../common/counters.ts";
import { WebhookEmitter } from "../common/events.ts";
import { FaultInjector } from "../common/faults.ts";
import { BodyTooLargeError, readBody } from "../common/http.ts";
import { Persister, loadState } from "../common/persist.ts";
import { mulberry32 } from "../common/rng.ts";
import { Throttler } from "../common/throttle.ts";
import type { SimOptions } from "../common/types.ts";
import { buildCreateAccountResult, buildEvent, buildRecord, humanPrincipal, type AwsOrgEvent } from "./cloudtrail.ts";
import { CLOUDTRAIL_TARGET_PREFIXES, CloudTrailHistory } from "./cloudtrail-history.ts";
import { ConfigAggregators } from "./config-query.ts";
import { TrailBucket } from "./trail-bucket.ts";
import { expandThrottle, type AwsInjectedError, type AwsSimConfig } from "./config.ts";
import { AwsError, E } from "./errors.ts";
import { IamRegistry, type AwsCredentialSpec, type AwsRoleSpec, type Principal } from "./iam.ts";
import { OrgState, type AwsLimits, type OrgSnapshot } from "./org-state.ts";
import { OPERATIONS, type Input, type OpContext, type Output } from "./organizations-api.ts";
import type { PolicyType } from "./policy-doc.ts";
import { parseAuthorization, verifySignature } from "./sigv4.ts";
import { handleSts, stsErrorXml } from "./sts.ts";

export const TARGET_PREFIX = "AWSOrganizationsV20161128.";
const JSON_CT = "application/x-amz-json-1.1";
/** Policy documents are at most tens of KB; anything far larger is abuse, not a request. */
const MAX_REQUEST_BYTES = 2 * 1024 * 1024;
const RECENT_EVENTS = 1000;

/** Key the simulator accepts when no credentials are configured (management account, every action). */
export const AWS_SIM_DEFAULT_CREDENTIALS = {
  accessKeyId: "AKIAPARAPETSIM000001",
  secretAccessKey: "parapet/sim/default/secret/key/000000001",
} as const;

export interface AwsSimOptions extends SimOptions, Omit<AwsSimConfig, "throttle" | "faults" | "webhook" | "limits"> {
  limits?: Partial<AwsLimits>;
  /** Registered access keys; default AWS_SIM_DEFAULT_CREDENTIALS. */
  credentials?: AwsCredentialSpec[];
  roles?: AwsRoleSpec[];
  /** Default: minted from `seed`. */
  managementAccountId?: string;
  /** Policy types enabled in the root at start (default both SCP and RCP). */
  enabledPolicyTypes?: PolicyType[];
}

interface CallMeta {
  sourceIp: string;
  userAgent: string;
}

const ADMIN_META: CallMeta = { sourceIp: "AWS Internal", userAgent: "AWS Internal" };

/**
 * The AWS simulator minus its listening socket: organization state, IAM/STS, throttling, faults,
 * counters, events and persistence. `invoke` is the one pipeline every Organizations call takes,
 * whether it arrives over HTTP (after SigV4) or in process.
 */
export class AwsSimulator {
  state: OrgState;
  readonly iam: IamRegistry;
  readonly counters = new Counters();
  readonly errorCounters = new Counters();
  readonly emitter: WebhookEmitter;
  readonly faults: FaultInjector;
  readonly recentEvents: AwsOrgEvent[] = [];
  /** CloudTrail event history (90 days) of every call served, plus events appended by the admin API. */
  readonly cloudtrail = new CloudTrailHistory();
  /** AWS Config aggregators and the IAM configuration items they hold (principal tags for impact replays). */
  readonly config = new ConfigAggregators();
  /** The organization trail's log bucket, once configured (admin API); served over S3 path-style GETs. */
  trailBucket: TrailBucket | undefined;
  readonly loadedFromFile: boolean;
  private readonly throttler: Throttler;
  private throttleRules: AwsSimConfig["throttle"];
  private readonly persister: Persister;
  private readonly rand: () => number;
  private cmRate: number;
  private trailingEmptyPage: boolean;
  private defaultPageSize: number;
  private injected: AwsInjectedError[] = [];
  private webhook: { url: string; secret?: string } | undefined;
  private readonly initOpts: AwsSimOptions;

  constructor(opts: AwsSimOptions = {}) {
    this.initOpts = opts;
    this.rand = mulberry32(opts.seed ?? 20161128);
    const saved = loadState<{ org: OrgSnapshot; iam: { credentials: AwsCredentialSpec[]; roles: AwsRoleSpec[] } }>(opts.persistFile);
    this.loadedFromFile = saved !== undefined;
    this.state = saved ? OrgState.restore(saved.org, this.rand) : this.freshState();
    this.iam = new IamRegistry(() => this.state.managementAccountId);
    const creds = saved?.iam.credentials ?? opts.credentials ?? [AWS_SIM_DEFAULT_CREDENTIALS];
    for (const c of creds) this.iam.addCredential(c);
    for (const r of saved?.iam.roles ?? opts.roles ?? []) this.iam.addRole(r);
    this.throttleRules = opts.throttle;
    this.throttler = new Throttler(expandThrottle(opts.throttle));
    this.faults = new FaultInjector(opts.faults ?? {}, this.rand);
    this.webhook = opts.webhook;
    this.emitter = new WebhookEmitter(opts.webhook);
    this.cmRate = opts.concurrentModificationRate ?? 0;
    this.trailingEmptyPage = opts.trailingEmptyPage ?? false;
    this.defaultPageSize = opts.defaultPageSize ?? 20;
    if (opts.injectErrors) this.injected.push(...opts.injectErrors);
    this.persister = new Persister(opts.persistFile, () => this.snapshot());
  }

  private freshState(): OrgState {
    return new OrgState({
      rand: this.rand,
      managementAccountId: this.initOpts.managementAccountId,
      limits: this.initOpts.limits,
      enabledPolicyTypes: this.initOpts.enabledPolicyTypes,
    });
  }

  /** Replaces the organization with an empty one (management account only). Credentials and roles stay. */
  resetOrganization(opts: { managementAccountId?: string; seed?: number; enabledPolicyTypes?: PolicyType[] } = {}): OrgState {
    this.state = new OrgState({
      rand: opts.seed === undefined ? this.rand : mulberry32(opts.seed),
      managementAccountId: opts.managementAccountId ?? this.state.managementAccountId,
      limits: this.state.limits,
      enabledPolicyTypes: opts.enabledPolicyTypes ?? this.initOpts.enabledPolicyTypes,
    });
    this.changed();
    return this.state;
  }

  snapshot(): { org: OrgSnapshot; iam: ReturnType<IamRegistry["snapshot"]> } {
    return { org: this.state.snapshot(), iam: this.iam.snapshot() };
  }

  /** Marks state dirty for the debounced file writer. */
  changed(): void {
    this.persister.schedule();
  }

  flushPersistence(): void {
    this.persister.flush();
  }

  // ---- configuration ------------------------------------------------------------------------------------

  configure(cfg: AwsSimConfig): void {
    if (cfg.throttle !== undefined) {
      this.throttleRules = cfg.throttle;
      this.throttler.setRules(expandThrottle(cfg.throttle));
    }
    if (cfg.faults !== undefined) this.faults.set(cfg.faults);
    if (cfg.limits !== undefined) this.state.limits = { ...this.state.limits, ...cfg.limits };
    if (cfg.webhook !== undefined) {
      this.webhook = cfg.webhook ?? undefined;
      this.emitter.configure(this.webhook);
    }
    if (cfg.concurrentModificationRate !== undefined) this.cmRate = cfg.concurrentModificationRate;
    if (cfg.trailingEmptyPage !== undefined) this.trailingEmptyPage = cfg.trailingEmptyPage;
    if (cfg.defaultPageSize !== undefined) this.defaultPageSize = Math.max(1, Math.min(20, cfg.defaultPageSize));
    if (cfg.injectErrors) this.injected.push(...cfg.injectErrors);
    this.changed();
  }

  currentConfig(): Record<string, unknown> {
    return {
      throttle: this.throttleRules === false ? false : expandThrottle(this.throttleRules),
      faults: this.faults.get(),
      limits: this.state.limits,
      webhook: this.webhook ? { url: this.webhook.url, signed: !!this.webhook.secret } : null,
      concurrentModificationRate: this.cmRate,
      trailingEmptyPage: this.trailingEmptyPage,
      defaultPageSize: this.defaultPageSize,
      injectErrors: this.injected,
    };
  }

  // ---- the Organizations pipeline -----------------------------------------------------------------------

  private opContext(): OpContext {
    return { state: this.state, defaultPageSize: this.defaultPageSize, trailingEmptyPage: this.trailingEmptyPage };
  }

  private takeInjected(op: string): AwsError | undefined {
    const i = this.injected.findIndex((x) => x.operation === op || x.operation === "*");
    if (i < 0) return undefined;
    const inj = this.injected[i]!;
    const left = (inj.count ?? 1) - 1;
    if (left <= 0) this.injected.splice(i, 1);
    else this.injected[i] = { ...inj, count: left };
    const extra: Record<string, string> = inj.reason ? { Reason: inj.reason } : {};
    return new AwsError(
      inj.code,
      inj.message ?? `Injected ${inj.code}`,
      inj.status ?? (inj.code === "ServiceException" ? 500 : 400),
      extra,
    );
  }

  private authorize(p: Principal, op: string): void {
    const st = this.state;
    if (p.accountId !== st.managementAccountId) {
      if (!st.accounts.has(p.accountId)) throw E.notInUse();
      // Member accounts may read their organization's description and nothing else.
      if (op !== "DescribeOrganization") throw E.accessDenied("You don't have permissions to access this resource.");
    }
    if (p.allowed && !p.allowed.has(op)) {
      throw E.accessDenied(
        `User: ${p.arn} is not authorized to perform: organizations:${op} on resource: ${st.orgArn} because no identity-based policy allows the organizations:${op} action`,
      );
    }
  }

  /**
   * Runs one Organizations operation as `principal`: faults, throttling, authorization, injected errors,
   * the operation itself, then the CloudTrail event and persistence for mutations. Throws AwsError.
   */
  invoke(op: string, input: Input, principal: Principal, meta: CallMeta = ADMIN_META): Output {
    const def = Object.hasOwn(OPERATIONS, op) ? OPERATIONS[op] : undefined;
    // Unknown names are folded together so a fuzzer cannot grow the counter map without bound.
    const name = def ? op : "UnknownOperation";
    this.counters.inc(name);
    try {
      if (!def) throw new AwsError("UnknownOperationException", `The simulator does not implement operation ${op.slice(0, 100)}.`);
      const fault = this.faults.decide();
      if (fault.kind === "outage") throw E.unavailable();
      if (fault.kind === "error") throw E.service();
      if (this.throttler.check(op) > 0) throw E.tooManyRequests();
      this.authorize(principal, op);
      const injected = this.takeInjected(op);
      if (injected) throw injected;
      if (def.family === "write" && this.cmRate > 0 && this.rand() < this.cmRate) throw E.concurrentModification();
      const r = def.run(this.opContext(), input);
      if (def.family === "write") this.recordMutation(op, input, r, principal, meta);
      else this.record("organizations.amazonaws.com", op, input, principal, meta, "us-east-1", true);
      return r.output;
    } catch (e) {
      if (e instanceof AwsError) {
        this.errorCounters.inc(`${name}:${e.code}`);
        // CloudTrail logs refused and failed calls too, with errorCode/errorMessage (record contents page).
        const readOnly = def?.family !== "write";
        this.record("organizations.amazonaws.com", name, input, principal, meta, "us-east-1", readOnly, e);
      }
      throw e;
    }
  }

  private recordMutation(
    op: string,
    input: Input,
    r: { output: Output; responseElements?: Output | null },
    principal: Principal,
    meta: CallMeta,
  ): void {
    this.publish(
      buildEvent({
        eventName: op,
        principal,
        managementAccountId: this.state.managementAccountId,
        request: input,
        responseElements: r.responseElements ?? null,
        sourceIp: meta.sourceIp,
        userAgent: meta.userAgent,
      }),
    );
    // CreateAccount finishes at once here; AWS then records the CreateAccountResult service event, the
    // only one that names the new account id.
    const statusId = op === "CreateAccount" ? (r.output.CreateAccountStatus as Output | undefined)?.Id : undefined;
    const status = typeof statusId === "string" ? this.state.createAccountStatuses.get(statusId) : undefined;
    if (status) this.publish(buildCreateAccountResult({ managementAccountId: this.state.managementAccountId, status }));
    this.changed();
  }

  /** Adds a served call to the CloudTrail history (the account whose trail it lands in is the caller's). */
  private record(
    eventSource: string,
    eventName: string,
    request: Input,
    principal: Principal,
    meta: CallMeta,
    region: string,
    readOnly: boolean,
    error?: AwsError,
  ): void {
    this.cloudtrail.add(
      buildRecord({
        eventSource,
        eventName,
        principal,
        recipientAccountId: principal.accountId,
        region,
        request,
        responseElements: null,
        sourceIp: meta.sourceIp,
        userAgent: meta.userAgent,
        readOnly,
        ...(error ? { error: { code: error.code, message: error.message } } : {}),
      }),
    );
  }

  private publish(ev: AwsOrgEvent): void {
    this.cloudtrail.add(ev.detail);
    this.recentEvents.push(ev);
    if (this.recentEvents.length > RECENT_EVENTS) this.recentEvents.splice(0, this.recentEvents.length - RECENT_EVENTS);
    this.emitter.emit(ev);
  }

  /**
   * A change made as a person would make it in the console: same validation and limits as the API, no
   * throttling or injected faults, and the same CloudTrail event with a human identity.
   */
  asHuman(op: string, input: Input, person?: string): Output {
    const def = Object.hasOwn(OPERATIONS, op) ? OPERATIONS[op] : undefined;
    if (!def) throw new AwsError("UnknownOperationException", `Unknown operation ${op}`);
    const principal = humanPrincipal(this.state.managementAccountId, person);
    const r = def.run(this.opContext(), input);
    if (def.family === "write") this.recordMutation(op, input, r, principal, ADMIN_META);
    return r.output;
  }

  // ---- HTTP ---------------------------------------------------------------------------------------------

  private authenticate(
    req: IncomingMessage,
    body: Buffer,
    service: "organizations" | "sts" | "cloudtrail" | "s3" | "config",
  ): { principal: Principal; region: string } {
    const h = req.headers.authorization;
    if (!h) throw new AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 400);
    const auth = parseAuthorization(h);
    if (!auth) {
      throw new AwsError(
        "IncompleteSignatureException",
        `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${h.slice(0, 64)}`,
        400,
      );
    }
    const invalidToken = () => new AwsError("UnrecognizedClientException", "The security token included in the request is invalid.", 400);
    const key = this.iam.lookup(auth.accessKeyId);
    if (!key) throw invalidToken();
    const token = req.headers["x-amz-security-token"];
    if (key.sessionToken !== undefined) {
      if (token !== key.sessionToken) throw invalidToken();
      if (key.expiresAt! < Date.now())
        throw new AwsError("ExpiredTokenException", "The security token included in the request is expired", 400);
    } else if (token !== undefined) {
      throw invalidToken();
    }
    if (auth.service !== service) {
      throw new AwsError("InvalidSignatureException", `Credential should be scoped to correct service: '${service}'. `, 400);
    }
    // Organizations is a global service homed in us-east-1; a client configured for another region signs
    // for the wrong scope and AWS refuses it.
    if (service === "organizations" && auth.region !== "us-east-1") {
      throw new AwsError("InvalidSignatureException", `Credential should be scoped to a valid region, not '${auth.region}'. `, 400);
    }
    const v = verifySignature({
      method: req.method ?? "POST",
      url: req.url ?? "/",
      headers: req.headers,
      body,
      auth,
      secretAccessKey: key.secretAccessKey,
    });
    if (!v.ok) {
      throw new AwsError(v.code === "IncompleteSignature" ? "IncompleteSignatureException" : "InvalidSignatureException", v.message, 400);
    }
    return { principal: key.principal, region: auth.region };
  }

  /** Configures the organization trail's log bucket (replacing any earlier one). */
  configureTrailBucket(bucket: string): TrailBucket {
    this.trailBucket = new TrailBucket(bucket, () => this.state.orgId);
    return this.trailBucket;
  }

  /**
   * S3 GETs on the trail bucket (ListObjectsV2, GetObject): SigV4 for `s3`, the caller needs
   * `s3:ListBucket` / `s3:GetObject` in its allowed actions, errors in S3's XML shape.
   */
  private async handleS3(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sim");
    const xmlError = (status: number, code: string, message: string) => {
      const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</Message><RequestId>${requestId}</RequestId></Error>`;
      res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(xml), "x-amz-request-id": requestId });
      res.end(xml);
    };
    try {
      const body = await readBody(req, 1024);
      const { principal } = this.authenticate(req, body, "s3");
      const isList = url.searchParams.has("list-type") || url.pathname.split("/").filter(Boolean).length === 1;
      const action = isList ? "s3:ListBucket" : "s3:GetObject";
      this.counters.inc(action);
      if (principal.allowed && !principal.allowed.has(action)) return xmlError(403, "AccessDenied", "Access Denied");
      if (!this.trailBucket || !this.trailBucket.handle(req.method ?? "GET", url, requestId, res)) {
        return xmlError(404, "NoSuchBucket", "The specified bucket does not exist");
      }
    } catch (e) {
      if (e instanceof AwsError) {
        // S3 names the signature errors like the query protocol and answers 403.
        const code = e.code === "UnrecognizedClientException" ? "InvalidAccessKeyId" : e.code.replace(/Exception$/, "");
        return xmlError(e.status === 400 ? 403 : e.status, code, e.message);
      }
      return xmlError(500, "InternalError", "We encountered an internal error. Please try again.");
    }
  }

  /** Serves one cloud-API request (the admin API is routed before this). Never throws. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    if (req.method === "GET" && /\/s3\/aws4_request/.test(req.headers.authorization ?? "")) return this.handleS3(req, res, requestId);
    const target = req.headers["x-amz-target"];
    const ct = req.headers["content-type"] ?? "";
    const isQuery = target === undefined && ct.startsWith("application/x-www-form-urlencoded");
    try {
      let body: Buffer;
      try {
        body = await readBody(req, MAX_REQUEST_BYTES);
      } catch (e) {
        if (e instanceof BodyTooLargeError) {
          // The rest of the upload is never read, so this connection cannot carry another request.
          res.setHeader("connection", "close");
          throw new AwsError("RequestEntityTooLargeException", "Request entity too large", 413);
        }
        throw e;
      }
      await this.faults.delay();
      const trailOp = typeof target === "string" ? CLOUDTRAIL_TARGET_PREFIXES.find((p) => target.startsWith(p)) : undefined;
      const configOp = typeof target === "string" && target.startsWith(CONFIG_TARGET_PREFIX);
      const { principal, region } = this.authenticate(
        req,
        body,
        isQuery ? "sts" : trailOp ? "cloudtrail" : configOp ? "config" : "organizations",
      );
      const meta: CallMeta = { sourceIp: req.socket.remoteAddress ?? "127.0.0.1", userAgent: req.headers["user-agent"] ?? "" };
      if (isQuery) return this.handleStsRequest(body, principal, region, meta, requestId, res);
      if (trailOp)
        return this.handleCloudTrailRequest((target as string).slice(trailOp.length), body, principal, region, meta, requestId, res);
      if (configOp)
        return this.handleConfigRequest(target.slice(CONFIG_TARGET_PREFIX.length), body, principal, region, meta, requestId, res);
      if (req.method !== "POST") throw new AwsError("UnknownOperationException", `Method ${req.method ?? ""} is not supported; use POST.`);
      if (typeof target !== "string" || !target.startsWith(TARGET_PREFIX)) {
        throw new AwsError(
          "UnknownOperationException",
          `Unknown X-Amz-Target: ${typeof target === "string" ? target.slice(0, 100) : "(none)"}`,
        );
      }
      const op = target.slice(TARGET_PREFIX.length);
      let input: Input = {};
      if (body.length > 0) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString("utf8"));
        } catch {
          throw E.serialization("Start of structure or map found where not expected, or the request body is not valid JSON.");
        }
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
          throw E.serialization("The request body must be a JSON object.");
        }
        input = parsed as Input;
      }
      const out = this.invoke(op, input, principal, meta);
      const text = JSON.stringify(out);
      res.writeHead(200, { "content-type": JSON_CT, "content-length": Buffer.byteLength(text), "x-amzn-requestid": requestId });
      res.end(text);
    } catch (e) {
      const err =
        e instanceof AwsError
          ? e
          : new AwsError("InternalFailure", "The request processing has failed because of an unknown error, exception or failure.", 500);
      if (!(e instanceof AwsError)) this.errorCounters.inc("internal:InternalFailure");
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (isQuery) {
        const sts = stsError(err);
        const xml = stsErrorXml(sts, requestId);
        res.writeHead(sts.status, { "content-type": "text/xml", "content-length": Buffer.byteLength(xml), "x-amzn-requestid": requestId });
        res.end(xml);
      } else {
        const text = JSON.stringify(err.toJson());
        res.writeHead(err.status, {
          "content-type": JSON_CT,
          "content-length": Buffer.byteLength(text),
          "x-amzn-requestid": requestId,
          "x-amzn-errortype": err.code,
        });
        res.end(text);
      }
    }
  }

  private handleStsRequest(
    body: Buffer,
    principal: Principal,
    region: string,
    meta: CallMeta,
    requestId: string,
    res: ServerResponse,
  ): void {
    const params = new URLSearchParams(body.toString("utf8"));
    const action = params.get("Action");
    const known = action === "AssumeRole" || action === "GetCallerIdentity";
    this.counters.inc(known ? `sts:${action}` : "sts:UnknownAction");
    // CloudTrail logs the STS request parameters camel-cased (roleArn, roleSessionName, durationSeconds).
    const request: Input = {};
    for (const k of ["RoleArn", "RoleSessionName", "DurationSeconds"]) {
      const v = params.get(k);
      if (v !== null) request[k] = v;
    }
    const name = known ? action : "UnknownAction";
    try {
      const fault = this.faults.decide();
      if (fault.kind !== "none") throw new AwsError("ServiceUnavailable", "Service is unable to handle request.", 503);
      if (this.throttler.check("sts") > 0) throw new AwsError("Throttling", "Rate exceeded", 400);
      const xml = handleSts(params, principal, this.iam, requestId);
      this.record("sts.amazonaws.com", name, request, principal, meta, region, action === "GetCallerIdentity");
      res.writeHead(200, { "content-type": "text/xml", "content-length": Buffer.byteLength(xml), "x-amzn-requestid": requestId });
      res.end(xml);
    } catch (e) {
      if (e instanceof AwsError)
        this.record("sts.amazonaws.com", name, request, principal, meta, region, action === "GetCallerIdentity", e);
      throw e;
    }
  }

  /** CloudTrail's JSON 1.1 API: LookupEvents, itself logged as a read-only management event. */
  private handleCloudTrailRequest(
    op: string,
    body: Buffer,
    principal: Principal,
    region: string,
    meta: CallMeta,
    requestId: string,
    res: ServerResponse,
  ): void {
    if (op !== "LookupEvents")
      throw new AwsError("UnknownOperationException", `The simulator does not implement operation ${op.slice(0, 100)}.`);
    const call = { service: "cloudtrail", action: "LookupEvents", principal, region, meta, requestId, res };
    this.serveJsonRead(call, body, (input) => this.cloudtrail.lookupEvents(input, { accountId: principal.accountId, region }));
  }

  /** AWS Config's advanced query over an aggregator (config-query.ts), logged as a read-only management event. */
  private handleConfigRequest(
    op: string,
    body: Buffer,
    principal: Principal,
    region: string,
    meta: CallMeta,
    requestId: string,
    res: ServerResponse,
  ): void {
    if (op !== "SelectAggregateResourceConfig")
      throw new AwsError("UnknownOperationException", `The simulator does not implement operation ${op.slice(0, 100)}.`);
    const call = { service: "config", action: "SelectAggregateResourceConfig", principal, region, meta, requestId, res };
    this.serveJsonRead(call, body, (input) => this.config.select(input, principal.accountId));
  }

  /**
   * One read-only JSON 1.1 action outside Organizations: counted, refused unless the caller's policy lists
   * `<service>:<action>` (keys and roles name the non-Organizations actions they may call), answered as
   * JSON, and logged as a read-only management event whether it succeeded or was refused.
   */
  private serveJsonRead(
    c: { service: string; action: string; principal: Principal; region: string; meta: CallMeta; requestId: string; res: ServerResponse },
    body: Buffer,
    answer: (input: Input) => unknown,
  ): void {
    const permission = `${c.service}:${c.action}`;
    const source = `${c.service}.amazonaws.com`;
    this.counters.inc(permission);
    const input = jsonObjectBody(body);
    try {
      if (c.principal.allowed && !c.principal.allowed.has(permission)) {
        throw E.accessDenied(
          `User: ${c.principal.arn} is not authorized to perform: ${permission} because no identity-based policy allows the ${permission} action`,
        );
      }
      const out = answer(input);
      this.record(source, c.action, input, c.principal, c.meta, c.region, true);
      const text = JSON.stringify(out);
      c.res.writeHead(200, { "content-type": JSON_CT, "content-length": Buffer.byteLength(text), "x-amzn-requestid": c.requestId });
      c.res.end(text);
    } catch (e) {
      if (e instanceof AwsError) {
        this.errorCounters.inc(`${permission}:${e.code}`);
        this.record(source, c.action, input, c.principal, c.meta, c.region, true, e);
      }
      throw e;
    }
  }
}

/** A JSON 1.1 request body: an object, or empty. */
function jsonObjectBody(body: Buffer): Input {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw E.serialization("The request body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw E.serialization("The request body must be a JSON object.");
  return parsed as Input;
}

/** AWS Config's JSON 1.1 target prefix (botocore config service-2.json, metadata.targetPrefix). */
const CONFIG_TARGET_PREFIX = "StarlingDoveService.";

/** The query protocol names the signature errors differently from JSON services. */
function stsError(err: AwsError): AwsError {
  const map: Record<string, [string, number]> = {
    UnrecognizedClientException: ["InvalidClientTokenId", 403],
    InvalidSignatureException: ["SignatureDoesNotMatch", 403],
    IncompleteSignatureException: ["IncompleteSignature", 400],
    MissingAuthenticationTokenException: ["MissingAuthenticationToken", 403],
    ExpiredTokenException: ["ExpiredToken", 400],
  };
  const m = map[err.code];
  return m ? new AwsError(m[0], err.message, m[1]) : err;
}
