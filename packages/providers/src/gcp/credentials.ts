import { z } from "zod";

/**
 * GCP credentials as Parapet stores them (encrypted) for one connection. Two kinds:
 * - a service-account key file (the JSON `gcloud iam service-accounts keys create` writes). The Google
 *   SDKs sign a self-signed JWT with it for every API call, so no token request leaves the worker;
 *   `token_uri` is kept (and validated) because it is part of the key file and tools that exchange
 *   the key for an access token use it.
 * - a short-lived OAuth access token (tests, or a token minted elsewhere, e.g. by workload identity).
 */
const PEM_KEY = /^-----BEGIN (RSA )?PRIVATE KEY-----[\s\S]+-----END (RSA )?PRIVATE KEY-----\s*$/;

const ZGcpServiceAccountKey = z.object({
  type: z.literal("service_account", { error: 'key file "type" must be "service_account"' }).optional(),
  project_id: z.string().max(100).optional(),
  private_key_id: z.string().max(100).optional(),
  private_key: z
    .string()
    .min(100, { error: "private_key is too short to be a PEM private key" })
    .max(10_000, { error: "private_key is longer than 10,000 characters" })
    .regex(PEM_KEY, { error: "private_key must be a PEM block (-----BEGIN PRIVATE KEY----- …)" }),
  client_email: z
    .string()
    .max(320)
    .regex(/^[^@\s]+@[^@\s]+$/, { error: "client_email must be a service account e-mail address" }),
  client_id: z.string().max(100).optional(),
  token_uri: z.url({ error: "token_uri must be an absolute URL" }).max(2048).optional(),
  universe_domain: z.string().max(255).optional(),
});

export const ZGcpCredentials = z.discriminatedUnion("type", [
  z.object({ type: z.literal("service_account_key"), key: ZGcpServiceAccountKey }),
  z.object({
    type: z.literal("access_token"),
    accessToken: z
      .string()
      .min(8, { error: "accessToken is too short" })
      .max(4096, { error: "accessToken is longer than 4,096 characters" }),
    /** Epoch milliseconds; the SDKs refuse to send an expired token. Defaults to one hour from now. */
    expiresAt: z.number().int().positive().optional(),
  }),
]);

export type TGcpCredentials = z.infer<typeof ZGcpCredentials>;

/** Facts about the connected root that the adapter needs (stored with the connection). */
export const ZGcpFacts = z.object({
  organizationId: z.string().regex(/^[0-9]{1,30}$/, { error: "organizationId must be the numeric organization id" }),
});
export type TGcpFacts = z.infer<typeof ZGcpFacts>;
