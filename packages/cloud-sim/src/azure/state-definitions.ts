import { badRequest, invalidContent } from "./errors.ts";
import type { PolicyResource } from "./model.ts";
import type { Scope } from "./scope.ts";
import type { Caller } from "./state-common.ts";
import { AzureResourceStore } from "./state-resources.ts";
import { validateAliases } from "./aliases.ts";
import {
  isObject,
  show,
  optionalString,
  prop,
  validateMode,
  validateParameterDeclarations,
  validateDenyAction,
  validatePolicyRule,
  validateResourceName,
} from "./validate.ts";

/** Policy definitions and policy set definitions (custom ones validated as ARM does; built-ins stored as given). */
export class AzureDefinitions extends AzureResourceStore {
  /** Stores a built-in (tenant-level) definition or set definition without validation of its scope. */
  putBuiltIn(kind: "policyDefinitions" | "policySetDefinitions", name: string, properties: Record<string, unknown>): void {
    const now = "2020-01-01T00:00:00.000Z";
    this.bucket("", kind).set(name.toLowerCase(), {
      kind,
      name,
      scope: "",
      properties: { policyType: "BuiltIn", ...properties },
      systemData: { createdBy: "", createdByType: "", createdAt: now, lastModifiedBy: "", lastModifiedByType: "", lastModifiedAt: now },
    });
  }

  protected buildDefinition(
    scope: Scope,
    name: string,
    body: unknown,
    prev: PolicyResource | undefined,
    by: Caller,
    now: string,
  ): PolicyResource {
    validateResourceName("policy definition", name, 128, "InvalidPolicyDefinitionName");
    const p = this.properties(body, "policyDefinitions");
    const limits = this.limits();
    if (!prev) this.quota("policyDefinitions", scope, limits.definitionsPerScope, "PolicyDefinitionQuotaExceeded");
    const policyType = prop(p, "policyType") ?? "Custom";
    if (typeof policyType !== "string" || policyType.toLowerCase() !== "custom") {
      throw badRequest(
        "InvalidPolicyType",
        `The policy type '${show(policyType)}' is not allowed. Only 'Custom' policy definitions can be created or updated.`,
      );
    }
    const mode = prop(p, "mode") ?? "Indexed";
    validateMode(name, mode);
    const displayName = optionalString(name, "displayName", prop(p, "displayName"), 128);
    const description = optionalString(name, "description", prop(p, "description"), 512);
    const parameters = prop(p, "parameters");
    const declared = validateParameterDeclarations(name, parameters, limits.parametersPerDefinition);
    validatePolicyRule(name, prop(p, "policyRule"), declared);
    validateAliases(name, prop(p, "policyRule"));
    validateDenyAction(name, mode, prop(p, "policyRule"), parameters);
    return {
      kind: "policyDefinitions",
      name: prev?.name ?? name,
      scope: this.canonical(scope),
      properties: {
        policyType: "Custom",
        mode,
        ...(displayName !== undefined ? { displayName } : {}),
        ...(description !== undefined ? { description } : {}),
        metadata: this.stampMetadata(prop(p, "metadata"), prev, by, now),
        parameters: parameters ?? {},
        policyRule: prop(p, "policyRule"),
        ...(prop(p, "version") !== undefined ? { version: prop(p, "version") } : {}),
      },
      systemData: this.systemData(prev?.systemData, by, now),
    };
  }

  protected buildSetDefinition(
    scope: Scope,
    name: string,
    body: unknown,
    prev: PolicyResource | undefined,
    by: Caller,
    now: string,
  ): PolicyResource {
    validateResourceName("policy set definition", name, 128, "InvalidPolicySetDefinitionName");
    const p = this.properties(body, "policySetDefinitions");
    const limits = this.limits();
    if (!prev) {
      this.quota("policySetDefinitions", scope, limits.setDefinitionsPerScope, "PolicySetDefinitionQuotaExceeded");
      const total = this.all("policySetDefinitions").filter((r) => r.scope !== "").length;
      if (total >= limits.setDefinitionsPerTenant) {
        throw badRequest(
          "PolicySetDefinitionQuotaExceeded",
          `The policy set definition quota has been exceeded: the tenant already has the maximum of ${limits.setDefinitionsPerTenant} policy set definitions.`,
        );
      }
    }
    const policyType = prop(p, "policyType") ?? "Custom";
    if (typeof policyType !== "string" || policyType.toLowerCase() !== "custom") {
      throw badRequest(
        "InvalidPolicyType",
        `The policy type '${show(policyType)}' is not allowed. Only 'Custom' policy set definitions can be created or updated.`,
      );
    }
    const displayName = optionalString(name, "displayName", prop(p, "displayName"), 128);
    const description = optionalString(name, "description", prop(p, "description"), 512);
    const parameters = prop(p, "parameters");
    const declared = validateParameterDeclarations(name, parameters, limits.parametersPerDefinition * 20);
    const members = prop(p, "policyDefinitions");
    if (!Array.isArray(members) || members.length === 0) {
      throw badRequest(
        "InvalidCreatePolicySetDefinitionRequest",
        `The policy set definition '${name}' must contain at least one policy definition.`,
      );
    }
    if (members.length > limits.policiesPerSetDefinition) {
      throw badRequest(
        "PolicySetDefinitionPolicyLimitExceeded",
        `The policy set definition '${name}' has ${members.length} policy definitions, which exceeds the maximum of ${limits.policiesPerSetDefinition}.`,
      );
    }
    const refs = new Set<string>();
    const outMembers = members.map((m: unknown, i) => {
      if (!isObject(m))
        throw invalidContent(`Error converting value to type 'PolicyDefinitionReference'. Path 'properties.policyDefinitions[${i}]'`);
      const def = this.resolveInScope(prop(m, "policyDefinitionId"), ["policyDefinitions"], scope, `policy set definition '${name}'`);
      let ref = prop(m, "policyDefinitionReferenceId");
      if (ref === undefined || ref === null || ref === "") ref = `${def.name}_${i + 1}`.replace(/[^A-Za-z0-9_-]/g, "");
      if (typeof ref !== "string")
        throw invalidContent(
          `Error converting value to type 'String'. Path 'properties.policyDefinitions[${i}].policyDefinitionReferenceId'`,
        );
      if (refs.has(ref.toLowerCase())) {
        throw badRequest(
          "InvalidPolicyDefinitionReference",
          `The policy set definition '${name}' has a duplicate policy definition reference id '${ref}'.`,
        );
      }
      refs.add(ref.toLowerCase());
      const mp = prop(m, "parameters");
      if (mp !== undefined && !isObject(mp))
        throw invalidContent(`Error converting value to type 'Object'. Path 'properties.policyDefinitions[${i}].parameters'`);
      for (const [pk, pv] of Object.entries(mp ?? {})) {
        const usedBy = Object.keys(def.properties.parameters ?? {}).some((k) => k.toLowerCase() === pk.toLowerCase());
        if (!usedBy) {
          throw badRequest(
            "UndefinedPolicyParameter",
            `The policy set definition '${name}' passes parameter '${pk}' that is not defined in the policy definition '${this.resourceId(def)}'.`,
          );
        }
        const expr = isObject(pv) ? JSON.stringify(pv) : "";
        for (const mm of expr.matchAll(/parameters\(\s*'([^']+)'\s*\)/gi)) {
          if (!declared.has(mm[1]!.toLowerCase())) {
            throw badRequest("UndefinedPolicyParameter", `The policy set definition '${name}' has an undefined parameter '${mm[1]}'.`);
          }
        }
      }
      const groupNames = prop(m, "groupNames");
      return {
        policyDefinitionId: this.resourceId(def),
        policyDefinitionReferenceId: ref,
        parameters: mp ?? {},
        ...(Array.isArray(groupNames) ? { groupNames } : {}),
        ...(prop(m, "definitionVersion") !== undefined ? { definitionVersion: prop(m, "definitionVersion") } : {}),
      };
    });
    const groups = prop(p, "policyDefinitionGroups");
    return {
      kind: "policySetDefinitions",
      name: prev?.name ?? name,
      scope: this.canonical(scope),
      properties: {
        policyType: "Custom",
        ...(displayName !== undefined ? { displayName } : {}),
        ...(description !== undefined ? { description } : {}),
        metadata: this.stampMetadata(prop(p, "metadata"), prev, by, now),
        parameters: parameters ?? {},
        policyDefinitions: outMembers,
        ...(Array.isArray(groups) ? { policyDefinitionGroups: groups } : {}),
      },
      systemData: this.systemData(prev?.systemData, by, now),
    };
  }
}
