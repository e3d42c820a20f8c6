import { ManagementGroupsAPI } from "@azure/arm-managementgroups";
import { MonitorClient } from "@azure/arm-monitor";
import { PolicyClient } from "@azure/arm-policy";
import type { TokenCredential } from "@azure/core-auth";
import type { EgressGuard } from "../egress/guard.ts";
import { createSerializer, ServiceClient, type OperationOptions, type OperationSpec } from "@azure/core-client";

/**
 * SDK client wiring. Every client talks to one ARM endpoint (the public cloud, a sovereign cloud or
 * the simulator), with the SDK's own retries off: throttles must reach the adapter's CallRecorder
 * and withRetry, which honour Retry-After and count every 429.
 *
 * @azure/arm-policy 7 is generated on @azure-rest/core-client (its token scopes go in
 * `credentials.scopes`, and it is no core-client ServiceClient); arm-managementgroups 2 and the
 * hand-written ARM operations below are core-client (`credentialScopes`). Both get the same endpoint,
 * audience, TLS trust, retry and user-agent settings.
 */
export interface AzureClientOptions {
  credential: TokenCredential;
  /** ARM base URL, e.g. https://management.azure.com. */
  endpoint: string;
  /** Token audience; a simulator endpoint still issues tokens for ARM's audience. */
  audience: string;
  tlsCa?: string;
  /** Every ARM connection goes through its agent; redirects are not followed (ARM does not send any). */
  egress: EgressGuard;
}

export interface AzureClients {
  policy: PolicyClient;
  /** Subscription-bound client for definitions and assignments listed at a subscription. */
  policyFor(subscriptionId: string): PolicyClient;
  mg: ManagementGroupsAPI;
  arm: ArmOperations;
  /** Subscription-bound Activity Log client (@azure/arm-monitor 8, generated on @azure-rest/core-client like arm-policy 7). */
  monitorFor(subscriptionId: string): MonitorClient;
}

export function createAzureClients(o: AzureClientOptions): AzureClients {
  const scopes = [`${o.audience.replace(/\/+$/, "")}/.default`];
  const common = {
    endpoint: o.endpoint,
    retryOptions: { maxRetries: 0 },
    userAgentOptions: { userAgentPrefix: "parapet" },
    // The guarded agent replaces the pipeline's own, so it carries the private CA itself.
    agent: o.egress.httpsAgent(o.tlsCa ? { ca: o.tlsCa } : {}),
    redirectOptions: { maxRetries: 0 },
  };
  const policyOptions = { ...common, credentials: { scopes } };
  const coreOptions = { ...common, credentialScopes: scopes };
  const policy = new PolicyClient(o.credential, policyOptions);
  const bySub = new Map<string, PolicyClient>();
  const monitors = new Map<string, MonitorClient>();
  return {
    policy,
    policyFor(subscriptionId: string): PolicyClient {
      let c = bySub.get(subscriptionId.toLowerCase());
      if (!c) {
        c = new PolicyClient(o.credential, subscriptionId, policyOptions);
        bySub.set(subscriptionId.toLowerCase(), c);
      }
      return c;
    },
    monitorFor(subscriptionId: string): MonitorClient {
      let c = monitors.get(subscriptionId.toLowerCase());
      if (!c) {
        c = new MonitorClient(o.credential, subscriptionId, policyOptions);
        monitors.set(subscriptionId.toLowerCase(), c);
      }
      return c;
    },
    mg: new ManagementGroupsAPI(o.credential, coreOptions),
    arm: new ArmOperations(new ServiceClient({ ...coreOptions, credential: o.credential })),
  };
}

type Json = Record<string, unknown>;

const serializer = createSerializer({}, false);
const anyBody = { type: { name: "any" as const } } as never;

const accept = {
  parameterPath: "accept",
  mapper: { defaultValue: "application/json", isConstant: true, serializedName: "Accept", type: { name: "String" as const } },
};

function resourceSpec(method: OperationSpec["httpMethod"], withBody: boolean): OperationSpec {
  return {
    path: "/{resourcePath}",
    httpMethod: method,
    responses: { 200: { bodyMapper: anyBody }, 201: { bodyMapper: anyBody }, 204: {}, default: { bodyMapper: anyBody } },
    queryParameters: [
      { parameterPath: "apiVersion", mapper: { serializedName: "api-version", required: true, type: { name: "String" } } },
      { parameterPath: ["options", "filter"], mapper: { serializedName: "$filter", type: { name: "String" } } },
      { parameterPath: ["options", "top"], mapper: { serializedName: "$top", type: { name: "Number" } } },
    ],
    // The path is built and encoded by the caller; ARM scopes contain slashes that must stay.
    urlParameters: [
      {
        parameterPath: "resourcePath",
        mapper: { serializedName: "resourcePath", required: true, type: { name: "String" } },
        skipEncoding: true,
      },
    ],
    headerParameters: withBody
      ? [
          accept,
          {
            parameterPath: "contentType",
            mapper: { defaultValue: "application/json", isConstant: true, serializedName: "Content-Type", type: { name: "String" } },
          },
        ]
      : [accept],
    ...(withBody
      ? { requestBody: { parameterPath: "body", mapper: { serializedName: "body", type: { name: "any" } } }, mediaType: "json" as const }
      : {}),
    serializer,
  };
}

const NEXT_LINK_SPEC: OperationSpec = {
  path: "{nextLink}",
  httpMethod: "GET",
  responses: { 200: { bodyMapper: anyBody }, default: { bodyMapper: anyBody } },
  urlParameters: [
    { parameterPath: "nextLink", mapper: { serializedName: "nextLink", required: true, type: { name: "String" } }, skipEncoding: true },
  ],
  headerParameters: [accept],
  serializer,
};

const GET = resourceSpec("GET", false);
const PUT = resourceSpec("PUT", true);
const DELETE = resourceSpec("DELETE", false);

/** API versions of the operations @azure/arm-policy does not ship. */
export const ARM_API_VERSIONS = {
  subscriptions: "2022-12-01",
  exemptions: "2022-07-01-preview",
} as const;

interface ArmPage {
  value: Json[];
  nextLink?: string;
}

/**
 * ARM operations outside @azure/arm-policy (subscriptions with their tags, policy exemptions), sent
 * with hand-written operation specs through a core-client ServiceClient built from the same settings
 * as the SDK clients (credential, audience, TLS trust, no SDK retries).
 */
class ArmOperations {
  constructor(private readonly client: ServiceClient) {}

  get(resourcePath: string, apiVersion: string): Promise<Json> {
    return this.client.sendOperationRequest<Json>({ resourcePath: trim(resourcePath), apiVersion }, GET);
  }

  put(resourcePath: string, apiVersion: string, body: Json): Promise<Json> {
    return this.client.sendOperationRequest<Json>({ resourcePath: trim(resourcePath), apiVersion, body }, PUT);
  }

  async delete(resourcePath: string, apiVersion: string): Promise<void> {
    await this.client.sendOperationRequest<Json>({ resourcePath: trim(resourcePath), apiVersion }, DELETE);
  }

  /** One page of a list: the first when `nextLink` is undefined. */
  async listPage(resourcePath: string, apiVersion: string, nextLink: string | undefined, filter?: string): Promise<ArmPage> {
    const r = nextLink
      ? await this.client.sendOperationRequest<Json>({ nextLink }, NEXT_LINK_SPEC)
      : await this.client.sendOperationRequest<Json>(
          { resourcePath: trim(resourcePath), apiVersion, options: (filter ? { filter } : {}) as OperationOptions },
          GET,
        );
    const value = Array.isArray(r.value) ? (r.value as Json[]) : [];
    return { value, ...(typeof r.nextLink === "string" && r.nextLink ? { nextLink: r.nextLink } : {}) };
  }
}

function trim(p: string): string {
  return p.replace(/^\/+/, "");
}
