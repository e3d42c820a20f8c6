import { canonicalJson } from "@parapet/providers/contract";
import type { Tx } from "@parapet/db";
import { AppError } from "../common/errors.ts";
import { activateExemption } from "../exemptions/exemptions.repository.ts";
import type { TVersionSpec } from "../guardrails/guardrails.schema.ts";
import { writeLabelOverrides } from "../nodes/set-node-labels.ts";
import { findNodeOverrides } from "../nodes/nodes.repository.ts";
import { writeApprovedPrincipals } from "../connections/principal-change.ts";
import { applyApprovedMfaReset } from "../members/reset-mfa.ts";
import { adoptionOfApproval, findForeignPolicy, setAdoption } from "../posture/posture.repository.ts";
import { addVersion, findGuardrail, reconcilableConnectionIds, setGuardrailStatus } from "../guardrails/guardrails.repository.ts";

interface ApprovalRow {
  id: string;
  workspaceId: string;
  action: string;
  subjectId: string;
  payload: unknown;
  requestedById: string;
}

/**
 * Applies an approved change, verbatim as requested, inside the approval's transaction. Returns the
 * connections to reconcile once it commits.
 */
export async function applyApprovedChange(tx: Tx, a: ApprovalRow): Promise<{ connections: string[]; detail: Record<string, unknown> }> {
  const p = (a.payload ?? {}) as Record<string, unknown>;
  switch (a.action) {
    case "guardrail.update": {
      const g = await findGuardrail(tx, a.workspaceId, a.subjectId);
      if (!g || g.status === "deleted")
        throw new AppError("conflict", "guardrail: it was deleted after this request was made; reject the request");
      const base = Number(p.baseVersion);
      const ok = await addVersion(
        tx,
        { id: g.id, baseVersion: base, name: p.name as string | undefined, description: p.description as string | undefined },
        p.spec as TVersionSpec,
        typeof p.note === "string" ? p.note : "",
        a.requestedById,
      );
      if (!ok)
        throw new AppError(
          "conflict",
          `guardrail: it changed since this request (now v${g.currentVersion}, requested against v${base}); reject the request and ask for a new one`,
        );
      return {
        connections: g.status === "active" ? await reconcilableConnectionIds(tx, a.workspaceId) : [],
        detail: { guardrailId: g.id, version: base + 1 },
      };
    }
    case "guardrail.disable":
    case "guardrail.delete": {
      const g = await findGuardrail(tx, a.workspaceId, a.subjectId);
      if (!g || g.status === "deleted") throw new AppError("conflict", "guardrail: it no longer exists; reject the request");
      await setGuardrailStatus(tx, g.id, a.action === "guardrail.disable" ? "disabled" : "deleted");
      return {
        connections: await reconcilableConnectionIds(tx, a.workspaceId),
        detail: { guardrailId: g.id, status: a.action === "guardrail.disable" ? "disabled" : "deleted" },
      };
    }
    case "exemption.create": {
      const e = await activateExemption(tx, a.workspaceId, a.subjectId);
      if (!e) throw new AppError("conflict", "exemption: it expired or was withdrawn before approval; reject the request");
      return { connections: e.connectionIds, detail: { exemptionId: a.subjectId } };
    }
    case "node.labels": {
      const node = await findNodeOverrides(tx, a.workspaceId, a.subjectId);
      if (!node) throw new AppError("conflict", "node: it no longer exists; reject the request");
      // Applied verbatim only over the overrides the requester saw: a later edit would be silently undone.
      if (canonicalJson(node.labelOverrides ?? {}) !== canonicalJson(p.before ?? {}))
        throw new AppError("conflict", "node: its labels changed since this request; reject the request and ask for a new one");
      const changed = await writeLabelOverrides(tx, node, (p.overrides ?? {}) as Record<string, string | null>, "approval");
      return { connections: [node.connectionId], detail: { nodeId: node.id, overrides: p.overrides, nodesChanged: changed } };
    }
    case "connection.principals": {
      const connectionId = await writeApprovedPrincipals(tx, a.workspaceId, a.subjectId, p.before, p.principals);
      return { connections: [connectionId], detail: { connectionId, principals: p.principals } };
    }
    case "member.mfa_reset": {
      // An owner's second factor (members/reset-mfa.ts); decide-approval.ts let only an owner approve.
      const detail = await applyApprovedMfaReset(tx, a.workspaceId, a.subjectId, p);
      return { connections: [], detail: { ...detail, mfaReset: true } };
    }
    case "posture.adopt": {
      // Released, not carried out: the connection's reconcile deploys and verifies Parapet's artifact, then
      // detaches the customer's policy (reconcile/phases/adopt.ts). The body the scan has now must still be
      // the one the requester saw; the cloud's is checked again right before each detach.
      const adoption = await adoptionOfApproval(tx, a.id);
      if (!adoption || adoption.state !== "pending")
        throw new AppError("conflict", "adoption: it is no longer pending; reject the request");
      const fp = await findForeignPolicy(tx, a.workspaceId, adoption.foreignPolicyId);
      const planned = (p.plan ?? {}) as { bodyHash?: unknown };
      if (!fp || fp.goneAt || fp.bodyHash !== planned.bodyHash)
        throw new AppError(
          "conflict",
          "adoption: the customer's policy changed or disappeared since this request; reject it and ask again",
        );
      const g = await findGuardrail(tx, a.workspaceId, adoption.guardrailId);
      if (!g || g.status !== "active" || g.versions[0]?.mode !== "enforce")
        throw new AppError("conflict", "adoption: the guardrail is no longer active in enforce mode; reject the request");
      await setAdoption(tx, adoption.id, { state: "approved" });
      return { connections: [adoption.connectionId], detail: { adoption: adoption.id, policy: adoption.policyExternalId } };
    }
    default:
      throw new AppError("conflict", `approval: unknown action "${a.action}"`);
  }
}
