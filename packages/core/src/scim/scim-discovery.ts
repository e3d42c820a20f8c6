/**
 * SCIM discovery (RFC 7644 §4): /ServiceProviderConfig, /ResourceTypes and /Schemas, describing what
 * this endpoint really does: PATCH yes, filter (`eq` only) yes, bulk, sort, ETags and password change no.
 */
import {
  ScimError,
  SCIM_ENTERPRISE_USER,
  SCIM_GROUP,
  SCIM_LIST,
  SCIM_RESOURCE_TYPE,
  SCIM_SCHEMA,
  SCIM_SPC,
  SCIM_USER,
  MAX_PAGE,
} from "./scim-wire.ts";

const attr = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name,
  type,
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: "readWrite",
  returned: "default",
  uniqueness: "none",
  ...extra,
});

function schemas(base: string) {
  const user = {
    schemas: [SCIM_SCHEMA],
    id: SCIM_USER,
    name: "User",
    description: "A Parapet account provisioned by the workspace's directory",
    attributes: [
      attr("userName", "string", { required: true, uniqueness: "server" }),
      attr("name", "complex", {
        subAttributes: [attr("givenName", "string"), attr("familyName", "string"), attr("formatted", "string", { mutability: "readOnly" })],
      }),
      attr("displayName", "string"),
      attr("emails", "complex", {
        multiValued: true,
        description: "The work address is the account's sign-in address; it must be in a domain verified for the workspace's SSO",
        subAttributes: [attr("value", "string"), attr("type", "string"), attr("primary", "boolean")],
      }),
      attr("active", "boolean", { description: "false removes the membership and ends every session and API token at once" }),
      attr("externalId", "string", { caseExact: true }),
      attr("groups", "complex", {
        multiValued: true,
        mutability: "readOnly",
        subAttributes: [attr("value", "string"), attr("display", "string")],
      }),
    ],
    meta: { resourceType: "Schema", location: `${base}/Schemas/${SCIM_USER}` },
  };
  const group = {
    schemas: [SCIM_SCHEMA],
    id: SCIM_GROUP,
    name: "Group",
    description: "A directory group; the SSO group→role mapping names groups by displayName or externalId",
    attributes: [
      attr("displayName", "string", { required: true, uniqueness: "server" }),
      attr("externalId", "string", { caseExact: true }),
      attr("members", "complex", {
        multiValued: true,
        subAttributes: [attr("value", "string", { mutability: "immutable" }), attr("display", "string")],
      }),
    ],
    meta: { resourceType: "Schema", location: `${base}/Schemas/${SCIM_GROUP}` },
  };
  return [user, group];
}

function resourceTypes(base: string) {
  return [
    {
      schemas: [SCIM_RESOURCE_TYPE],
      id: "User",
      name: "User",
      endpoint: "/Users",
      schema: SCIM_USER,
      schemaExtensions: [{ schema: SCIM_ENTERPRISE_USER, required: false }],
      meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [SCIM_RESOURCE_TYPE],
      id: "Group",
      name: "Group",
      endpoint: "/Groups",
      schema: SCIM_GROUP,
      meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/Group` },
    },
  ];
}

const list = (items: unknown[]) => ({
  schemas: [SCIM_LIST],
  totalResults: items.length,
  startIndex: 1,
  itemsPerPage: items.length,
  Resources: items,
});

export function discovery(base: string, resource: "ServiceProviderConfig" | "ResourceTypes" | "Schemas", id: string | undefined): unknown {
  if (resource === "ServiceProviderConfig") {
    if (id !== undefined) throw new ScimError(404, "path: no such SCIM resource");
    return {
      schemas: [SCIM_SPC],
      documentationUri: `${base.replace(/\/api\/scim\/v2\/.*$/, "")}/api/v1/openapi.json`,
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: MAX_PAGE },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: false },
      authenticationSchemes: [
        {
          type: "oauthbearertoken",
          name: "Bearer token",
          description: "The workspace's SCIM token (Settings → SSO → SCIM provisioning)",
          primary: true,
        },
      ],
      meta: { resourceType: "ServiceProviderConfig", location: `${base}/ServiceProviderConfig` },
    };
  }
  const items: { id: string }[] = resource === "ResourceTypes" ? resourceTypes(base) : schemas(base);
  if (id === undefined) return list(items);
  const one = items.find((i) => i.id === id);
  if (!one) throw new ScimError(404, `${resource}/${id.slice(0, 100)}: not found`);
  return one;
}
