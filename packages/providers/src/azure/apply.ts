import type { ApplyResult, Change, DesiredArtifact } from "../contract/types.ts";
import { compareAzureArtifact } from "./compare.ts";
import { AZURE_KINDS, invalid, notOwned, type AzureContext } from "./context.ts";
import { read, toObserved } from "./resources.ts";
import { parseArmId, type PolicyArtifactKind } from "./scope.ts";
import { del, put } from "./writes.ts";

/**
 * Create, update, attach, detach and delete of definitions, initiatives, assignments and exemptions.
 * Ownership (metadata.parapetOwner) is read back from ARM before anything is changed.
 */
export async function applyAzure(ctx: AzureContext, change: Change): Promise<ApplyResult> {
  const kind = "artifact" in change ? change.artifact.kind : change.kind;
  if (!AZURE_KINDS.has(kind)) throw invalid(change.op, `${kind} is not an Azure artifact.`, "WRONG_CLOUD");
  const k = kind as PolicyArtifactKind;
  switch (change.op) {
    case "create":
      return create(ctx, k, change.artifact);
    case "update":
      return update(ctx, k, change.artifact, change.externalId);
    case "attach":
      return attach(ctx, k, change.name, change.target);
    case "detach":
      return detach(ctx, k, change.name, change.target);
    case "delete":
      return remove(ctx, k, change.name, change.externalId);
  }
}

function desiredScope(ctx: AzureContext, a: DesiredArtifact, operation: string): string {
  const scope = a.attachments[0];
  if (!scope) throw invalid(operation, `${a.kind} ${a.name} names no scope to live in.`, "NO_SCOPE");
  ctx.scopeOf(scope, operation);
  return scope.replace(/^\/+/, "");
}

/** Idempotent create: adopts its own artifact left by an interrupted run, refuses anyone else's. */
async function create(ctx: AzureContext, kind: PolicyArtifactKind, a: DesiredArtifact): Promise<ApplyResult> {
  const scope = desiredScope(ctx, a, "create");
  const existing = await read(ctx, kind, scope, a.name);
  if (existing) {
    if (!existing.owned) throw notOwned("create", `${kind} ${a.name} at ${scope}`);
    const observed = toObserved(kind, a.name, scope, existing);
    if (compareAzureArtifact(a, observed).equal) return { externalId: observed.externalId, noop: true };
  }
  return { externalId: await put(ctx, kind, scope, a.name, a.body, existing, "create") };
}

async function update(ctx: AzureContext, kind: PolicyArtifactKind, a: DesiredArtifact, externalId: string): Promise<ApplyResult> {
  const fromId = externalId ? parseArmId(externalId) : undefined;
  if (fromId && fromId.kind !== kind) throw invalid("update", `${externalId} is not a ${kind}.`, "WRONG_KIND");
  const scope = fromId?.scope ?? desiredScope(ctx, a, "update");
  const name = fromId?.name ?? a.name;
  const existing = await read(ctx, kind, scope, name);
  // Gone since it was observed: writing it again is the update (nobody else's object is touched).
  if (existing && !existing.owned) throw notOwned("update", `${kind} ${name} at ${scope}`);
  return { externalId: await put(ctx, kind, scope, name, a.body, existing, "update") };
}

/**
 * Definitions, initiatives, assignments and exemptions exist at exactly one scope: being there is
 * being attached. Attach therefore confirms the artifact at the target; it cannot conjure one.
 */
async function attach(ctx: AzureContext, kind: PolicyArtifactKind, name: string, target: string): Promise<ApplyResult> {
  const scope = target.replace(/^\/+/, "");
  const existing = await read(ctx, kind, scope, name);
  if (!existing) {
    throw invalid(
      "attach",
      `${kind} ${name} does not exist at ${scope}; Azure policy resources are attached by creating them there.`,
      "NOT_CREATED",
    );
  }
  if (!existing.owned) throw notOwned("attach", `${kind} ${name} at ${scope}`);
  return { externalId: existing.id, noop: true };
}

async function detach(ctx: AzureContext, kind: PolicyArtifactKind, name: string, target: string): Promise<ApplyResult> {
  // A definition or initiative is not attached anywhere: it is only available at and below its
  // scope, and the delete that follows a cleanup removes it. Assignments and exemptions are the
  // attachment itself, so detaching one removes it.
  if (kind === "azure.policy-definition" || kind === "azure.policy-set-definition") return { noop: true };
  const scope = target.replace(/^\/+/, "");
  const existing = await read(ctx, kind, scope, name);
  if (!existing) return { noop: true };
  if (!existing.owned) throw notOwned("detach", `${kind} ${name} at ${scope}`);
  await del(ctx, kind, scope, name);
  return { externalId: existing.id };
}

async function remove(ctx: AzureContext, kind: PolicyArtifactKind, name: string, externalId: string): Promise<ApplyResult> {
  const fromId = externalId ? parseArmId(externalId) : undefined;
  if (fromId && fromId.kind !== kind) throw invalid("delete", `${externalId} is not a ${kind}.`, "WRONG_KIND");
  const scope = fromId?.scope ?? ctx.rootScope;
  const n = fromId?.name ?? name;
  const existing = await read(ctx, kind, scope, n);
  if (!existing) return { noop: true };
  if (!existing.owned) throw notOwned("delete", `${kind} ${n} at ${scope}`);
  await del(ctx, kind, scope, n);
  return { externalId: existing.id };
}
