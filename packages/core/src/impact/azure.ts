/**
 * Azure impact: would a guardrail's compiled Azure policies have refused an Activity Log entry's call?
 * Built on the scenario evaluator (catalog/azure-eval.ts) so a rule means the same thing in a
 * scenario and in a replay.
 *
 * What Azure Policy acts on, and so what can be judged:
 * - `denyAction` refuses DELETE requests only, by the resource the request names, and with
 *   `cascadeBehaviors.resourceGroup: deny` also the delete of a resource group holding such a resource
 *   ("Azure Policy denyAction effect" — https://learn.microsoft.com/azure/governance/policy/concepts/effect-deny-action).
 * - `deny` refuses PUT and PATCH requests whose payload matches ("Azure Policy deny effect" —
 *   https://learn.microsoft.com/azure/governance/policy/concepts/effect-deny). POST actions
 *   (`…/listKeys/action`) and reads are never refused by either effect.
 * - Azure Policy cannot condition on the caller, so the principal never changes a verdict (and the
 *   connector and break-glass are judged like anyone else: see azure.catalog.test.ts, lockout).
 * - The Activity Log records the request body (`properties.requestbody`) for some write operations
 *   only; the "Azure Activity Log event schema" (https://learn.microsoft.com/azure/azure-monitor/essentials/activity-log-schema)
 *   shows it in its Administrative example but makes no promise for every operation, and it never
 *   records the resource group's tags. A write whose rule needs what the entry lacks is
 *   `unjudgeable` (`no-request-body`, or `missing-context` naming the alias / expression).
 *
 * Assignment scope (`notScopes`) and exemptions are not part of a compiled fragment: they decide which
 * environments a guardrail reaches, which the replay service applies by `nodeExternalId`. The
 * fragment's `enforcementMode` is honoured: `DoNotEnforce` refuses nothing.
 */
import { createHash } from "node:crypto";
import type { AuditEvent } from "@parapet/providers/contract";
import { azureJudgeRequest, type TAzurePolicyJudgement } from "../catalog/azure-eval.ts";
import { AZURE_DATA_TYPES } from "../catalog/compilers/azure.ts";
import type { TAzureFragment } from "../catalog/types.ts";
import type { TImpactEvaluator, TImpactVerdict, TPreparedImpact } from "./types.ts";

const lc = (x: string): string => x.toLowerCase();
const RESOURCE_GROUP = "microsoft.resources/subscriptions/resourcegroups";

/**
 * Types known to support location (the compilers protect them in Indexed mode for that reason; each
 * is a tracked resource in its provider's ARM spec). For a delete, whose entry carries no payload,
 * this is how Indexed mode's "resources that support tags and location" is decided.
 */
const TRACKED = new Set(Object.values(AZURE_DATA_TYPES).map(lc));

/** `Microsoft.Storage/storageAccounts/delete` → type and verb; undefined when it is not an ARM operation. */
function splitOperation(action: string): { type: string; verb: string } | undefined {
  const parts = action.split("/");
  if (parts.length < 3 || !parts[0]!.includes(".")) return undefined;
  const verb = lc(parts[parts.length - 1]!);
  // `…/listKeys/action`: the operation is the action, the type is what precedes its name.
  const typeParts = verb === "action" ? parts.slice(0, -2) : parts.slice(0, -1);
  return { type: typeParts.join("/"), verb };
}

/** An extension resource (`…/providers/Microsoft.Insights/diagnosticSettings/x` under another resource) has no location. */
const isExtension = (resourceId: string): boolean => (resourceId.match(/\/providers\//gi) ?? []).length >= 2;

function trackedHint(type: string, resourceId: string): boolean | undefined {
  if (TRACKED.has(lc(type))) return true;
  if (isExtension(resourceId)) return false;
  return undefined;
}

const lastSegment = (id: string): string | undefined => id.split("/").filter(Boolean).pop();

/** Canonical JSON (sorted keys), so equal bodies hash equal whatever order the log wrote them in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

function verdictOf(judgements: TAzurePolicyJudgement[], hasBody: boolean, action: "write" | "delete"): TImpactVerdict {
  const refusing = judgements.filter((j) => j.result === "refuses").map((j) => j.referenceId);
  // One refusing policy decides it, whatever the others lack.
  if (refusing.length) return { verdict: "denied", by: refusing.sort().join(", ") };
  const unknown = judgements.filter((j) => j.result === "unknown");
  if (unknown.length === 0) return { verdict: "allowed" };
  const detail = unknown.map((j) => `${j.referenceId} tests ${j.unknown.join(", ") || "what the entry lacks"}`).join("; ");
  if (action === "write" && !hasBody) return { verdict: "unjudgeable", reason: "no-request-body", detail };
  return { verdict: "unjudgeable", reason: "missing-context", detail };
}

function prepare(fragment: TAzureFragment): TPreparedImpact {
  const rules = JSON.stringify(fragment.policies.map((p) => p.definition.properties.policyRule));
  // Only when a rule reads the resource's own name or id does the resource (not just its type) matter.
  const namesMatter = /"field":"(name|id|fullname)"/i.test(rules);
  const cascading = fragment.policies.filter((p) => {
    const then = p.definition.properties.policyRule.then;
    const cascade = (then.details as { cascadeBehaviors?: { resourceGroup?: string } } | undefined)?.cascadeBehaviors?.resourceGroup;
    return typeof cascade === "string" && lc(cascade) === "deny";
  });
  const enforced = fragment.enforcementMode === "Default" && fragment.policies.length > 0;

  const typeOf = (e: AuditEvent): { type: string; verb: string } | undefined => {
    // The operation names the type ARM checks (`Microsoft.Sql/servers/databases/delete`).
    return splitOperation(e.action);
  };

  return {
    principalsNeedingFacts: () => [],
    dedupKey(e) {
      const op = typeOf(e);
      if (!op) return `other|${lc(e.action)}`;
      const who = namesMatter ? `|${lc(e.resource)}` : "";
      if (op.verb === "delete") return `delete|${lc(op.type)}${who}|${trackedHint(op.type, e.resource) ?? "?"}`;
      if (op.verb !== "write") return `other|${op.verb}`;
      const body = e.request ? createHash("sha256").update(canonical(e.request)).digest("base64url") : "-";
      const patch = e.context["azure:httpMethod"] === "PATCH" ? "patch" : "put";
      return `write|${lc(op.type)}${who}|${patch}|${body}`;
    },
    judge(e): Promise<TImpactVerdict> {
      if (!enforced) return Promise.resolve({ verdict: "allowed" });
      const op = typeOf(e);
      if (!op)
        return Promise.resolve({ verdict: "unjudgeable", reason: "unsupported-action", detail: `not an ARM operation: ${e.action}` });
      if (op.verb !== "write" && op.verb !== "delete") return Promise.resolve({ verdict: "allowed" });
      const name = lastSegment(e.resource);
      const identity = { type: op.type, ...(name ? { name } : {}), ...(e.resource ? { id: e.resource } : {}) };
      if (op.verb === "delete" && lc(op.type) === RESOURCE_GROUP && cascading.length > 0) {
        // The delete of a group is refused when it holds a protected resource; the entry does not list its contents.
        return Promise.resolve({
          verdict: "unjudgeable",
          reason: "resource-group-contents",
          detail: `${cascading.map((p) => p.referenceId).join(", ")} refuse deleting a resource group that holds a protected resource; the Activity Log does not say what the group held`,
        });
      }
      const patch = e.context["azure:httpMethod"] === "PATCH";
      // A delete carries no payload and a PATCH need not carry the location: the type says whether it has one.
      const tracked = op.verb === "delete" || patch ? trackedHint(op.type, e.resource) : undefined;
      const judgements = azureJudgeRequest(fragment, {
        action: op.verb,
        identity,
        ...(op.verb === "write" && e.request ? { resource: e.request } : {}),
        ...(patch ? { patch: true } : {}),
        ...(tracked !== undefined ? { tracked } : {}),
      });
      return Promise.resolve(verdictOf(judgements, e.request !== undefined, op.verb));
    },
  };
}

export const azureImpact: TImpactEvaluator<"azure"> = {
  cloud: "azure",
  prepare: ({ fragment }) => prepare(fragment),
};
