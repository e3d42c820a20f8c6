/**
 * "Request exemption" from a denial (the Denials page, or the link in a denial alert): an exemption of
 * the environment the call was refused in (or of the principal that made it, in every environment) from the
 * guardrail that refused it, through the ordinary
 * exemption request and its two-person approval. Its expiry is bounded by the workspace's maximum
 * (Settings → Notifications). The decision is told on the channel that delivered the denial's alert.
 */
import type { Actor, DbClient } from "../common/actor.ts";
import { AppError, invalidField, notFound } from "../common/errors.ts";
import { exemptableAuditPrincipal } from "../exemptions/exempt-principal.ts";
import { requestExemption } from "../exemptions/request-exemption.ts";
import type { CloudId } from "@parapet/providers/contract";
import { can } from "../identity/roles.ts";
import { channelThatToldDenial, findDenial } from "./denials.repository.ts";
import type { TDenialExemptionInput } from "./denials.schema.ts";

export async function requestDenialExemption(deps: { prisma: DbClient }, actor: Actor, denialId: string, input: TDenialExemptionInput) {
  if (!can(actor.role, "exemption", "request")) throw new AppError("forbidden", `your role (${actor.role}) cannot request exemptions`);
  const d = await findDenial(deps.prisma, actor.workspaceId, denialId);
  if (!d) throw notFound("denial", denialId);
  if (!d.parapet || !d.guardrailId)
    throw new AppError("conflict", "denial: it was not denied by a Parapet guardrail; nothing of Parapet's to exempt");
  let subject: { nodeId: string } | { principal: { cloud: "aws" | "gcp" | "oci"; id: string } };
  if ((input.of ?? "environment") === "principal") {
    const cloud = d.cloud as CloudId;
    const id = exemptableAuditPrincipal(cloud, d.principal);
    if (!id || cloud === "azure")
      throw invalidField(
        "of",
        cloud === "azure"
          ? "Azure Policy cannot condition on the caller: exempt the environment instead"
          : `the caller "${d.principal.slice(0, 120)}" is not one identity a ${cloud.toUpperCase()} policy can spare: exempt the environment instead`,
      );
    subject = { principal: { cloud, id } };
  } else {
    if (!d.nodeId) throw new AppError("conflict", "denial: the environment it happened in is not known to Parapet");
    subject = { nodeId: d.nodeId };
  }
  const replyChannelId = await channelThatToldDenial(deps.prisma, actor.workspaceId, `denial:${d.connectionId}:${d.eventId}`);
  return requestExemption(
    deps,
    actor,
    { guardrailId: d.guardrailId, ...subject, reason: input.reason, ownerEmail: input.ownerEmail, expiresAt: input.expiresAt },
    { replyChannelId, fromDenial: d.id },
  );
}
