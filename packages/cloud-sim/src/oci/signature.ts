import { createHash, createPublicKey, createVerify, type KeyObject } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** OCI API-key fingerprint: MD5 of the DER-encoded SubjectPublicKeyInfo, colon-separated lowercase hex. */
export function fingerprintOf(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: "spki", format: "der" });
  return (createHash("md5").update(der).digest("hex").match(/../g) ?? []).join(":");
}

interface ParsedAuthorization {
  version?: string;
  keyId: string;
  algorithm: string;
  headers: string[];
  signature: string;
}

/** Parses `Signature version="1",keyId="…",algorithm="rsa-sha256",headers="…",signature="…"`. */
function parseAuthorization(value: string | undefined): ParsedAuthorization | string {
  if (!value) return "The Authorization header is missing";
  const m = /^Signature\s+(.*)$/s.exec(value.trim());
  if (!m?.[1]) return "The Authorization header must use the Signature scheme";
  const params = new Map<string, string>();
  const re = /\s*([A-Za-z]+)="([^"]*)"\s*(,|$)/gy;
  const rest = m[1];
  let pos = 0;
  while (pos < rest.length) {
    re.lastIndex = pos;
    const p = re.exec(rest);
    if (!p?.[1] || p[2] === undefined) return "The Authorization header is malformed";
    params.set(p[1], p[2]);
    pos = re.lastIndex;
  }
  const keyId = params.get("keyId");
  const signature = params.get("signature");
  if (!keyId || !signature) return "The Authorization header lacks keyId or signature";
  return {
    version: params.get("version"),
    keyId,
    algorithm: (params.get("algorithm") ?? "").toLowerCase(),
    // draft-cavage: absent headers parameter means just "date"
    headers: (params.get("headers") ?? "date").toLowerCase().split(/\s+/).filter(Boolean),
    signature,
  };
}

export interface VerifyInput {
  method: string;
  /** Raw request target as received (path + query). */
  target: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  now: number;
  clockSkewToleranceSec: number;
  /** Looks up the public key registered for a keyId ("tenancy/user/fingerprint"). */
  resolveKey: (tenancyId: string, userId: string, fingerprint: string) => KeyObject | undefined;
}

export type VerifyResult = { ok: true; tenancyId: string; userId: string; fingerprint: string } | { ok: false; message: string };

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

function headerValue(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  if (Array.isArray(v)) return v.join(", ");
  return v;
}

/**
 * Verifies an OCI request signature (draft-cavage-http-signatures-08, rsa-sha256) the way the OCI
 * front door does: the key must be registered, the signed header set must cover date/x-date,
 * (request-target) and host (plus content-length, content-type and x-content-sha256 for bodies), the
 * body hash must match and the date must be within the clock-skew window.
 */
export function verifyRequest(input: VerifyInput): VerifyResult {
  const auth = parseAuthorization(headerValue(input.headers, "authorization"));
  if (typeof auth === "string") return { ok: false, message: auth };
  if (auth.version !== undefined && auth.version !== "1") return { ok: false, message: `Unsupported signature version '${auth.version}'` };
  if (auth.algorithm !== "rsa-sha256") return { ok: false, message: `Unsupported signing algorithm '${auth.algorithm}'` };
  const parts = auth.keyId.split("/");
  if (parts.length !== 3 || parts.some((p) => !p)) return { ok: false, message: "keyId must be <tenancy>/<user>/<fingerprint>" };
  const [tenancyId, userId, fingerprint] = parts as [string, string, string];

  const signed = new Set(auth.headers);
  const required = ["(request-target)", "host"];
  if (BODY_METHODS.has(input.method)) required.push("content-length", "content-type", "x-content-sha256");
  for (const r of required) {
    if (!signed.has(r)) return { ok: false, message: `The signature must cover the '${r}' header` };
  }
  if (!signed.has("date") && !signed.has("x-date")) return { ok: false, message: "The signature must cover the 'date' or 'x-date' header" };

  const dateText = headerValue(input.headers, signed.has("x-date") ? "x-date" : "date");
  const date = dateText ? Date.parse(dateText) : NaN;
  if (Number.isNaN(date)) return { ok: false, message: "The request date is missing or malformed" };
  if (Math.abs(input.now - date) > input.clockSkewToleranceSec * 1000) {
    return {
      ok: false,
      message: `The request date '${dateText}' is outside the allowed clock skew of ${input.clockSkewToleranceSec} seconds`,
    };
  }

  if (BODY_METHODS.has(input.method)) {
    const declared = headerValue(input.headers, "x-content-sha256");
    const actual = createHash("sha256").update(input.body).digest("base64");
    if (declared !== actual) return { ok: false, message: "The x-content-sha256 header does not match the request body" };
    const len = headerValue(input.headers, "content-length");
    if (len !== String(input.body.length)) return { ok: false, message: "The content-length header does not match the request body" };
  }

  const lines: string[] = [];
  for (const h of auth.headers) {
    if (h === "(request-target)") {
      lines.push(`(request-target): ${input.method.toLowerCase()} ${input.target}`);
      continue;
    }
    const v = headerValue(input.headers, h);
    if (v === undefined) return { ok: false, message: `The signed header '${h}' is missing from the request` };
    lines.push(`${h}: ${v}`);
  }

  const key = input.resolveKey(tenancyId, userId, fingerprint);
  if (!key) return { ok: false, message: `The key '${auth.keyId}' is not registered` };
  let good = false;
  try {
    good = createVerify("RSA-SHA256").update(lines.join("\n")).verify(key, Buffer.from(auth.signature, "base64"));
  } catch {
    good = false;
  }
  if (!good) return { ok: false, message: "The request signature is invalid" };
  return { ok: true, tenancyId, userId, fingerprint };
}
