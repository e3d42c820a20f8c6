import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { describe, expect, it } from "vitest";
import { formatAmzDate, parseAmzDate, parseAuthorization, signRequest, verifySignature } from "./sigv4.ts";

const KEY = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

function signed(body: string, extra: Record<string, string> = {}, path = "/") {
  const headers = signRequest({
    method: "POST",
    host: "127.0.0.1:4000",
    path,
    headers: { "content-type": "application/x-amz-json-1.1", ...extra },
    body,
    ...KEY,
    service: "organizations",
    now: NOW,
  });
  return { headers: headers as IncomingHttpHeaders, auth: parseAuthorization(headers.authorization!)! };
}

describe("sigv4", () => {
  it("verifies what it signs, and only with the right secret", () => {
    const { headers, auth } = signed('{"a":1}', { "x-amz-target": "AWSOrganizationsV20161128.ListRoots" });
    expect(auth).toMatchObject({ accessKeyId: KEY.accessKeyId, date: "20261125", region: "us-east-1", service: "organizations" });
    expect(auth.signedHeaders).toEqual(["content-type", "host", "x-amz-date", "x-amz-target"]);
    const ok = verifySignature({
      method: "POST",
      url: "/",
      headers,
      body: Buffer.from('{"a":1}'),
      auth,
      secretAccessKey: KEY.secretAccessKey,
      now: NOW,
    });
    expect(ok).toEqual({ ok: true });
    const wrong = verifySignature({
      method: "POST",
      url: "/",
      headers,
      body: Buffer.from('{"a":1}'),
      auth,
      secretAccessKey: "other",
      now: NOW,
    });
    expect(wrong).toMatchObject({ ok: false, code: "SignatureDoesNotMatch" });
  });

  it("detects a tampered body, header, method or path", () => {
    const { headers, auth } = signed('{"a":1}', { "x-amz-target": "AWSOrganizationsV20161128.ListRoots" }, "/x?b=2&a=1");
    const base = {
      method: "POST",
      url: "/x?b=2&a=1",
      headers,
      body: Buffer.from('{"a":1}'),
      auth,
      secretAccessKey: KEY.secretAccessKey,
      now: NOW,
    };
    expect(verifySignature(base).ok).toBe(true);
    expect(verifySignature({ ...base, body: Buffer.from('{"a":2}') }).ok).toBe(false);
    expect(verifySignature({ ...base, headers: { ...headers, "x-amz-target": "AWSOrganizationsV20161128.DeletePolicy" } }).ok).toBe(false);
    expect(verifySignature({ ...base, method: "PUT" }).ok).toBe(false);
    expect(verifySignature({ ...base, url: "/y?b=2&a=1" }).ok).toBe(false);
    // Query parameter order does not matter: the canonical query is sorted.
    expect(verifySignature({ ...base, url: "/x?a=1&b=2" }).ok).toBe(true);
  });

  it("rejects a signature older than 15 minutes and a missing date", () => {
    const { headers, auth } = signed("{}");
    const late = verifySignature({
      method: "POST",
      url: "/",
      headers,
      body: Buffer.from("{}"),
      auth,
      secretAccessKey: KEY.secretAccessKey,
      now: NOW + 16 * 60_000,
    });
    expect(late).toMatchObject({ ok: false, code: "SignatureExpired" });
    const { "x-amz-date": _d, ...noDate } = headers;
    const r = verifySignature({
      method: "POST",
      url: "/",
      headers: noDate,
      body: Buffer.from("{}"),
      auth,
      secretAccessKey: KEY.secretAccessKey,
      now: NOW,
    });
    expect(r).toMatchObject({ ok: false, code: "IncompleteSignature" });
  });

  it("honours a declared payload hash only when it matches the body", () => {
    const body = "{}";
    const hash = createHash("sha256").update(body).digest("hex");
    const { headers, auth } = signed(body, { "x-amz-content-sha256": hash });
    const base = { method: "POST", url: "/", headers, body: Buffer.from(body), auth, secretAccessKey: KEY.secretAccessKey, now: NOW };
    expect(verifySignature(base).ok).toBe(true);
    expect(verifySignature({ ...base, body: Buffer.from("{ }") })).toMatchObject({ ok: false });
  });

  it("parses only well-formed Authorization headers and dates", () => {
    expect(parseAuthorization("Bearer abc")).toBeUndefined();
    expect(parseAuthorization("AWS4-HMAC-SHA256 Credential=a/b/c, SignedHeaders=host, Signature=00")).toBeUndefined();
    expect(parseAmzDate("20261125T120000Z")).toBe(NOW);
    expect(parseAmzDate("2026-11-25")).toBeUndefined();
    expect(formatAmzDate(NOW)).toBe("20261125T120000Z");
  });
});
