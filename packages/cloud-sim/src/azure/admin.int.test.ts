import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { PolicyClient } from "@azure/arm-policy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "../common/rng.ts";
import { DEMO_APP, startAzureSim, type AzureSim, type DemoInfo } from "./index.ts";
import { mgClient, policyClient, staticCredential } from "./test-clients.ts";

let sim: AzureSim;
let demo: DemoInfo;

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

/** Plain HTTPS for the admin API, the token endpoint and the fuzzer (the only places tests skip the SDKs). */
function call(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: sim.port,
        method,
        path,
        ca: sim.caPem,
        headers: {
          ...(body !== undefined ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = text ? (JSON.parse(text) as unknown) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const admin = (method: string, path: string, body?: unknown): Promise<Res> =>
  call(method, `/_admin/${path}`, body === undefined ? undefined : JSON.stringify(body));

beforeAll(async () => {
  sim = await startAzureSim({ throttle: false });
  demo = sim.seedAzureDemo();
});
afterAll(async () => {
  await sim.close();
});

describe("admin API", () => {
  it("reports state, seeds, configures and counts", async () => {
    const state = await admin("GET", "state");
    expect(state.status).toBe(200);
    expect(state.json).toMatchObject({ tenantId: sim.tenantId, managementGroups: 11, subscriptions: demo.subscriptions.length });

    const seeded = await admin("POST", "seed", { subscriptions: 250, managementGroups: 20, depth: 2, tags: { env: ["prod", "nonprod"] } });
    expect(seeded.json).toMatchObject({ subscriptions: 250 + demo.subscriptions.length, managementGroups: 31 });

    const cfg = await admin("POST", "config", {
      pageSize: 3,
      throttle: { read: { burst: 100, ratePerSec: 50 } },
      limits: { assignmentsPerScope: 10 },
    });
    expect(cfg.json).toMatchObject({ pageSize: 3, limits: { assignmentsPerScope: 10, definitionsPerScope: 500 } });
    expect((await admin("GET", "config")).json).toMatchObject({ pageSize: 3 });

    await admin("POST", "counters/reset");
    const token = sim.issueToken(DEMO_APP.appId);
    const names: string[] = [];
    for await (const g of mgClient(sim, token).managementGroups.list()) names.push(g.name!);
    expect(names).toHaveLength(31);
    const counters = (await admin("GET", "counters")).json as { total: number; operations: Record<string, number> };
    expect(counters.operations.ManagementGroups_List).toBe(Math.ceil(31 / 3));
    await admin("POST", "config", { pageSize: 100, throttle: false, limits: { assignmentsPerScope: 200 } });

    const bad = await admin("POST", "seed", { subscriptions: -1 });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: "InvalidAdminRequest" } });
    const unknown = await admin("GET", "nope");
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: { code: "NotFound" } });
    const garbage = await call("POST", "/_admin/seed", "{not json");
    expect(garbage.json).toMatchObject({ error: { code: "InvalidRequestContent" } });

    const reset = await admin("POST", "seed", { demo: true });
    expect(reset.json).toMatchObject({ tenantId: sim.tenantId, app: { appId: DEMO_APP.appId } });
    demo = reset.json as DemoInfo;
  });

  it("makes out-of-band changes that the SDK then observes", async () => {
    const token = sim.issueToken(DEMO_APP.appId);
    const pc = policyClient(sim, token);
    const lz = "providers/Microsoft.Management/managementGroups/landing-zones";
    const assignmentId = `/${lz}/providers/Microsoft.Authorization/policyAssignments/allowed-locations`;
    expect(
      (await admin("POST", "assignments/enforcement-mode", { id: assignmentId, enforcementMode: "DoNotEnforce", actor: "eve@contoso.com" }))
        .status,
    ).toBe(200);
    expect((await pc.policyAssignments.get(lz, "allowed-locations")).enforcementMode).toBe("DoNotEnforce");

    const sub = demo.subscriptions.find((s) => s.managementGroup === "corp-prod")!.subscriptionId;
    await admin("POST", "assignments/not-scopes", { id: assignmentId, notScopes: [`/subscriptions/${sub}`] });
    expect((await pc.policyAssignments.get(lz, "allowed-locations")).notScopes).toEqual([`/subscriptions/${sub}`]);

    const defId = `/${lz}/providers/Microsoft.Authorization/policyDefinitions/deny-public-ip`;
    await admin("POST", "definitions/rule", {
      id: defId,
      policyRule: { if: { field: "type", equals: "Microsoft.Network/publicIPAddresses" }, then: { effect: "audit" } },
    });
    expect((await pc.policyDefinitions.getAtManagementGroup("landing-zones", "deny-public-ip")).policyRule).toMatchObject({
      then: { effect: "audit" },
    });
    const badRule = await admin("POST", "definitions/rule", { id: defId, policyRule: { if: {} } });
    expect(badRule.json).toMatchObject({ error: { code: "InvalidPolicyRule" } });

    const inUse = await admin("POST", "delete", { id: defId });
    expect(inUse.json).toMatchObject({ error: { code: "InvalidDeletePolicyDefinitionRequest" } });
    await admin("POST", "delete", {
      id: `/providers/Microsoft.Management/managementGroups/corp-prod/providers/Microsoft.Authorization/policyAssignments/deny-public-ip`,
    });
    expect((await admin("POST", "delete", { id: defId })).status).toBe(200);

    const added = (
      await admin("POST", "subscriptions", {
        displayName: "agents-prod-09",
        managementGroup: "ai-agents",
        tags: { env: "prod", agent: "true" },
      })
    ).json as { subscriptionId: string };
    const mc = mgClient(sim, token);
    expect((await mc.managementGroupSubscriptions.getSubscription("ai-agents", added.subscriptionId)).displayName).toBe("agents-prod-09");
    await admin("POST", "subscriptions/move", { subscriptionId: added.subscriptionId, managementGroup: "sandbox" });
    expect((await mc.managementGroupSubscriptions.getSubscription("sandbox", added.subscriptionId)).parent?.id).toBe(
      "/providers/Microsoft.Management/managementGroups/sandbox",
    );
    const tagged = await admin("POST", "subscriptions/tags", { subscriptionId: added.subscriptionId, tags: { env: "sandbox" } });
    expect(tagged.json).toMatchObject({ tags: { env: "sandbox", agent: "true" } });
    await admin("POST", "management-groups", { name: "pp-oob-mg", displayName: "Shadow IT", parent: "sandbox" });
    expect((await mc.managementGroups.get("pp-oob-mg")).details?.parent?.name).toBe("sandbox");

    const events = (await admin("GET", "events")).json as Array<{ data: { operationName: string; claims: Record<string, string> } }>;
    expect(events.some((e) => e.data.claims["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"] === "eve@contoso.com")).toBe(true);
    expect(events.map((e) => e.data.operationName)).toEqual(
      expect.arrayContaining([
        "Microsoft.Authorization/policyAssignments/write",
        "Microsoft.Authorization/policyDefinitions/delete",
        "Microsoft.Resources/tags/write",
        "Microsoft.Management/managementGroups/write",
      ]),
    );
  });
});

describe("token endpoint", () => {
  const form = (o: Record<string, string>): string => new URLSearchParams(o).toString();
  const post = (tenant: string, o: Record<string, string>): Promise<Res> =>
    call("POST", `/${tenant}/oauth2/v2.0/token`, form(o), { "content-type": "application/x-www-form-urlencoded" });

  it("issues tokens for client secrets and federated assertions that the SDK can use", async () => {
    const ok = await post(sim.tenantId, {
      grant_type: "client_credentials",
      client_id: DEMO_APP.appId,
      client_secret: DEMO_APP.secret,
      scope: "https://management.azure.com/.default",
    });
    expect(ok.status).toBe(200);
    const tok = ok.json as { access_token: string; token_type: string; expires_in: number };
    expect(tok).toMatchObject({ token_type: "Bearer", expires_in: 3599 });
    expect(
      (
        await policyClient(sim, tok.access_token).policyAssignments.get(
          "providers/Microsoft.Management/managementGroups/sandbox",
          "audit-custom-rbac",
        )
      ).name,
    ).toBe("audit-custom-rbac");

    const badSecret = await post(sim.tenantId, {
      grant_type: "client_credentials",
      client_id: DEMO_APP.appId,
      client_secret: "wrong",
      scope: "https://management.azure.com/.default",
    });
    expect(badSecret.status).toBe(401);
    expect(badSecret.json).toMatchObject({ error: "invalid_client", error_codes: [7000215] });
    const badScope = await post(sim.tenantId, {
      grant_type: "client_credentials",
      client_id: DEMO_APP.appId,
      client_secret: DEMO_APP.secret,
      scope: "https://management.azure.com/",
    });
    expect(badScope.json).toMatchObject({ error: "invalid_scope" });
    const badTenant = await post("00000000-0000-0000-0000-000000000000", {
      grant_type: "client_credentials",
      client_id: DEMO_APP.appId,
      client_secret: DEMO_APP.secret,
    });
    expect(badTenant.json).toMatchObject({ error: "invalid_request", error_codes: [90002] });

    const fed = sim.registerApp({
      displayName: "gha",
      federated: [{ issuer: "https://token.actions.githubusercontent.com", subject: "repo:acme/infra:ref:refs/heads/main" }],
      grants: [{ role: "Reader", scope: "/" }],
    });
    const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");
    const assertion = (sub: string): string =>
      `${b64({ alg: "RS256" })}.${b64({ iss: "https://token.actions.githubusercontent.com", sub, aud: "api://AzureADTokenExchange", exp: Math.floor(Date.now() / 1000) + 300 })}.sig`;
    const base = {
      grant_type: "client_credentials",
      client_id: fed.appId,
      scope: "https://management.azure.com/.default",
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    };
    const fedOk = await post(sim.tenantId, { ...base, client_assertion: assertion("repo:acme/infra:ref:refs/heads/main") });
    expect(fedOk.status).toBe(200);
    const fedTok = (fedOk.json as { access_token: string }).access_token;
    const names: string[] = [];
    for await (const g of mgClient(sim, fedTok).managementGroups.list()) names.push(g.name!);
    expect(names).toContain("ai-agents");
    const fedBad = await post(sim.tenantId, { ...base, client_assertion: assertion("repo:evil/fork:ref:refs/heads/main") });
    expect(fedBad.json).toMatchObject({ error: "invalid_client", error_codes: [70021] });

    const oidc = await call("GET", `/${sim.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(oidc.json).toMatchObject({
      token_endpoint: `${sim.url}/${sim.tenantId}/oauth2/v2.0/token`,
      issuer: `${sim.url}/${sim.tenantId}/v2.0`,
    });
  });
});

describe("fuzzed request stream", () => {
  it("answers every request with a status and, for failures, ARM's error shape, and keeps serving", async () => {
    const rand = mulberry32(7);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const token = sim.issueToken(DEMO_APP.appId);
    const sub = demo.subscriptions[0]!.subscriptionId;
    const pieces = [
      "providers",
      "Microsoft.Authorization",
      "Microsoft.Management",
      "managementGroups",
      "policyDefinitions",
      "policySetDefinitions",
      "policyAssignments",
      "policyExemptions",
      "subscriptions",
      sub,
      "landing-zones",
      sim.tenantId,
      "descendants",
      "tags",
      "default",
      "Microsoft.Resources",
      "resourceGroups",
      "rg1",
      "..",
      "%2e%2e",
      "%ZZ",
      "x".repeat(300),
      "名前",
      "a b",
      "%00",
      "",
      "versions",
      "oauth2",
    ];
    const versions = ["2024-05-01", "2021-04-01", "2022-07-01-preview", "2022-12-01", "2021-04-01", "1999-01-01", "", "garbage", undefined];
    const bodies: Array<() => string | Buffer | undefined> = [
      () => undefined,
      () => "{",
      () => "null",
      () => "[]",
      () => '"str"',
      () =>
        JSON.stringify({
          properties: {
            policyRule: { if: { field: "type", equals: "x" }, then: { effect: pick(["deny", "audit", 7, null]) } },
            parameters: pick([{}, [], 5, { p: { type: "Nope" } }]),
          },
        }),
      () =>
        JSON.stringify({
          properties: {
            policyDefinitionId: pick([
              "",
              "/x",
              5,
              `/providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c`,
            ]),
            notScopes: pick([[1], "x", [], null]),
            enforcementMode: pick(["Default", 0, "Off"]),
          },
        }),
      () =>
        JSON.stringify({
          properties: {
            policyAssignmentId: pick(["", 5, "/subscriptions/x/providers/Microsoft.Authorization/policyAssignments/y"]),
            exemptionCategory: pick(["Waiver", 1]),
            expiresOn: pick(["never", 1, "2030-01-01"]),
          },
        }),
      () => JSON.stringify({ properties: { policyDefinitions: pick([[], [{}], "x", [{ policyDefinitionId: 1 }]]) } }),
      () => JSON.stringify({ properties: { tags: pick([{ a: 1 }, [], { env: "prod" }]) }, operation: pick(["Merge", "Nope", 3]) }),
      () => "[".repeat(5000) + "]".repeat(5000),
      () => JSON.stringify(Array.from({ length: 200 }).reduce<unknown>((acc) => ({ properties: { if: acc } }), 1)),
      () => Buffer.from(Array.from({ length: 64 }, () => Math.floor(rand() * 256))),
    ];
    const methods = ["GET", "PUT", "PATCH", "DELETE", "POST", "OPTIONS", "HEAD"];
    let failures = 0;
    for (let i = 0; i < 400; i++) {
      const depth = 1 + Math.floor(rand() * 8);
      const path =
        "/" +
        Array.from({ length: depth }, () => {
          const piece = pick(pieces);
          // Raw percent sequences stay raw so bad escapes reach the server.
          return piece.startsWith("%") ? piece : encodeURI(piece);
        }).join("/");
      const v = pick(versions);
      const query =
        v === undefined
          ? pick(["", "?$filter=atExactScope()", "?$top=abc&$skiptoken=%%%"])
          : `?api-version=${v}${pick(["", "&$filter=atScope() and nonsense", "&$top=0", "&$skiptoken=zz", "&$expand=children&$recurse=true"])}`;
      const auth = pick([`Bearer ${token}`, "Bearer nope", "Basic abc", undefined]);
      const method = pick(methods);
      const body = method === "GET" || method === "HEAD" ? undefined : pick(bodies)();
      const res = await call(method, path + query.replace(/ /g, "%20"), body, auth ? { authorization: auth } : {});
      expect(res.status).toBeGreaterThanOrEqual(200);
      expect(res.status).toBeLessThan(600);
      if (res.status >= 400 && method !== "HEAD") {
        failures++;
        const err = (res.json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
        expect(typeof err?.code, `${method} ${path}${query} -> ${res.status} ${res.text.slice(0, 200)}`).toBe("string");
        expect(typeof err?.message).toBe("string");
        expect(res.status, `${method} ${path}${query} -> ${res.text.slice(0, 300)}`).not.toBe(500);
      }
    }
    expect(failures).toBeGreaterThan(100);

    // Malformed HTTP on the TLS socket gets a 400 and the server lives on.
    const raw = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: "127.0.0.1", port: sim.port, ca: sim.caPem, servername: "localhost" }, () =>
        s.write("NOT HTTP AT ALL\r\n\r\n"),
      );
      let got = "";
      s.on("data", (d: Buffer) => (got += d.toString("utf8")));
      s.on("end", () => resolve(got));
      s.on("error", reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400/);

    const pc = policyClient(sim, token);
    expect(
      (await pc.policyAssignments.get("providers/Microsoft.Management/managementGroups/landing-zones", "allowed-locations")).name,
    ).toBe("allowed-locations");
  });
});

describe("persistence and api-versions", () => {
  it("restores state from the persist file and accepts the api-versions newer SDKs send", async () => {
    const dir = mkdtempSync(join(tmpdir(), "azure-sim-"));
    const file = join(dir, "state.json");
    try {
      const first = await startAzureSim({ persistFile: file, demo: true, throttle: false });
      const t1 = first.issueToken(DEMO_APP.appId);
      // arm-policy 7.x sends 2025-03-01 (asked for explicitly here, so the test still holds when a later
      // SDK moves on); the simulator answers that and 6.0.0's 2024-05-01.
      const newer = new PolicyClient(staticCredential(t1), { ...first.clientOptions(), apiVersion: "2025-03-01" });
      await newer.policyDefinitions.createOrUpdateAtManagementGroup("sandbox", "pp-persisted", {
        policyRule: { if: { field: "type", equals: "x" }, then: { effect: "deny" } },
        metadata: { parapetOwner: "ws_9" },
      });
      await first.close();

      const second = await startAzureSim({ persistFile: file, throttle: false });
      try {
        const t2 = second.issueToken(DEMO_APP.appId);
        const d = await policyClient(second, t2).policyDefinitions.getAtManagementGroup("sandbox", "pp-persisted");
        expect(d.metadata).toMatchObject({ parapetOwner: "ws_9" });
        expect(second.summary()).toMatchObject({ subscriptions: demo.subscriptions.length, managementGroups: 11 });
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
