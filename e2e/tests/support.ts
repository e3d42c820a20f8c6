import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { expect as baseExpect, request, test, type APIRequestContext, type Page } from "@playwright/test";

/** The stack shares two cores with builds and other suites: give the UI time before calling it broken. */
export const expect = baseExpect.configure({ timeout: 30_000 });

export const PASSWORD = "parapet-demo-2026";
export const USERS = {
  owner: "demo@parapet.local",
  approver: "approver@parapet.local",
  viewer: "viewer@parapet.local",
} as const;

/** Simulator base URLs and the demo connection ids, passed in by the README's test command. */
export const SIMS = JSON.parse(process.env.E2E_SIMS ?? "{}") as Partial<Record<"aws" | "azure" | "gcp" | "oci", string>>;
export const CONNECTIONS = JSON.parse(process.env.E2E_CONNECTIONS ?? "{}") as Partial<Record<"aws" | "azure" | "gcp" | "oci", string>>;

/**
 * A journey's precondition on the stack. The README's test command starts the whole stack and sets
 * E2E_FULL_STACK=1, so there a missing part is a failure, never a silent skip; run by hand against a
 * partial stack (E2E_BASE_URL only), the journey is skipped with the reason.
 */
export function needsStack(present: unknown, what: string): void {
  if (present) return;
  if (process.env.E2E_FULL_STACK === "1") throw new Error(`the test command's stack is missing a part this journey needs: ${what}`);
  test.skip(true, what);
}

const SHOTS = join(import.meta.dirname, "..", "screenshots");

export async function signIn(page: Page, who: keyof typeof USERS): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(USERS[who]);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
}

export async function shot(page: Page, name: string): Promise<void> {
  // Let live queries settle so the picture shows data, not skeletons.
  await page.waitForLoadState("networkidle").catch(() => undefined);
  await page
    .locator(".skeleton")
    .first()
    .waitFor({ state: "detached", timeout: 20_000 })
    .catch(() => undefined);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Same-origin API call with the page's session (the Origin header satisfies the CSRF check). */
export async function apiAs(page: Page, method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown) {
  const base = new URL(page.url()).origin;
  const req: APIRequestContext = page.request;
  const res = await req.fetch(`${base}/api/v1${path}`, {
    method,
    headers: { origin: base, "content-type": "application/json" },
    ...(body === undefined ? {} : { data: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status(), body: text ? (JSON.parse(text) as unknown) : null };
}

export async function simAdmin(cloud: keyof typeof SIMS, method: string, path: string, body?: unknown): Promise<unknown> {
  const base = SIMS[cloud];
  if (!base) throw new Error(`no ${cloud} simulator in E2E_SIMS`);
  // The Azure simulator serves HTTPS with a self-signed certificate, like a private endpoint would.
  const ctx = await request.newContext({ ignoreHTTPSErrors: true });
  try {
    const res = await ctx.fetch(`${base}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { data: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok()) throw new Error(`${method} ${path} → ${res.status()} ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as unknown) : null;
  } finally {
    await ctx.dispose();
  }
}

/** The PEM certificate a TLS endpoint presents (the simulator's self-signed CA). */
export function serverCertificatePem(url: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false }, () => {
      const raw = socket.getPeerCertificate(true).raw;
      socket.end();
      const b64 = raw.toString("base64").replace(/(.{64})/g, "$1\n");
      resolve(`-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`);
    });
    socket.on("error", reject);
  });
}

/** A name unique to this run, so journeys never collide with each other or with earlier runs. */
export function unique(prefix: string): string {
  return `${prefix} ${Date.now().toString(36)}`;
}

export interface Seeded {
  workspaceId: string;
  environments: number;
  coverageRows: number;
  openDrift: number;
  seconds: number;
}

/**
 * A workspace of `envs` environments × `guardrails` guardrails seeded straight into the stack's
 * database (DATABASE_URL), owned by an existing user: the core seed script, as the scale journey uses it.
 */
/** Seeds a workspace owned by `email`; with `password`, that user is created first if missing (there is no open sign-up). */
export function seedWorkspace(email: string, envs: number, guardrails: number, password?: string): Seeded {
  const root = join(import.meta.dirname, "..", "..");
  const r = spawnSync(
    join(root, "node_modules", ".bin", "tsx"),
    [
      join(root, "packages", "core", "src", "seed", "scale-workspace.ts"),
      `--email=${email}`,
      ...(password ? [`--password=${password}`] : []),
      `--envs=${envs}`,
      `--guardrails=${guardrails}`,
    ],
    {
      cwd: root,
      env: process.env,
      encoding: "utf8",
      timeout: 240_000,
    },
  );
  if (r.status !== 0) throw new Error(`seeding failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Seeded;
}

function journeyFixture(args: string[]): unknown {
  const root = join(import.meta.dirname, "..", "..");
  const r = spawnSync(
    join(root, "node_modules", ".bin", "tsx"),
    [join(root, "packages", "core", "src", "seed", "journey-fixtures.ts"), ...args],
    {
      cwd: root,
      env: process.env,
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  if (r.status !== 0) throw new Error(`journey fixture ${args[0]} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as unknown;
}

/** A new workspace owned by a new password user: for journeys that change sign-in rules or sessions, never the shared demo's. */
export function freshOwner(email: string, password: string, name?: string): { workspaceId: string; userId: string } {
  return journeyFixture(["workspace", `--email=${email}`, `--password=${password}`, ...(name ? [`--name=${name}`] : [])]) as {
    workspaceId: string;
    userId: string;
  };
}

/** Marks an SSO provider's domain verified (no DNS TXT record can be published from a test; see journey-fixtures.ts). */
export function verifySsoDomain(providerId: string): void {
  journeyFixture(["verify-sso-domain", `--provider=${providerId}`]);
}

/** Signs in with e-mail and password on the login page (any user, not only the demo's). */
export async function signInAs(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
