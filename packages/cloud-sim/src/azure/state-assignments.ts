import { randomUUID } from "node:crypto";
import { badRequest, invalidContent } from "./errors.ts";
import type { PolicyResource } from "./model.ts";
import { parsePolicyResourceId, parseScope, scopeKey, type Scope } from "./scope.ts";
import { notFoundError, type Caller } from "./state-common.ts";
import { AzureDefinitions } from "./state-definitions.ts";
import { isObject, show, optionalString, prop, validateParameterValues, validateResourceName } from "./validate.ts";

/** Policy assignments (create, patch) and policy exemptions. */
export class AzureAssignments extends AzureDefinitions {
  protected buildAssignment(
    scope: Scope,
    name: string,
    body: unknown,
    prev: PolicyResource | undefined,
    by: Caller,
    now: string,
  ): PolicyResource {
    validateResourceName("policy assignment", name, scope.kind === "mg" ? 24 : 64, "InvalidPolicyAssignmentName");
    const p = this.properties(body, "policyAssignments");
    const limits = this.limits();
    if (!prev) this.quota("policyAssignments", scope, limits.assignmentsPerScope, "PolicyAssignmentQuotaExceeded");
    const owner = `policy assignment '${name}'`;
    const def = this.resolveInScope(prop(p, "policyDefinitionId"), ["policyDefinitions", "policySetDefinitions"], scope, owner);
    const enforcement = prop(p, "enforcementMode") ?? "Default";
    const mode =
      typeof enforcement === "string" ? ["Default", "DoNotEnforce"].find((m) => m.toLowerCase() === enforcement.toLowerCase()) : undefined;
    if (!mode) {
      throw invalidContent(`Requested value '${show(enforcement)}' was not found. Path 'properties.enforcementMode'`);
    }
    const notScopes = prop(p, "notScopes") ?? [];
    if (!Array.isArray(notScopes) || notScopes.some((s) => typeof s !== "string")) {
      throw invalidContent("Error converting value to type 'String[]'. Path 'properties.notScopes'");
    }
    if (notScopes.length > limits.notScopesPerAssignment) {
      throw badRequest(
        "InvalidCreatePolicyAssignmentRequest",
        `The policy assignment '${name}' has ${notScopes.length} not scopes, which exceeds the maximum of ${limits.notScopesPerAssignment} not scopes.`,
      );
    }
    const ownKey = scopeKey(scope);
    for (const ns of notScopes as string[]) {
      const parsed = parseScope(ns);
      const nsKey = parsed ? scopeKey(parsed) : undefined;
      const under = nsKey !== undefined && nsKey !== ownKey && this.isBelow(parsed!, ownKey);
      if (!under) {
        throw badRequest(
          "InvalidNotScopes",
          `The policy assignment '${name}' has an invalid not scope '${ns}'. Not scopes must be child scopes of the assignment scope '${this.canonical(scope)}'.`,
        );
      }
    }
    const params = prop(p, "parameters");
    validateParameterValues(name, this.resourceId(def), (def.properties.parameters ?? {}) as Record<string, unknown>, params);
    const displayName = optionalString(name, "displayName", prop(p, "displayName"), 128);
    const description = optionalString(name, "description", prop(p, "description"), 512);
    const b = body as Record<string, unknown>;
    const location = prop(b, "location");
    let identity = prop(b, "identity");
    if (isObject(identity)) {
      const type = prop(identity, "type");
      identity =
        typeof type === "string" && type.toLowerCase() === "systemassigned"
          ? {
              type: "SystemAssigned",
              principalId: (prev?.identity?.principalId as string | undefined) ?? randomUUID(),
              tenantId: this.tenantId,
            }
          : { ...identity };
    }
    const extra: Record<string, unknown> = {};
    for (const k of ["nonComplianceMessages", "resourceSelectors", "overrides", "definitionVersion", "assignmentType"]) {
      const v = prop(p, k);
      if (v !== undefined) extra[k] = v;
    }
    return {
      kind: "policyAssignments",
      name: prev?.name ?? name,
      scope: this.canonical(scope),
      ...(typeof location === "string" ? { location } : {}),
      ...(isObject(identity) ? { identity } : {}),
      properties: {
        ...(displayName !== undefined ? { displayName } : {}),
        policyDefinitionId: this.resourceId(def),
        scope: this.canonical(scope),
        notScopes,
        parameters: params ?? {},
        ...(description !== undefined ? { description } : {}),
        metadata: this.stampMetadata(prop(p, "metadata"), prev, by, now),
        enforcementMode: mode,
        instanceId: prev?.properties.instanceId ?? randomUUID(),
        ...extra,
      },
      systemData: this.systemData(prev?.systemData, by, now),
    };
  }

  patchAssignment(scope: Scope, name: string, body: unknown, by: Caller): PolicyResource {
    const r = this.get("policyAssignments", scope, name);
    if (!isObject(body)) throw invalidContent("The request content must be a JSON object. Path '', line 1, position 1.");
    const now = new Date().toISOString();
    const location = prop(body, "location");
    if (typeof location === "string") r.location = location;
    const identity = prop(body, "identity");
    if (isObject(identity)) {
      const type = prop(identity, "type");
      r.identity =
        typeof type === "string" && type.toLowerCase() === "none"
          ? undefined
          : { type: "SystemAssigned", principalId: r.identity?.principalId ?? randomUUID(), tenantId: this.tenantId };
      if (!r.identity) delete r.identity;
    }
    const p = prop(body, "properties");
    if (isObject(p)) {
      for (const k of ["resourceSelectors", "overrides"]) {
        const v = prop(p, k);
        if (v !== undefined) r.properties[k] = v;
      }
    }
    r.properties.metadata = this.stampMetadata(r.properties.metadata, r, by, now);
    r.systemData = this.systemData(r.systemData, by, now);
    return r;
  }

  protected buildExemption(
    scope: Scope,
    name: string,
    body: unknown,
    prev: PolicyResource | undefined,
    by: Caller,
    now: string,
  ): PolicyResource {
    validateResourceName("policy exemption", name, 64, "InvalidPolicyExemptionName");
    const p = this.properties(body, "policyExemptions");
    if (!prev) this.quota("policyExemptions", scope, this.limits().exemptionsPerScope, "PolicyExemptionQuotaExceeded");
    const assignmentId = prop(p, "policyAssignmentId");
    if (typeof assignmentId !== "string" || !assignmentId) {
      throw badRequest("InvalidRequestContent", `The policy exemption '${name}' is missing the required 'policyAssignmentId'.`);
    }
    const a = this.resolve(assignmentId, ["policyAssignments"]);
    if (!a) throw notFoundError("policyAssignments", parsePolicyResourceId(assignmentId)?.name ?? assignmentId);
    const validation = prop(p, "assignmentScopeValidation") ?? "Default";
    if (show(validation).toLowerCase() !== "donotvalidate" && !this.isBelow(scope, scopeKey(this.scopeOf(a)))) {
      throw badRequest(
        "InvalidCreatePolicyExemptionRequest",
        `The policy exemption '${name}' create request is invalid. The exemption scope '${this.canonical(scope)}' is not within the scope of the policy assignment '${this.resourceId(a)}'.`,
      );
    }
    const category = prop(p, "exemptionCategory");
    const cat = typeof category === "string" ? ["Waiver", "Mitigated"].find((c) => c.toLowerCase() === category.toLowerCase()) : undefined;
    if (!cat) throw invalidContent(`Requested value '${String(category)}' was not found. Path 'properties.exemptionCategory'`);
    const expiresOn = prop(p, "expiresOn");
    if (expiresOn !== undefined && expiresOn !== null && (typeof expiresOn !== "string" || Number.isNaN(Date.parse(expiresOn)))) {
      throw invalidContent(`Could not convert string to DateTime: ${show(expiresOn)}. Path 'properties.expiresOn'`);
    }
    const refIds = prop(p, "policyDefinitionReferenceIds");
    if (refIds !== undefined && refIds !== null) {
      if (!Array.isArray(refIds) || refIds.some((x) => typeof x !== "string")) {
        throw invalidContent("Error converting value to type 'String[]'. Path 'properties.policyDefinitionReferenceIds'");
      }
      if (refIds.length) {
        const def = this.resolve(a.properties.policyDefinitionId as string, ["policySetDefinitions", "policyDefinitions"]);
        if (!def || def.kind !== "policySetDefinitions") {
          throw badRequest(
            "InvalidPolicyDefinitionReference",
            `The policy exemption '${name}' create request is invalid. The associated policy assignment is an assignment of a policy definition. The policy definition reference is only valid for policy assignments of policy set definitions.`,
          );
        }
        const known = new Set(
          (def.properties.policyDefinitions as Array<{ policyDefinitionReferenceId: string }>).map((m) =>
            m.policyDefinitionReferenceId.toLowerCase(),
          ),
        );
        const missing = (refIds as string[]).find((x) => !known.has(x.toLowerCase()));
        if (missing) {
          throw badRequest(
            "InvalidPolicyDefinitionReference",
            `The policy exemption '${name}' create request is invalid. The policy definition reference id '${missing}' does not exist in the policy set definition '${this.resourceId(def)}'.`,
          );
        }
      }
    }
    const displayName = optionalString(name, "displayName", prop(p, "displayName"), 128);
    const description = optionalString(name, "description", prop(p, "description"), 512);
    return {
      kind: "policyExemptions",
      name: prev?.name ?? name,
      scope: this.canonical(scope),
      properties: {
        policyAssignmentId: this.resourceId(a),
        policyDefinitionReferenceIds: refIds ?? [],
        exemptionCategory: cat,
        ...(typeof expiresOn === "string" ? { expiresOn: new Date(expiresOn).toISOString() } : {}),
        ...(displayName !== undefined ? { displayName } : {}),
        ...(description !== undefined ? { description } : {}),
        metadata: this.stampMetadata(prop(p, "metadata"), prev, by, now),
        assignmentScopeValidation: show(validation).toLowerCase() === "donotvalidate" ? "DoNotValidate" : "Default",
        ...(prop(p, "resourceSelectors") !== undefined ? { resourceSelectors: prop(p, "resourceSelectors") } : {}),
      },
      systemData: this.systemData(prev?.systemData, by, now),
    };
  }
}
