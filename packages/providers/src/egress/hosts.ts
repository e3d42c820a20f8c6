import { isIpLiteral } from "./addresses.ts";

/**
 * The hosts a connection may talk to without the operator's say-so: the clouds' own API hosts for
 * the services Parapet calls, in every partition Parapet can serve. Deliberately narrow (service
 * names, not whole cloud domains): `*.amazonaws.com` or `*.oraclecloud.com` also hold hosts whose
 * answers customers write (S3 website buckets, API Gateway, OCI Functions invoke endpoints), and an
 * ARM or Google bearer token must only ever be sent to Microsoft's or Google's API front ends.
 *
 * Sources:
 * - AWS: "AWS Organizations endpoints and quotas" (docs.aws.amazon.com/general/latest/gr/ao.html):
 *   one global endpoint per partition, organizations[-fips].us-east-1.amazonaws.com,
 *   organizations.us-gov-west-1.amazonaws.com, organizations.cn-northwest-1.amazonaws.com.cn; STS
 *   regional endpoints sts[-fips].<region>.amazonaws.com (and the legacy global sts.amazonaws.com).
 *   Impact replay: cloudtrail[-fips].<region>, config[-fips].<region> ("AWS CloudTrail endpoints and
 *   quotas", "AWS Config endpoints and quotas") and S3's API hosts s3[-fips][.dualstack].<region> and the
 *   legacy global s3.amazonaws.com ("Amazon S3 endpoints and quotas"); never <bucket>.s3… or s3-website….
 *   Partition DNS suffixes from the SDK's own partitions.json (@aws-sdk/core util-endpoints): aws,
 *   aws-us-gov amazonaws.com; aws-cn amazonaws.com.cn; aws-eusc amazonaws.eu; aws-iso c2s.ic.gov;
 *   aws-iso-b sc2s.sgov.gov; aws-iso-e cloud.adc-e.uk; aws-iso-f csp.hci.ic.gov.
 * - Azure: ARM endpoints per cloud as the Azure SDK's cloudSettingHelpers getArmEndpoint() lists them
 *   (Azure/azure-sdk-for-js): management.azure.com, management.usgovcloudapi.net,
 *   management.chinacloudapi.cn. Authorities (Microsoft identity platform, "National clouds"):
 *   login.microsoftonline.com, login.microsoftonline.us, login.partner.microsoftonline.cn and the older
 *   China name login.chinacloudapi.cn.
 * - GCP: service hosts <service>.googleapis.com (cloudidentity.googleapis.com for group membership); regional endpoints SERVICE.REGION.rep.googleapis.com
 *   (cloud.google.com/vpc/docs/about-accessing-regional-google-apis-endpoints); the Private Google
 *   Access VIP names private.googleapis.com and restricted.googleapis.com
 *   (cloud.google.com/vpc-service-controls/docs/private-connectivity; 199.36.153.8/30 and
 *   199.36.153.4/30, public address space). Private Service Connect names resolve to the customer's
 *   own private addresses and therefore need the operator allowlist.
 * - OCI: identity.<region>.oci.<realm domain> / identity.<region>.<realm domain>, audit.<region>… (Audit API
 *   endpoints, docs.oracle.com/iaas/api/#/en/audit/20190901/) and
 *   cloudguard-cp-api.<region>.oci.<realm domain>; realm second-level domains as oci-common's
 *   realm.ts registers them (oc1 oraclecloud.com, oc2/oc3 oraclegovcloud.com, oc4 oraclegovcloud.uk,
 *   oc19 oraclecloud.eu, ocN oraclecloudN.com) and the OCI "Regions and Availability Domains" page.
 */
export type EgressCloud = "aws" | "azure" | "gcp" | "oci";

const AWS_SUFFIX = String.raw`(?:amazonaws\.com|amazonaws\.com\.cn|amazonaws\.eu|c2s\.ic\.gov|sc2s\.sgov\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)`;
const AWS_REGION = String.raw`[a-z]{2}(?:-[a-z]+)+-\d{1,2}`;
const OCI_DOMAIN = String.raw`(?:oraclecloud\d*\.com|oraclegovcloud\.com|oraclegovcloud\.uk|oraclecloud\.eu)`;
const OCI_REGION = String.raw`[a-z]{2,}(?:-[a-z]+)+-\d{1,2}`;

/** API hosts per cloud (lower-case hostnames, no port). */
const CLOUD_API_HOSTS: Record<EgressCloud, readonly RegExp[]> = {
  aws: [
    new RegExp(String.raw`^(?:organizations|sts)(?:-fips)?(?:\.${AWS_REGION})?\.${AWS_SUFFIX}$`),
    // Impact replay: CloudTrail LookupEvents and AWS Config are regional; the organization trail's files are
    // read path-style from S3's own API front end (never a bucket's virtual host or website endpoint).
    new RegExp(String.raw`^(?:cloudtrail|config)(?:-fips)?\.${AWS_REGION}\.${AWS_SUFFIX}$`),
    new RegExp(String.raw`^s3(?:-fips)?(?:\.dualstack)?(?:\.${AWS_REGION})?\.${AWS_SUFFIX}$`),
  ],
  azure: [/^management\.(?:azure\.com|usgovcloudapi\.net|chinacloudapi\.cn)$/],
  gcp: [
    /^(?:orgpolicy|cloudresourcemanager|iam|logging|cloudidentity|oauth2)\.googleapis\.com$/,
    /^(?:orgpolicy|cloudresourcemanager|iam|logging)\.[a-z]+-[a-z]+\d+\.rep\.googleapis\.com$/,
    /^(?:private|restricted)\.googleapis\.com$/,
  ],
  oci: [new RegExp(String.raw`^(?:identity|cloudguard-cp-api|audit)\.${OCI_REGION}(?:\.oci)?\.${OCI_DOMAIN}$`)],
};

/** Microsoft identity platform authorities (Azure `credentials.authorityHost`). */
const AZURE_AUTHORITY_HOSTS: readonly RegExp[] = [
  /^login\.microsoftonline\.(?:com|us)$/,
  /^login\.partner\.microsoftonline\.cn$/,
  /^login\.chinacloudapi\.cn$/,
];

/** One operator allowlist entry: a host (exact, or `*.suffix` for any name below it) and a port or any. */
interface AllowEntry {
  host: string;
  wildcard: boolean;
  port?: number;
}

export interface EgressAllowlist {
  readonly entries: readonly AllowEntry[];
  /** The text it was parsed from, for messages. */
  readonly source: string;
}

export const EMPTY_ALLOWLIST: EgressAllowlist = { entries: [], source: "" };

const ALLOWLIST_VARIABLE = "PARAPET_ENDPOINT_ALLOWLIST";

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Lower-case hostname without brackets or a trailing dot. */
export function normalizeHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
}

/**
 * Parses PARAPET_ENDPOINT_ALLOWLIST: entries separated by commas or white space, each `host`,
 * `host:port`, `*.domain[:port]` or `[v6]:port`; a missing port or `*` means any port. Throws with
 * the offending entry so a typo stops the process at start instead of silently refusing endpoints.
 */
export function parseEgressAllowlist(raw: string | undefined): EgressAllowlist {
  const source = (raw ?? "").trim();
  if (!source) return EMPTY_ALLOWLIST;
  const entries: AllowEntry[] = [];
  for (const item of source.split(/[\s,]+/).filter(Boolean)) {
    const m = /^(\[[0-9a-fA-F:.%\w]+\]|[^:\s[\]]+)(?::(\d{1,5}|\*))?$/.exec(item);
    if (!m)
      throw new Error(
        `${ALLOWLIST_VARIABLE}: "${item}" is not host[:port] (e.g. 127.0.0.1:4010, sim.internal, *.corp.example:443, [::1]:8443)`,
      );
    const rawHost = m[1]!;
    const port = m[2] && m[2] !== "*" ? Number(m[2]) : undefined;
    if (port !== undefined && (port < 1 || port > 65_535)) throw new Error(`${ALLOWLIST_VARIABLE}: "${item}" has a port outside 1-65535`);
    const wildcard = rawHost.startsWith("*.");
    const host = normalizeHost(wildcard ? rawHost.slice(2) : rawHost);
    const isIp = isIpLiteral(host);
    if (wildcard && isIp) throw new Error(`${ALLOWLIST_VARIABLE}: "${item}": a wildcard needs a domain name, not an address`);
    if (!isIp && !host.split(".").every((l) => HOST_LABEL.test(l)))
      throw new Error(`${ALLOWLIST_VARIABLE}: "${item}" is not a valid host name`);
    if (wildcard && !host.includes("."))
      throw new Error(`${ALLOWLIST_VARIABLE}: "${item}": a wildcard must name at least a second-level domain (*.corp.example)`);
    entries.push({ host, wildcard, ...(port !== undefined ? { port } : {}) });
  }
  return { entries, source };
}

/** True when the operator allowlisted this host (and port). */
export function isAllowlisted(list: EgressAllowlist, host: string, port: number): boolean {
  const h = normalizeHost(host);
  return list.entries.some((e) => (e.port === undefined || e.port === port) && (e.wildcard ? h.endsWith(`.${e.host}`) : h === e.host));
}

export function isCloudApiHost(cloud: EgressCloud, host: string): boolean {
  const h = normalizeHost(host);
  return CLOUD_API_HOSTS[cloud].some((r) => r.test(h));
}

export function isAzureAuthorityHost(host: string): boolean {
  const h = normalizeHost(host);
  return AZURE_AUTHORITY_HOSTS.some((r) => r.test(h));
}

export type EndpointKind = "api" | "authority";

/**
 * Checks an endpoint URL a person gave for a connection. Returns the reason it is refused (written
 * to follow the field name in a 422), or the normalised URL. Cloud hosts must use https on the
 * default port; an operator-allowlisted host may use http and any port it was listed with.
 */
export function checkEndpointUrl(
  cloud: EgressCloud,
  kind: EndpointKind,
  raw: unknown,
  list: EgressAllowlist,
): { ok: true; url: string } | { ok: false; reason: string } {
  const example = kind === "authority" ? "https://login.microsoftonline.us" : EXAMPLES[cloud];
  if (typeof raw !== "string" || raw.length > 2048)
    return { ok: false, reason: `must be an https URL like ${example} (at most 2048 characters)` };
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return { ok: false, reason: `must be an https URL like ${example}` };
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return { ok: false, reason: `must be an https URL like ${example}` };
  if (u.username || u.password || u.search || u.hash || (u.pathname !== "/" && u.pathname !== "")) {
    return { ok: false, reason: `must be just the scheme and host (like ${example}): no user, path, query or fragment` };
  }
  const host = normalizeHost(u.hostname);
  const port = u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
  const origin = `${u.protocol}//${u.host}`;
  if (isAllowlisted(list, host, port)) return { ok: true, url: origin };
  const known = kind === "authority" ? isAzureAuthorityHost(host) : isCloudApiHost(cloud, host);
  if (!known) {
    return {
      ok: false,
      reason: `must be one of ${CLOUD_NAMES[cloud]}'s own ${kind === "authority" ? "sign-in authorities" : "API endpoints"} (like ${example}); other hosts need the operator's ${ALLOWLIST_VARIABLE}`,
    };
  }
  if (u.protocol !== "https:" || port !== 443) return { ok: false, reason: `must use https on port 443 for ${host}` };
  return { ok: true, url: origin };
}

const CLOUD_NAMES: Record<EgressCloud, string> = { aws: "AWS", azure: "Azure", gcp: "Google Cloud", oci: "Oracle Cloud" };
const EXAMPLES: Record<EgressCloud, string> = {
  aws: "https://organizations.us-gov-west-1.amazonaws.com",
  azure: "https://management.usgovcloudapi.net",
  gcp: "https://restricted.googleapis.com",
  oci: "https://identity.us-langley-1.oraclegovcloud.com",
};
