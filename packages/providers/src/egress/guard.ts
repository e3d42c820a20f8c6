import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { Duplex } from "node:stream";
import { Agent as UndiciAgent, buildConnector, type Dispatcher } from "undici";
import { blockedAddressReason, isIpLiteral } from "./addresses.ts";
import {
  EMPTY_ALLOWLIST,
  isAllowlisted,
  isAzureAuthorityHost,
  isCloudApiHost,
  normalizeHost,
  type EgressAllowlist,
  type EgressCloud,
} from "./hosts.ts";

/**
 * The connect-time half of the SSRF defence. Save-time validation only sees names; this sees the
 * addresses a socket is about to be opened to. Every HTTP(S) client the cloud SDKs use is given an
 * agent (or an undici dispatcher, for OCI's and Parapet's fetch calls) whose connections pass here:
 *
 * 1. the host name must be one of the cloud's own API hosts, or on the operator allowlist (this also
 *    holds for every redirect target, since redirected requests reuse the agent);
 * 2. an IP literal that is not allowlisted must be public (it cannot be a cloud host anyway);
 * 3. a name is resolved by the guard's own lookup, and every resolved address must be public unless
 *    the name is allowlisted — the addresses checked are the ones the socket connects to, so a name
 *    that answers differently on a second lookup (DNS rebinding) gains nothing.
 *
 * A refusal is an `EgressRefusedError` raised before any packet leaves; its message is the same for
 * every port and address class ("not allowed"), so refusals cannot be used to scan the network.
 */
export class EgressRefusedError extends Error {
  readonly code = "EGRESS_REFUSED";
  constructor(
    readonly host: string,
    /** Why, for the worker log only. */
    readonly reason: string,
  ) {
    super(`connection to ${host} refused: not an allowed cloud endpoint`);
    this.name = "EgressRefusedError";
  }
}

export function isEgressRefused(e: unknown): e is EgressRefusedError {
  for (let cur: unknown = e, depth = 0; cur && typeof cur === "object" && depth < 6; cur = (cur as { cause?: unknown }).cause, depth++) {
    if (cur instanceof EgressRefusedError || (cur as { code?: unknown }).code === "EGRESS_REFUSED") return true;
  }
  return false;
}

/** Resolves a name to every address it has (IPv4 and IPv6), like getaddrinfo. Injectable for tests. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

export interface EgressGuardOptions {
  /** Whose API hosts are reachable without the allowlist; undefined = every cloud's (process-wide use). */
  cloud?: EgressCloud;
  allowlist?: EgressAllowlist;
  resolver?: Resolver;
  /** Called with each refusal (host, reason), for logs. */
  onRefused?: (host: string, reason: string) => void;
  /**
   * Any host name is acceptable (its addresses are still checked: public only, unless allowlisted).
   * For alert receivers (Slack, Teams, PagerDuty, customers' webhooks), which are not cloud API hosts.
   */
  anyPublicHost?: boolean;
}

export interface TlsOptions {
  /** PEM CA bundle added for a private endpoint (the Azure simulator's self-signed certificate). */
  ca?: string;
}

export class EgressGuard {
  readonly allowlist: EgressAllowlist;
  private readonly resolver: Resolver;

  constructor(private readonly o: EgressGuardOptions = {}) {
    this.allowlist = o.allowlist ?? EMPTY_ALLOWLIST;
    this.resolver = o.resolver ?? systemResolver;
  }

  /** A guard for another cloud with the same allowlist, resolver and logging. */
  forCloud(cloud: EgressCloud): EgressGuard {
    return new EgressGuard({ ...this.o, cloud });
  }

  private refuse(host: string, reason: string): EgressRefusedError {
    this.o.onRefused?.(host, reason);
    return new EgressRefusedError(host, reason);
  }

  private knownHost(host: string): boolean {
    if (this.o.anyPublicHost) return true;
    const c = this.o.cloud;
    if (!c)
      return (
        isCloudApiHost("aws", host) ||
        isCloudApiHost("azure", host) ||
        isCloudApiHost("gcp", host) ||
        isCloudApiHost("oci", host) ||
        isAzureAuthorityHost(host)
      );
    return isCloudApiHost(c, host) || (c === "azure" && isAzureAuthorityHost(host));
  }

  /**
   * Host-level decision before any socket: "trusted" (allowlisted: connect as is), "resolve" (a cloud
   * host: resolve and check every address). Throws for anything else.
   */
  admit(rawHost: string, port: number): "trusted" | "resolve" {
    const host = normalizeHost(rawHost);
    if (isAllowlisted(this.allowlist, host, port)) return "trusted";
    if (isIpLiteral(host)) {
      const why = blockedAddressReason(host);
      throw this.refuse(host, why ? `address ${host} is ${why}` : `address ${host} is not a cloud API host and not on the allowlist`);
    }
    if (!this.knownHost(host)) throw this.refuse(host, `${host}:${port} is not a cloud API host and not on the allowlist`);
    return "resolve";
  }

  /** Resolves `host` and returns its addresses only if every one of them is public. */
  async resolvePublic(host: string): Promise<LookupAddress[]> {
    // A DNS failure itself (ENOTFOUND, EAI_AGAIN) propagates as an ordinary "unreachable".
    const addresses = await this.resolver(host);
    if (addresses.length === 0) throw Object.assign(new Error(`no addresses for ${host}`), { code: "ENOTFOUND" });
    for (const a of addresses) {
      const why = blockedAddressReason(a.address);
      if (why) throw this.refuse(host, `${host} resolved to ${a.address}, which is ${why}`);
    }
    return addresses;
  }

  /** A `lookup` for net/tls.connect that only ever hands the socket checked public addresses. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    const all = typeof options === "object" && options !== null && (options as { all?: boolean }).all === true;
    const family = typeof options === "object" && options !== null ? (options as { family?: number | string }).family : undefined;
    const wanted = family === 4 || family === "IPv4" ? 4 : family === 6 || family === "IPv6" ? 6 : 0;
    this.resolvePublic(hostname).then(
      (found) => {
        const list = wanted ? found.filter((a) => a.family === wanted) : found;
        if (list.length === 0) {
          callback(Object.assign(new Error(`no IPv${wanted} address for ${hostname}`), { code: "ENOTFOUND" }), "", 0);
          return;
        }
        if (all) (callback as unknown as (err: null, addresses: LookupAddress[]) => void)(null, list);
        else callback(null, list[0]!.address, list[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, "", 0),
    );
  };

  /** Connection options for one socket, or the refusal. */
  private socketOptions<T extends { host?: string | null; hostname?: string | null; port?: number | string | null }>(
    options: T,
    defaultPort: number,
  ): T & { lookup?: LookupFunction } {
    const host = options.hostname ?? options.host ?? "localhost";
    const port = Number(options.port) || defaultPort;
    return this.admit(host, port) === "trusted" ? options : { ...options, lookup: this.lookup };
  }

  /** node:http agent for SDKs that take one (AWS NodeHttpHandler, gaxios). */
  httpAgent(): http.Agent {
    return new GuardedHttpAgent(this);
  }

  /** node:https agent, with an extra CA when a private endpoint presents one. */
  httpsAgent(tls: TlsOptions = {}): https.Agent {
    return new GuardedHttpsAgent(this, tls);
  }

  /** undici dispatcher for fetch() (OCI's SDK and Parapet's own REST calls use the global fetch). */
  dispatcher(tls: TlsOptions = {}): Dispatcher {
    const base = buildConnector({ ...(tls.ca ? { ca: tls.ca } : {}), lookup: this.lookup });
    const trusted = buildConnector({ ...(tls.ca ? { ca: tls.ca } : {}) });
    const connect: buildConnector.connector = (opts, cb) => {
      let decision: "trusted" | "resolve";
      try {
        decision = this.admit(opts.hostname, Number(opts.port) || (opts.protocol === "https:" ? 443 : 80));
      } catch (e) {
        cb(e as Error, null);
        return;
      }
      (decision === "trusted" ? trusted : base)(opts, cb);
    };
    return new UndiciAgent({ connect });
  }

  /** Internal: used by the agents below. */
  connectOptions<T extends { host?: string | null; hostname?: string | null; port?: number | string | null }>(
    options: T,
    defaultPort: number,
    mode: "strict" | "global",
  ): T & { lookup?: LookupFunction } {
    if (mode === "strict") return this.socketOptions(options, defaultPort);
    // Process-wide agents serve code Parapet does not configure per request (google-gax 4's node-fetch,
    // the AWS SDK's instance-metadata credential provider). Literal addresses are those callers' own
    // configuration (IMDS is 169.254.169.254 by design) and stay as they are; every name must resolve
    // to public addresses unless allowlisted, which is what stops a rebound cloud name.
    const host = normalizeHost(options.hostname ?? options.host ?? "localhost");
    if (isIpLiteral(host) || isAllowlisted(this.allowlist, host, Number(options.port) || defaultPort)) return options;
    return { ...options, lookup: this.lookup };
  }
}

/**
 * Replaces node's default http/https agents (used by any request that names no agent) with guarded
 * ones. The worker does this once at start, for google-gax 4 (Org Policy), whose transport accepts no
 * agent. Returns a function that puts the previous agents back (tests).
 */
export function installGlobalEgressGuard(guard: EgressGuard): () => void {
  // Both modules read `globalAgent` from their exports at request time (node's http.js / https.js);
  // @types/node declares the property read-only.
  const h = http as { globalAgent: http.Agent };
  const hs = https as { globalAgent: https.Agent };
  const before = { http: h.globalAgent, https: hs.globalAgent };
  h.globalAgent = new GuardedHttpAgent(guard, "global");
  hs.globalAgent = new GuardedHttpsAgent(guard, {}, "global");
  return () => {
    h.globalAgent = before.http;
    hs.globalAgent = before.https;
  };
}

type ConnectCallback = (err: Error | null, stream: Duplex) => void;
type CreateConnection = (o: AgentOptions, cb?: ConnectCallback) => Duplex | null | undefined;
type AgentOptions = http.ClientRequestArgs;

class GuardedHttpAgent extends http.Agent {
  constructor(
    private readonly guard: EgressGuard,
    private readonly mode: "strict" | "global" = "strict",
  ) {
    super({ keepAlive: true });
  }

  override createConnection(options: AgentOptions, callback?: ConnectCallback): Duplex | null | undefined {
    let checked: AgentOptions;
    try {
      checked = this.guard.connectOptions(options, 80, this.mode);
    } catch (e) {
      // The Agent contract: no socket returned, the error goes to the callback (then to the request).
      process.nextTick(() => (callback as ((err: Error) => void) | undefined)?.(e as Error));
      return undefined;
    }
    return (http.Agent.prototype as unknown as { createConnection: CreateConnection }).createConnection.call(this, checked, callback);
  }
}

class GuardedHttpsAgent extends https.Agent {
  constructor(
    private readonly guard: EgressGuard,
    tls: TlsOptions,
    private readonly mode: "strict" | "global" = "strict",
  ) {
    super({ keepAlive: true, ...(tls.ca ? { ca: tls.ca } : {}) });
  }

  override createConnection(options: AgentOptions, callback?: ConnectCallback): Duplex | null | undefined {
    let checked: AgentOptions;
    try {
      checked = this.guard.connectOptions(options, 443, this.mode);
    } catch (e) {
      // The Agent contract: no socket returned, the error goes to the callback (then to the request).
      process.nextTick(() => (callback as ((err: Error) => void) | undefined)?.(e as Error));
      return undefined;
    }
    return (https.Agent.prototype as unknown as { createConnection: CreateConnection }).createConnection.call(this, checked, callback);
  }
}
