import { type Ctx, authorize, CRM, hasPermission } from "./core.ts";
import { invalid, permissionDenied } from "./errors.ts";
import { type Json, obj } from "./wire.ts";
import { orgWire } from "./crm-common.ts";
import { parseQuery, matchValue } from "./crm-search.ts";

// ---------------------------------------------------------------- handlers: organizations

export function getOrganization(ctx: Ctx, id?: string): Json {
  const shown = `${CRM}organizations/${id ?? ""}`;
  authorize(ctx, "resourcemanager.organizations.get", shown);
  if (id !== ctx.core.state.org.id) throw permissionDenied("resourcemanager.organizations.get", shown);
  return orgWire(ctx.core, ctx.intEnums);
}

export function searchOrganizations(ctx: Ctx): Json {
  const terms = parseQuery(ctx.query.get("query"));
  const o = ctx.core.state.org;
  const visible = hasPermission(ctx.principal, "resourcemanager.organizations.get");
  const match =
    visible &&
    terms.every((t) => {
      if (t.key === "domain" || t.key === "displayName") return matchValue(o.displayName, t.value);
      if (t.key === "directoryCustomerId" || t.key === "owner.directorycustomerid") return matchValue(o.directoryCustomerId, t.value);
      throw invalid(`Unsupported search field "${t.key}".`, "query");
    });
  return match ? { organizations: [orgWire(ctx.core, ctx.intEnums)] } : {};
}

/**
 * `organizations/{id}:testIamPermissions`: which of the asked permissions the caller holds on the
 * organization. Google requires no permission for this call and answers only with the granted subset,
 * which is how a connector probes its own grants without writing anything.
 */
export function testOrganizationIamPermissions(ctx: Ctx, id?: string): Json {
  if (id !== ctx.core.state.org.id) {
    throw permissionDenied("resourcemanager.organizations.get", `${CRM}organizations/${id ?? ""}`);
  }
  const body = obj(ctx.body, "request");
  const asked = body.permissions;
  if (!Array.isArray(asked) || asked.some((x) => typeof x !== "string")) {
    throw invalid("permissions must be a list of strings.", "permissions");
  }
  if (asked.length > 100) throw invalid("permissions: at most 100 permissions can be tested at once.", "permissions");
  const granted = [...new Set(asked as string[])].filter((p) => hasPermission(ctx.principal, p));
  return granted.length ? { permissions: granted } : {};
}
