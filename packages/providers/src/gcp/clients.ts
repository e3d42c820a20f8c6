/**
 * SDK client wiring for one GCP connection: Org Policy (google-gax 4), Resource Manager and IAM
 * (google-gax 5), all in REST `fallback` mode so one HTTP endpoint override points every client at a
 * compatible endpoint (the simulator, a private service connect address).
 *
 * Authentication: a service-account key goes to every SDK as `credentials`; an access token needs an
 * OAuth2Client from the google-auth-library major each gax expects (9 for gax 4, which calls
 * getRequestHeaders; 10 for gax 5, which calls fetch), so the v10 class is taken from the copy gax 5
 * itself resolves.
 */
import { createRequire } from "node:module";
import { v2 as iamV2 } from "@google-cloud/iam";
import { v2 as orgPolicyV2 } from "@google-cloud/org-policy";
import { FoldersClient, OrganizationsClient, ProjectsClient } from "@google-cloud/resource-manager";
import { OAuth2Client } from "google-auth-library";
import type { Dispatcher } from "undici";
import type { EgressGuard } from "../egress/guard.ts";
import type { TGcpCredentials } from "./credentials.ts";
import { GcpHttpError } from "./errors.ts";

interface GcpEndpoint {
  apiEndpoint: string;
  port: number;
  protocol: "http" | "https";
}

/** `http://127.0.0.1:4010` → gax options; undefined keeps each SDK's googleapis.com default. */
function parseGcpEndpoint(endpoint: string | undefined): GcpEndpoint | undefined {
  if (!endpoint) return undefined;
  const u = new URL(endpoint);
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error(`GCP endpoint must be http(s)://host[:port], got "${endpoint}"`);
  const protocol = u.protocol === "http:" ? "http" : "https";
  return { apiEndpoint: u.hostname, port: u.port ? Number(u.port) : protocol === "http" ? 80 : 443, protocol };
}

interface TokenClient {
  setCredentials(c: { access_token: string; expiry_date: number }): void;
}

interface GaxiosConfig {
  url?: string | URL;
  agent?: unknown;
  redirect?: string;
}
interface Gaxios7 {
  interceptors: { request: { add(i: { resolved: (c: GaxiosConfig) => GaxiosConfig }): void } };
}
interface GoogleAuthLibrary10 {
  OAuth2Client: new (o?: { transporter?: Gaxios7 }) => TokenClient;
  gaxios: { Gaxios: new () => Gaxios7 };
}

/** google-auth-library 10, the copy google-gax 5 (Resource Manager, IAM) resolves. */
function gax5AuthLibrary(): GoogleAuthLibrary10 {
  const req = createRequire(import.meta.url);
  const gax = createRequire(req.resolve("@google-cloud/iam"))("google-gax") as { googleAuthLibrary: GoogleAuthLibrary10 };
  return gax.googleAuthLibrary;
}

/**
 * The HTTP transport of google-gax 5: every RPC goes through the auth client's `fetch`, i.e. its
 * gaxios transporter. gax pins its own keep-alive agent per request, so an interceptor (which runs
 * after gaxios has prepared the request) swaps in the guarded agents and makes redirects an error
 * (node-fetch's `redirect: "error"`) instead of a silent hop to another host.
 */
function guardedTransporter(lib: GoogleAuthLibrary10, egress: EgressGuard): Gaxios7 {
  const t = new lib.gaxios.Gaxios();
  const httpAgent = egress.httpAgent();
  const httpsAgent = egress.httpsAgent();
  t.interceptors.request.add({
    resolved: (c) => {
      const url = c.url instanceof URL ? c.url : new URL(String(c.url));
      return { ...c, agent: url.protocol === "http:" ? httpAgent : httpsAgent, redirect: "error" };
    },
  });
  return t;
}

type OrgPolicyOptions = NonNullable<ConstructorParameters<typeof orgPolicyV2.OrgPolicyClient>[0]>;
type Gax5Options = NonNullable<ConstructorParameters<typeof ProjectsClient>[0]>;

export interface GcpClients {
  orgPolicy: orgPolicyV2.OrgPolicyClient;
  organizations: OrganizationsClient;
  folders: FoldersClient;
  projects: ProjectsClient;
  denyPolicies: iamV2.PoliciesClient;
  customConstraints: CustomConstraintsRest;
  /** Cloud Logging `entries.list` (audit-log reads for impact replay). */
  logEntries: LogEntriesRest;
  /** Cloud Identity group memberships (which groups a caller is in, for deny rules on group sets). */
  groups: GroupsRest;
  /** Service account e-mail for key credentials. */
  identity?: string;
  close(): Promise<void>;
}

export function createGcpClients(opts: { endpoint?: string; credentials: TGcpCredentials; egress: EgressGuard }): GcpClients {
  const ep = parseGcpEndpoint(opts.endpoint);
  const base = { fallback: true as const, ...(ep ?? {}) };
  const creds = opts.credentials;
  const egress = opts.egress.forCloud("gcp");
  const lib = gax5AuthLibrary();
  const transporter = guardedTransporter(lib, egress);
  let orgPolicyOpts: OrgPolicyOptions;
  let gax5: Gax5Options;
  if (creds.type === "service_account_key") {
    const credentials = { client_email: creds.key.client_email, private_key: creds.key.private_key };
    orgPolicyOpts = { ...base, credentials };
    // GoogleAuth hands clientOptions to the auth client it builds from the key: the same transporter.
    gax5 = { ...base, credentials, clientOptions: { transporter } } as unknown as Gax5Options;
  } else {
    const expiry = creds.expiresAt ?? Date.now() + 3_600_000;
    const v9 = new OAuth2Client();
    v9.setCredentials({ access_token: creds.accessToken, expiry_date: expiry });
    orgPolicyOpts = { ...base, authClient: v9 } as OrgPolicyOptions;
    const v10 = new lib.OAuth2Client({ transporter });
    v10.setCredentials({ access_token: creds.accessToken, expiry_date: expiry });
    // google-gax 5 accepts any google-auth-library 10 AuthClient here; its typings name a different copy.
    gax5 = { ...base, authClient: v10 } as unknown as Gax5Options;
  }
  const orgPolicy = new orgPolicyV2.OrgPolicyClient(orgPolicyOpts);
  const organizations = new OrganizationsClient(gax5);
  const folders = new FoldersClient(gax5);
  const projects = new ProjectsClient(gax5);
  const denyPolicies = new iamV2.PoliciesClient(gax5);
  const restBase = ep ? `${ep.protocol}://${ep.apiEndpoint}:${ep.port}` : "https://orgpolicy.googleapis.com";
  // Org Policy runs on google-gax 4, whose REST transport is node-fetch 2 with no agent option: it can
  // only be guarded process-wide (installGlobalEgressGuard, done by the worker). Its host is checked
  // here on every use, so an endpoint that is not a Google API host is refused before any request.
  const orgHost = ep ? { host: ep.apiEndpoint, port: ep.port } : { host: "orgpolicy.googleapis.com", port: 443 };
  return {
    get orgPolicy() {
      egress.admit(orgHost.host, orgHost.port);
      return orgPolicy;
    },
    organizations,
    folders,
    projects,
    denyPolicies,
    customConstraints: new CustomConstraintsRest(orgPolicy, restBase, egress.dispatcher()),
    logEntries: new LogEntriesRest(orgPolicy, ep ? restBase : "https://logging.googleapis.com", egress.dispatcher()),
    groups: new GroupsRest(orgPolicy, ep ? restBase : "https://cloudidentity.googleapis.com", egress.dispatcher(), 60_000, "v1"),
    ...(creds.type === "service_account_key" ? { identity: creds.key.client_email } : {}),
    async close() {
      await Promise.allSettled([orgPolicy.close(), organizations.close(), folders.close(), projects.close(), denyPolicies.close()]);
    },
  };
}

type Json = Record<string, unknown>;

/**
 * Org Policy v2 custom constraints over REST. @google-cloud/org-policy 3.0.1 predates them, so the
 * calls go to the URLs of the current googleapis orgpolicy v2 proto (`/v2/{parent=organizations/*}/
 * customConstraints`, `/v2/{name=organizations/*\/customConstraints/*}`), authenticated by the Org Policy
 * client's own auth client (the same self-signed JWT or token the SDK sends).
 */
class GoogleRest {
  constructor(
    private readonly client: orgPolicyV2.OrgPolicyClient,
    private readonly baseUrl: string,
    /** The guarded connection pool (undici): host and resolved-address checks on every connection. */
    private readonly dispatcher: Dispatcher,
    private readonly timeoutMs = 60_000,
    /** The API's version path segment (Org Policy and Logging are v2, Cloud Identity v1). */
    private readonly version = "v2",
  ) {}

  protected async request(
    method: "GET" | "POST" | "PATCH" | "DELETE",
    path: string,
    body?: Json,
    query: Record<string, string> = {},
  ): Promise<Json> {
    const url = new URL(`${this.baseUrl}/${this.version}/${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const auth = await this.client.auth.getClient();
    const raw: unknown = await auth.getRequestHeaders(url.toString());
    const headers: Record<string, string> =
      raw instanceof Headers ? Object.fromEntries(raw.entries()) : { ...(raw as Record<string, string>) };
    headers["content-type"] = "application/json";
    headers["x-goog-api-client"] = "parapet-gcp-adapter";
    const res = await fetch(url, {
      method,
      headers,
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(this.timeoutMs),
      redirect: "error",
      dispatcher: this.dispatcher,
    });
    const text = await res.text();
    if (!res.ok) throw new GcpHttpError(res.status, text);
    return text ? (JSON.parse(text) as Json) : {};
  }
}

class CustomConstraintsRest extends GoogleRest {
  create(parent: string, constraint: Json): Promise<Json> {
    return this.request("POST", `${parent}/customConstraints`, constraint);
  }

  get(name: string): Promise<Json> {
    return this.request("GET", name);
  }

  list(parent: string, pageSize: number, pageToken?: string): Promise<{ customConstraints?: Json[]; nextPageToken?: string }> {
    return this.request("GET", `${parent}/customConstraints`, undefined, {
      pageSize: String(pageSize),
      ...(pageToken ? { pageToken } : {}),
    });
  }

  update(constraint: Json & { name: string }): Promise<Json> {
    return this.request("PATCH", constraint.name, constraint);
  }

  delete(name: string): Promise<Json> {
    return this.request("DELETE", name);
  }
}

/**
 * Cloud Logging v2 `entries.list` over REST (`POST /v2/entries:list`, google/logging/v2/logging.proto),
 * authenticated like CustomConstraintsRest. Not through @google-cloud/logging 12.1.0's
 * LoggingServiceV2Client: in REST fallback mode it decodes each LogEntry into protobuf messages, and an
 * audit entry's `protoPayload` is an Any of google.cloud.audit.AuditLog, a type its protos do not carry;
 * against the simulator the call never settled (an empty page did). The JSON is what the parser
 * (audit-records.ts) reads, exactly as `gcloud logging read --format=json` prints it.
 */
class LogEntriesRest extends GoogleRest {
  list(body: {
    resourceNames: string[];
    filter: string;
    orderBy: string;
    pageSize: number;
    pageToken?: string;
  }): Promise<{ entries?: unknown[]; nextPageToken?: string }> {
    return this.request("POST", "entries:list", body);
  }
}

/**
 * Cloud Identity `groups.memberships.searchTransitiveGroups` over REST (GET
 * /v1/groups/-/memberships:searchTransitiveGroups; Cloud Identity API reference): the groups a member is in,
 * directly or through other groups. Available to Workspace Enterprise / Cloud Identity Premium customers.
 */
class GroupsRest extends GoogleRest {
  searchTransitiveGroups(
    memberEmail: string,
    pageToken?: string,
  ): Promise<{ memberships?: Array<{ groupKey?: { id?: string } }>; nextPageToken?: string }> {
    // The query must name the member and a label; every Google group carries the discussion-forum label.
    const query = `member_key_id == '${memberEmail.replace(/'/g, "")}' && 'cloudidentity.googleapis.com/groups.discussion_forum' in labels`;
    return this.request("GET", "groups/-/memberships:searchTransitiveGroups", undefined, {
      query,
      pageSize: "1000",
      ...(pageToken ? { pageToken } : {}),
    });
  }
}
