/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON, checked by the assertions themselves */
/**
 * SAML 2.0 SSO end to end (issue 18) against a real SAML IdP: samlify's IdentityProvider answering the
 * AuthnRequest Parapet sends with a response whose assertion it signs with its own key (fixtures/
 * saml-idp.*.pem, a throwaway self-signed pair made for these tests). Accepted: a signed assertion for
 * Parapet's audience, in time, used once, from a user in a mapped group (created just in time with the
 * mapped role). Refused with a clear error and nothing created: wrong audience, expired, replayed,
 * unsigned, signed with a key that is not the registered one, no mapped group.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as samlify from "samlify";
import { getPrisma } from "@parapet/db";
import { BASE_URL, call, createWorkspace, type TestWorkspace } from "./harness.ts";
import { callAuth } from "./auth-harness.ts";

const PROVIDER = "acme-saml";
const DOMAIN = "saml-sso.test";
const IDP_ENTITY = "https://idp.saml-sso.test/metadata";
const IDP_SSO_URL = "https://idp.saml-sso.test/sso";
const ACS = `${BASE_URL}/api/auth/sso/saml2/sp/acs/${PROVIDER}`;
const SP_ENTITY = `${BASE_URL}/api/auth/sso/saml2/sp/metadata?providerId=${PROVIDER}`;
process.env.PARAPET_SSO_DNS_OVERRIDE = DOMAIN;

const fixture = (n: string) => readFileSync(join(import.meta.dirname, "fixtures", n), "utf8");
const idpCert = fixture("saml-idp.cert.pem");

function idp(keyName: "saml-idp" | "saml-rogue") {
  return samlify.IdentityProvider({
    entityID: IDP_ENTITY,
    privateKey: fixture(`${keyName}.key.pem`),
    signingCert: fixture(`${keyName}.cert.pem`),
    nameIDFormat: ["urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"],
    singleSignOnService: [{ Binding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect", Location: IDP_SSO_URL }],
  });
}
/** Parapet as the IdP knows it from its metadata (wantAssertionsSigned decides whether the IdP signs). */
const sp = (signed: boolean) =>
  samlify.ServiceProvider({
    entityID: SP_ENTITY,
    wantAssertionsSigned: signed,
    assertionConsumerService: [{ Binding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST", Location: ACS }],
  });

const prisma = getPrisma();
let A: TestWorkspace;
beforeAll(async () => {
  A = await createWorkspace(prisma, "Acme SAML");
}, 120_000);
afterAll(async () => {
  await prisma.$disconnect();
});

const cookiesOf = (h: Headers) =>
  h
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");

interface Bend {
  audience?: string;
  expired?: boolean;
  signed?: boolean;
  key?: "saml-idp" | "saml-rogue";
}

/** "Continue with SSO" → Parapet's AuthnRequest → the IdP's signed response, posted to the ACS. */
async function samlSignIn(email: string, groups: string[], bend: Bend = {}) {
  const start = await callAuth("POST", "/sign-in/sso", { body: { email, callbackURL: "/", errorCallbackURL: "/login" } });
  expect(start.status, start.text).toBe(200);
  const url = new URL(start.body.url as string);
  expect(url.origin + url.pathname).toBe(IDP_SSO_URL);
  const request = inflateRawSync(Buffer.from(url.searchParams.get("SAMLRequest")!, "base64")).toString("utf8");
  const requestId = /ID="([^"]+)"/.exec(request)![1]!;
  const now = Date.now();
  const at = (ms: number) => new Date(now + ms).toISOString();
  const [notBefore, notAfter] = bend.expired ? [at(-2 * 3600_000), at(-3600_000)] : [at(-60_000), at(5 * 60_000)];
  const values: Record<string, string> = {
    ID: `_${randomBytes(16).toString("hex")}`,
    AssertionID: `_${randomBytes(16).toString("hex")}`,
    IssueInstant: bend.expired ? at(-2 * 3600_000) : at(0),
    Destination: ACS,
    InResponseTo: requestId,
    Issuer: IDP_ENTITY,
    StatusCode: "urn:oasis:names:tc:SAML:2.0:status:Success",
    NameIDFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    NameID: email,
    SubjectConfirmationDataNotOnOrAfter: notAfter,
    SubjectRecipient: ACS,
    ConditionsNotBefore: notBefore,
    ConditionsNotOnOrAfter: notAfter,
    Audience: bend.audience ?? SP_ENTITY,
    AuthnStatement: `<saml:AuthnStatement AuthnInstant="${notBefore}" SessionIndex="_s${randomBytes(4).toString("hex")}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`,
    AttributeStatement: `<saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue xsi:type="xs:string">${esc(email)}</saml:AttributeValue></saml:Attribute><saml:Attribute Name="groups">${groups
      .map((g) => `<saml:AttributeValue xsi:type="xs:string">${esc(g)}</saml:AttributeValue>`)
      .join("")}</saml:Attribute></saml:AttributeStatement>`,
  };
  const res = await idp(bend.key ?? "saml-idp").createLoginResponse(
    sp(bend.signed ?? true),
    { extract: { request: { id: requestId } } },
    "post",
    { email },
    (template: string) => ({
      id: values.ID!,
      context: template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? ""),
    }),
  );
  const SAMLResponse = (res as { context: string }).context;
  const post = (body: Record<string, string>) =>
    callAuth("POST", `/sso/saml2/sp/acs/${PROVIDER}`, { cookie: cookiesOf(start.headers), body });
  const body = { SAMLResponse, RelayState: url.searchParams.get("RelayState") ?? "" };
  const answer = await post(body);
  expect(answer.status, answer.text).toBe(302);
  return { location: new URL(answer.headers.get("location")!, BASE_URL), cookie: cookiesOf(answer.headers), replay: () => post(body) };
}

async function expectNothingFor(email: string) {
  expect(await prisma.user.count({ where: { email } })).toBe(0);
  expect(await prisma.session.count({ where: { user: { email } } })).toBe(0);
}
const addr = (p: string) => `${p}-${randomBytes(3).toString("hex")}@${DOMAIN}`;

describe("SAML 2.0 SSO against a samlify IdP with signed assertions", () => {
  it("an admin registers the IdP and verifies the domain; groups map to roles", async () => {
    const body = {
      protocol: "saml",
      providerId: PROVIDER,
      domain: DOMAIN,
      idpEntityId: IDP_ENTITY,
      ssoUrl: IDP_SSO_URL,
      certificate: idpCert,
    };
    expect((await call("POST", "/sso/providers/saml", { key: A.members.author.key, body })).status).toBe(403);
    const r = await call("POST", "/sso/providers/saml", { key: A.members.admin.key, body });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ protocol: "saml", callbackUrl: ACS, domainVerified: false });
    const v = await call("POST", "/sso/providers/{id}/verify", { key: A.members.admin.key, params: { id: PROVIDER } });
    expect(v.status, v.text).toBe(200);
    const m = await call("PATCH", "/sso", {
      key: A.members.admin.key,
      body: { roleMapping: [{ group: "Parapet Approvers", role: "approver" }] },
    });
    expect(m.status, m.text).toBe(200);
  });

  it("a signed assertion for Parapet, in time, signs a mapped user in, created with the mapped role; its replay is refused", async () => {
    const email = addr("sam");
    const first = await samlSignIn(email, ["Everyone", "Parapet Approvers"]);
    expect(first.location.searchParams.get("error"), first.location.toString()).toBeNull();
    expect(first.location.pathname).toBe("/");
    expect(first.cookie).toContain("session_token");
    const user = await prisma.user.findUniqueOrThrow({ where: { email }, include: { members: true } });
    expect(user.members).toMatchObject([{ organizationId: A.id, role: "approver" }]);
    const me = await call("GET", "/me", { headers: { cookie: first.cookie } });
    expect(me.body.role).toBe("approver");

    const sessions = await prisma.session.count({ where: { userId: user.id } });
    const again = await first.replay();
    expect(again.status).toBe(302);
    const loc = new URL(again.headers.get("location")!, BASE_URL);
    // Refused by the first of the two replay fences it meets: the AuthnRequest it answers was consumed
    // (InResponseTo), and behind that the assertion ID is recorded as used.
    expect(["invalid_saml_response", "replay_detected"]).toContain(loc.searchParams.get("error"));
    expect(loc.searchParams.get("error_description")).toMatch(/request|already been used/i);
    expect(again.headers.getSetCookie().join("")).not.toContain("session_token");
    expect(await prisma.session.count({ where: { userId: user.id } })).toBe(sessions);
  });

  it("an assertion for another service provider (wrong audience) is refused, nothing created", async () => {
    const email = addr("aud");
    const { location } = await samlSignIn(email, ["Parapet Approvers"], { audience: "https://another-sp.example/metadata" });
    expect(location.searchParams.get("error")).toBe("invalid_saml_response");
    expect(location.searchParams.get("error_description")).toMatch(/audience/i);
    await expectNothingFor(email);
  });

  it("an expired assertion is refused, nothing created", async () => {
    const email = addr("old");
    const { location } = await samlSignIn(email, ["Parapet Approvers"], { expired: true });
    // samlify's own time check (NotOnOrAfter, with the clock skew) refuses it before any other step.
    expect(location.searchParams.get("error")).toBe("saml_error");
    expect(location.searchParams.get("error_description")).toBe("Invalid SAML response");
    await expectNothingFor(email);
  });

  it("an unsigned assertion is refused, nothing created", async () => {
    const email = addr("unsigned");
    const { location } = await samlSignIn(email, ["Parapet Approvers"], { signed: false });
    expect(location.searchParams.get("error"), location.toString()).toMatch(/saml_error|invalid_saml_response/);
    expect(location.searchParams.get("error_description")).toBeTruthy();
    await expectNothingFor(email);
  });

  it("an assertion signed with a key other than the registered certificate is refused, nothing created", async () => {
    const email = addr("rogue");
    const { location } = await samlSignIn(email, ["Parapet Approvers"], { key: "saml-rogue" });
    expect(location.searchParams.get("error"), location.toString()).toMatch(/saml_error|invalid_saml_response/);
    await expectNothingFor(email);
  });

  it("a user in no mapped group is refused with a clear message, nothing created", async () => {
    const email = addr("nogroup");
    const { location } = await samlSignIn(email, ["Everyone"]);
    expect(location.searchParams.get("error")).toBe("SSO_NO_MAPPED_GROUP");
    await expectNothingFor(email);
  });
});
