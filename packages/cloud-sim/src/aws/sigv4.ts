import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/**
 * AWS Signature Version 4, written from the public SigV4 specification ("Create a canonical request",
 * "Create a string to sign", "Calculate the signature"). The simulator verifies what the SDK signs and
 * exports the signer for fuzzers and benchmarks that speak raw HTTP.
 */

const ALGORITHM = "AWS4-HMAC-SHA256";
/** AWS rejects requests whose x-amz-date is more than 15 minutes away from its clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;

function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

const signingKeys = new Map<string, Buffer>();

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const cacheKey = `${secret}\n${date}\n${region}\n${service}`;
  let k = signingKeys.get(cacheKey);
  if (!k) {
    k = hmac(hmac(hmac(hmac("AWS4" + secret, date), region), service), "aws4_request");
    if (signingKeys.size > 1000) signingKeys.clear();
    signingKeys.set(cacheKey, k);
  }
  return k;
}

/** RFC 3986 unreserved characters stay, everything else is percent-encoded (SigV4's UriEncode). */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, "%20"));
  } catch {
    return s;
  }
}

/** Non-S3 services normalise the path and encode each segment again (the "double encoding" rule). */
function canonicalPath(rawPath: string): string {
  const segs: string[] = [];
  for (const seg of rawPath.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") segs.pop();
    else segs.push(seg);
  }
  const normalised = (rawPath.startsWith("/") ? "/" : "") + segs.join("/") + (segs.length > 0 && rawPath.endsWith("/") ? "/" : "");
  return uriEncode(normalised).replace(/%2F/g, "/");
}

function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return "";
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? "" : part.slice(eq + 1);
    if (k.toLowerCase() === "x-amz-signature") continue;
    pairs.push([uriEncode(safeDecode(k)), uriEncode(safeDecode(v))]);
  }
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

function headerValue(v: string | string[] | undefined): string {
  const s = Array.isArray(v) ? v.join(",") : (v ?? "");
  return s.trim().replace(/\s+/g, " ");
}

function canonicalRequest(
  method: string,
  url: string,
  headers: IncomingHttpHeaders | Record<string, string>,
  signedHeaders: string[],
  payloadHash: string,
): string {
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? "" : url.slice(q + 1);
  let ch = "";
  for (const h of signedHeaders) ch += `${h}:${headerValue(headers[h])}\n`;
  return `${method}\n${canonicalPath(path)}\n${canonicalQuery(query)}\n${ch}\n${signedHeaders.join(";")}\n${payloadHash}`;
}

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`; undefined when malformed. */
export function parseAuthorization(header: string): ParsedAuthorization | undefined {
  if (!header.startsWith(ALGORITHM + " ")) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(ALGORITHM.length + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const cred = fields.get("Credential")?.split("/");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (!cred || cred.length !== 5 || cred[4] !== "aws4_request" || !signedHeaders || !signature) return undefined;
  const [accessKeyId, date, region, service] = cred as [string, string, string, string, string];
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(";"), signature };
}

/** Parses `20240102T030405Z` into epoch ms. */
export function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(t) ? undefined : t;
}

export function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

export type VerifyResult =
  { ok: true } | { ok: false; code: "IncompleteSignature" | "SignatureDoesNotMatch" | "SignatureExpired"; message: string };

/**
 * Recomputes the signature of a request with the secret registered for its access key id and compares it
 * in constant time. `auth` is the already-parsed Authorization header.
 */
export function verifySignature(args: {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  auth: ParsedAuthorization;
  secretAccessKey: string;
  now?: number;
}): VerifyResult {
  const { auth, headers } = args;
  if (!auth.signedHeaders.includes("host")) {
    return { ok: false, code: "IncompleteSignature", message: "'Host' must be a 'SignedHeader' in the AWS Authorization." };
  }
  const amzDate = headerValue(headers["x-amz-date"]);
  const when = parseAmzDate(amzDate);
  if (when === undefined || !auth.signedHeaders.includes("x-amz-date")) {
    return {
      ok: false,
      code: "IncompleteSignature",
      message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    };
  }
  if (amzDate.slice(0, 8) !== auth.date) {
    return {
      ok: false,
      code: "SignatureDoesNotMatch",
      message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDate.slice(0, 8)}'`,
    };
  }
  const now = args.now ?? Date.now();
  if (Math.abs(now - when) > MAX_SKEW_MS) {
    return {
      ok: false,
      code: "SignatureExpired",
      message: `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - MAX_SKEW_MS)} (${formatAmzDate(now)} - 15 min.)`,
    };
  }
  const declared = headers["x-amz-content-sha256"];
  const payloadHash = typeof declared === "string" && declared !== "" ? declared : sha256Hex(args.body);
  if (typeof declared === "string" && declared !== "UNSIGNED-PAYLOAD" && declared !== sha256Hex(args.body)) {
    return {
      ok: false,
      code: "SignatureDoesNotMatch",
      message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
    };
  }
  const creq = canonicalRequest(args.method, args.url, headers, auth.signedHeaders, payloadHash);
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const sts = `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(creq)}`;
  const expected = createHmac("sha256", signingKey(args.secretAccessKey, auth.date, auth.region, auth.service))
    .update(sts)
    .digest();
  const given = Buffer.from(auth.signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      code: "SignatureDoesNotMatch",
      message:
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    };
  }
  return { ok: true };
}

/**
 * Signs a request the way the SDK does (host, x-amz-date, every header given, payload hash of the body).
 * Returns the headers to send, Authorization included.
 */
export function signRequest(args: {
  method: string;
  host: string;
  path: string;
  headers?: Record<string, string>;
  body: string | Buffer;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  region?: string;
  service: string;
  now?: number;
}): Record<string, string> {
  const region = args.region ?? "us-east-1";
  const amzDate = formatAmzDate(args.now ?? Date.now());
  const date = amzDate.slice(0, 8);
  const headers: Record<string, string> = { host: args.host, "x-amz-date": amzDate };
  for (const [k, v] of Object.entries(args.headers ?? {})) headers[k.toLowerCase()] = v;
  if (args.sessionToken) headers["x-amz-security-token"] = args.sessionToken;
  const signed = Object.keys(headers).sort();
  const creq = canonicalRequest(args.method, args.path, headers, signed, sha256Hex(args.body));
  const scope = `${date}/${region}/${args.service}/aws4_request`;
  const sts = `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(creq)}`;
  const sig = createHmac("sha256", signingKey(args.secretAccessKey, date, region, args.service))
    .update(sts)
    .digest("hex");
  headers.authorization = `${ALGORITHM} Credential=${args.accessKeyId}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${sig}`;
  return headers;
}
