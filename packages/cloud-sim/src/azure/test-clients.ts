/**
 * Test helpers: real SDK clients pointed at the simulator (endpoint + static token + TLS CA), and
 * ARM operations that @azure/arm-policy no longer ships (policy exemptions, subscription and tags
 * reads) sent with core-client OperationSpecs through a ServiceClient on the same settings
 * (arm-policy 7 is generated on @azure-rest/core-client and is no ServiceClient).
 */
import { ManagementGroupsAPI } from "@azure/arm-managementgroups";
import { PolicyClient } from "@azure/arm-policy";
import type { TokenCredential } from "@azure/core-auth";
import { createSerializer, ServiceClient, type OperationArguments, type OperationOptions, type OperationSpec } from "@azure/core-client";
import type { AzureSim } from "./index.ts";

export function staticCredential(token: string): TokenCredential {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
}

export interface ClientOpts {
  subscriptionId?: string;
  maxRetries?: number;
}

export function policyClient(sim: AzureSim, token: string, o: ClientOpts = {}): PolicyClient {
  const options = {
    ...sim.clientOptions(),
    retryOptions: { maxRetries: o.maxRetries ?? 3, retryDelayInMs: 10, maxRetryDelayInMs: 200 },
  };
  return o.subscriptionId
    ? new PolicyClient(staticCredential(token), o.subscriptionId, options)
    : new PolicyClient(staticCredential(token), options);
}

export function mgClient(sim: AzureSim, token: string, o: ClientOpts = {}): ManagementGroupsAPI {
  return new ManagementGroupsAPI(staticCredential(token), {
    ...sim.clientOptions(),
    retryOptions: { maxRetries: o.maxRetries ?? 3, retryDelayInMs: 10, maxRetryDelayInMs: 200 },
  });
}

/** A core-client ServiceClient on the simulator for the hand-written ARM operations below. */
export function armClient(sim: AzureSim, token: string, o: ClientOpts = {}): ServiceClient {
  const { endpoint, tlsOptions } = sim.clientOptions();
  const client = new ServiceClient({
    endpoint,
    tlsOptions,
    credential: staticCredential(token),
    credentialScopes: ["https://management.azure.com/.default"],
    retryOptions: { maxRetries: o.maxRetries ?? 3, retryDelayInMs: 10, maxRetryDelayInMs: 200 },
  });
  // The specs' `$host` URL parameter is read from the client, as generated clients carry it.
  return Object.assign(client, { $host: endpoint });
}

const serializer = createSerializer({}, false);

const anyBody = { type: { name: "any" as const } } as never;

function spec(
  method: OperationSpec["httpMethod"],
  path: string,
  statuses: number[],
  withBody: boolean,
  extraQuery: string[] = [],
): OperationSpec {
  const responses: OperationSpec["responses"] = { default: { bodyMapper: anyBody } };
  for (const s of statuses) responses[s] = { bodyMapper: anyBody };
  return {
    path,
    httpMethod: method,
    responses,
    queryParameters: [
      { parameterPath: "apiVersion", mapper: { serializedName: "api-version", required: true, type: { name: "String" } } },
      ...extraQuery.map((q) => ({ parameterPath: ["options", q], mapper: { serializedName: `$${q}`, type: { name: "String" as const } } })),
    ],
    urlParameters: [
      { parameterPath: "$host", mapper: { serializedName: "$host", required: true, type: { name: "String" } }, skipEncoding: true },
      { parameterPath: "scope", mapper: { serializedName: "scope", required: true, type: { name: "String" } }, skipEncoding: true },
      { parameterPath: "name", mapper: { serializedName: "name", required: true, type: { name: "String" } } },
    ],
    ...(withBody
      ? { requestBody: { parameterPath: "body", mapper: { serializedName: "body", type: { name: "any" } } }, mediaType: "json" as const }
      : {}),
    headerParameters: [
      {
        parameterPath: "accept",
        mapper: { defaultValue: "application/json", isConstant: true, serializedName: "Accept", type: { name: "String" } },
      },
      ...(withBody
        ? [
            {
              parameterPath: "contentType",
              mapper: {
                defaultValue: "application/json",
                isConstant: true,
                serializedName: "Content-Type",
                type: { name: "String" as const },
              },
            },
          ]
        : []),
    ],
    serializer,
  };
}

const EXEMPTION_PATH = "/{scope}/providers/Microsoft.Authorization/policyExemptions/{name}";
const EXEMPTION_LIST_PATH = "/{scope}/providers/Microsoft.Authorization/{name}";

type Json = Record<string, unknown>;

/** Policy exemptions (api-version 2022-07-01-preview, as the last SDK that shipped them used). */
export class Exemptions {
  constructor(
    private readonly client: ServiceClient,
    private readonly apiVersion = "2022-07-01-preview",
  ) {}

  private send(args: OperationArguments, s: OperationSpec): Promise<Json> {
    return this.client.sendOperationRequest<Json>({ apiVersion: this.apiVersion, ...args }, s);
  }

  createOrUpdate(scope: string, name: string, body: Json, options?: OperationOptions): Promise<Json> {
    return this.send({ scope, name, body, ...(options ? { options } : {}) }, spec("PUT", EXEMPTION_PATH, [200, 201], true));
  }

  get(scope: string, name: string): Promise<Json> {
    return this.send({ scope, name }, spec("GET", EXEMPTION_PATH, [200], false));
  }

  delete(scope: string, name: string): Promise<Json> {
    return this.send({ scope, name }, spec("DELETE", EXEMPTION_PATH, [200, 204], false));
  }

  /** Follows nextLink like the generated pagers do. */
  async list(scope: string, filter?: string): Promise<Json[]> {
    const out: Json[] = [];
    let page = await this.send(
      { scope, name: "policyExemptions", options: (filter ? { filter } : {}) as OperationOptions },
      spec("GET", EXEMPTION_LIST_PATH, [200], false, ["filter"]),
    );
    for (;;) {
      out.push(...((page.value as Json[] | undefined) ?? []));
      const next = page.nextLink as string | undefined;
      if (!next) return out;
      page = await this.client.sendOperationRequest<Json>(
        { nextLink: next },
        {
          path: "{nextLink}",
          httpMethod: "GET",
          responses: { 200: { bodyMapper: anyBody }, default: { bodyMapper: anyBody } },
          urlParameters: [
            { parameterPath: "$host", mapper: { serializedName: "$host", required: true, type: { name: "String" } }, skipEncoding: true },
            {
              parameterPath: "nextLink",
              mapper: { serializedName: "nextLink", required: true, type: { name: "String" } },
              skipEncoding: true,
            },
          ],
          headerParameters: [
            {
              parameterPath: "accept",
              mapper: { defaultValue: "application/json", isConstant: true, serializedName: "Accept", type: { name: "String" } },
            },
          ],
          serializer,
        },
      );
    }
  }
}

/** GET /subscriptions/{id} (Microsoft.Resources, 2022-12-01): where a client reads subscription tags. */
export function getSubscription(client: ServiceClient, subscriptionId: string): Promise<Json> {
  const s = spec("GET", "/{scope}/{name}", [200], false);
  return client.sendOperationRequest<Json>({ apiVersion: "2022-12-01", scope: "subscriptions", name: subscriptionId }, s);
}

/** GET /subscriptions/{id}/providers/Microsoft.Resources/tags/default (2021-04-01). */
export function getTags(client: ServiceClient, subscriptionId: string): Promise<Json> {
  const s = spec("GET", "/{scope}/providers/Microsoft.Resources/tags/{name}", [200], false);
  return client.sendOperationRequest<Json>({ apiVersion: "2021-04-01", scope: `subscriptions/${subscriptionId}`, name: "default" }, s);
}

/** Runs a call expected to fail and returns the RestError's status and ARM code. */
export async function failure(p: Promise<unknown>): Promise<{ statusCode: number | undefined; code: string | undefined; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { statusCode?: number; code?: string; message: string };
    return { statusCode: err.statusCode, code: err.code, message: err.message };
  }
  throw new Error("expected the call to fail");
}
