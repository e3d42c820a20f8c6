import { randomBytes, X509Certificate } from "node:crypto";
import { appendAudit } from "../audit/audit.repository.ts";
import { auditBy, type Actor, type UseCaseDeps } from "../common/actor.ts";
import { AppError, invalidField } from "../common/errors.ts";
import { envelopeKeyId } from "../common/crypto.ts";
import { workspaceAwsExternalId } from "./aws-external-id.ts";
import { connectionView } from "./connection-view.ts";
import type { TCreateConnectionInput } from "./connections.schema.ts";
import { insertConnection, transaction } from "./connections.repository.ts";
import { checkPrincipals, credentialHints, parseCredentials, parseFacts } from "./credentials.ts";
import { sealCredentials, type Keyring } from "./secrets.ts";
import { checkEndpointUrl, EMPTY_ALLOWLIST, type EgressAllowlist } from "@parapet/providers/egress/index";

export { parseEgressAllowlist as parseEndpointAllowlist, type EgressAllowlist } from "@parapet/providers/egress/index";

export interface ConnectionDeps extends UseCaseDeps {
  /** Resolved lazily: without a master key, storing secrets answers 503 and nothing else breaks. */
  keys: () => Keyring;
  /**
   * The operator's PARAPET_ENDPOINT_ALLOWLIST: hosts beyond the clouds' own API hosts that an
   * endpoint or Azure authority may name (simulators, private endpoints). Absent: none.
   */
  egressAllowlist?: EgressAllowlist;
}

/**
 * A connection's endpoint: one of the cloud's own API hosts, or an operator-allowlisted host. The
 * worker sends credentials there and reads the answers back, so anything else is refused here, by
 * name, before it is stored (the worker's egress guard checks the resolved addresses again).
 */
function checkConnectionEndpoint(
  cloud: TCreateConnectionInput["cloud"],
  endpoint: string | undefined,
  allowlist: EgressAllowlist = EMPTY_ALLOWLIST,
): string | undefined {
  if (endpoint === undefined) return undefined;
  const r = checkEndpointUrl(cloud, "api", endpoint, allowlist);
  if (!r.ok) throw invalidField("endpoint", r.reason);
  return r.url;
}

/** Generated here (not by the database) because the sealed credentials are bound to the row's id. */
const newConnectionId = () => `c${randomBytes(12).toString("hex")}`;

export async function checkAwsExternalId(
  deps: Pick<UseCaseDeps, "prisma">,
  workspaceId: string,
  credentials: Record<string, unknown>,
): Promise<void> {
  if (credentials.kind !== "assume-role") return;
  const expected = await workspaceAwsExternalId(deps.prisma, workspaceId);
  if (credentials.externalId !== expected) {
    const message = `must be this workspace's external id "${expected}" (see GET /connections/bootstrap?cloud=aws)`;
    throw new AppError("validation", `credentials.externalId: ${message}`, [{ field: "credentials.externalId", message }]);
  }
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END \1-----/g;

function invalidCredential(field: string, message: string): AppError {
  return invalidField(`credentials.${field}`, message);
}

/**
 * Azure's optional private authority (sovereign clouds, a private identity endpoint, the simulator):
 * the provider's credential schema does not know these fields and would drop them, so they are
 * checked here and stored beside the credentials, where the worker's adapter wiring reads them.
 */
function parseAzureAuthority(raw: unknown, allowlist: EgressAllowlist = EMPTY_ALLOWLIST): { authorityHost?: string; caPem?: string } {
  const o = (raw ?? {}) as Record<string, unknown>;
  const out: { authorityHost?: string; caPem?: string } = {};
  if (o.authorityHost !== undefined && o.authorityHost !== null && o.authorityHost !== "") {
    const v = o.authorityHost;
    const shown = typeof v === "string" ? `"${v.slice(0, 80)}"` : typeof v;
    let u: URL | null = null;
    if (typeof v === "string" && v.length <= 2048) {
      try {
        u = new URL(v.trim());
      } catch {
        u = null;
      }
    }
    // Tokens are sent there with the client secret: only https, and no credentials, query or fragment.
    if (!u || u.protocol !== "https:" || !u.hostname || u.username || u.password || u.search || u.hash) {
      throw invalidCredential("authorityHost", `must be an https URL like https://login.microsoftonline.com (got ${shown})`);
    }
    // The client secret is posted there: only Microsoft's authorities or an operator-allowlisted host.
    const r = checkEndpointUrl("azure", "authority", u.toString(), allowlist);
    if (!r.ok) throw invalidCredential("authorityHost", r.reason);
    out.authorityHost = r.url;
  }
  if (o.caPem !== undefined && o.caPem !== null && o.caPem !== "") {
    const v = o.caPem;
    if (typeof v !== "string" || v.length > 65_536) throw invalidCredential("caPem", "must be PEM text of at most 65536 characters");
    const blocks = [...v.matchAll(PEM_BLOCK)];
    if (blocks.some((b) => /PRIVATE KEY/.test(b[1] ?? "")))
      throw invalidCredential("caPem", "is a private key; give the CA's certificate (-----BEGIN CERTIFICATE-----) instead");
    // Bundles may carry comment lines between certificates (as Mozilla's does); anything PEM-like must parse.
    const rest = v.replace(PEM_BLOCK, "");
    if (blocks.length === 0 || rest.includes("-----") || blocks.some((b) => b[1] !== "CERTIFICATE")) {
      throw invalidCredential("caPem", "must be one or more PEM certificates (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)");
    }
    for (const [i, b] of blocks.entries()) {
      try {
        new X509Certificate(b[0]);
      } catch {
        throw invalidCredential("caPem", `certificate ${i + 1} is not a valid X.509 certificate`);
      }
    }
    out.caPem = blocks.map((b) => b[0]).join("\n") + "\n";
  }
  return out;
}

/** The cloud's credential schema, plus Azure's private authority fields when given. */
export function parseConnectionCredentials(
  cloud: TCreateConnectionInput["cloud"],
  raw: unknown,
  allowlist: EgressAllowlist = EMPTY_ALLOWLIST,
): { credentials: Record<string, unknown>; hints: Record<string, string> } {
  const parsed = parseCredentials(cloud, raw);
  if (cloud !== "azure") return { credentials: parsed, hints: credentialHints(cloud, parsed) };
  const authority = parseAzureAuthority(raw, allowlist);
  const hints = credentialHints(cloud, parsed);
  return {
    credentials: { ...parsed, ...authority },
    hints: {
      ...hints,
      ...(authority.authorityHost ? { authorityHost: authority.authorityHost } : {}),
      ...(authority.caPem ? { privateCa: "yes" } : {}),
    },
  };
}

/** Stores a connection with sealed credentials (status "verifying") and queues its verification. */
export async function createConnection(deps: ConnectionDeps, actor: Actor, input: TCreateConnectionInput) {
  const endpoint = checkConnectionEndpoint(input.cloud, input.endpoint, deps.egressAllowlist);
  const { credentials, hints } = parseConnectionCredentials(input.cloud, input.credentials, deps.egressAllowlist);
  const facts = parseFacts(input.cloud, input.facts);
  const principals = checkPrincipals(input.cloud, input.principals);
  if (input.cloud === "aws") await checkAwsExternalId(deps, actor.workspaceId, credentials);
  const keys = deps.keys();
  const id = newConnectionId();
  const sealed = sealCredentials(keys, id, credentials);
  const row = await transaction(deps.prisma, async (tx) => {
    const c = await insertConnection(tx, {
      id,
      workspaceId: actor.workspaceId,
      cloud: input.cloud,
      name: input.name,
      endpoint: endpoint ?? null,
      credentialCiphertext: sealed,
      credentialKeyId: envelopeKeyId(sealed),
      credentialHints: hints,
      facts,
      principals,
      pollIntervalSec: input.pollIntervalSec ?? 300,
      createdById: actor.userId,
    });
    await appendAudit(tx, {
      ...auditBy(actor),
      action: "connection.created",
      targetType: "connection",
      targetId: id,
      data: { cloud: input.cloud, name: input.name, endpoint: endpoint ?? null, credentialHints: c.credentialHints },
    });
    return c;
  });
  const jobId = await deps.jobs
    .enqueueConnectionTask({ connectionId: id, task: "verify", requestedBy: actor.label.slice(0, 200) })
    .catch(() => null);
  return { ...connectionView(row), verifyJobId: jobId };
}
