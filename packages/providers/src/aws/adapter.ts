/**
 * AWS Organizations adapter: SCPs and RCPs Parapet owns, through @aws-sdk/client-organizations.
 * This file only wires the capabilities together; each lives in its own file:
 *   context.ts  configuration, clients, the paced/recorded/retried call, ownership reads
 *   verify.ts   credential and permission probes
 *   discover.ts the organization tree and account tags
 *   observe.ts  Parapet's policies, their attachments and foreign attachment slots
 *   apply.ts    create / update / attach / detach / delete
 *   adopt.ts    the approved adoption of a customer SCP/RCP: detach it (and attach it back on rollback)
 *   audit.ts    CloudTrail event history for impact replay (audit-records.ts parses records)
 *   audit-trail.ts  the same from an organization trail's S3 log files (every account, data events)
 *   compare.ts  field-by-field comparison; packing.ts lays statements out into policies
 */
import { composeAdapter } from "../common/adapter.ts";
import type { CloudAdapter } from "../contract/types.ts";
import { awsAdoption } from "./adopt.ts";
import { applyAws } from "./apply.ts";
import { DescribeOrganizationCommand } from "@aws-sdk/client-organizations";
import { ProviderError } from "../contract/errors.ts";
import { readAwsAuditEvents } from "./audit.ts";
import { readAwsTrailEvents } from "./audit-trail.ts";
import { lookupAwsPrincipalTags } from "./principal-tags.ts";
import { compareAwsArtifact } from "./compare.ts";
import { AwsContext, type AwsAdapterConfig } from "./context.ts";
import { discoverAws, discoverAwsNodes } from "./discover.ts";
import { observeAws } from "./observe.ts";
import { scanAwsPosture } from "./posture.ts";
import { verifyAws } from "./verify.ts";

export type { AwsAdapterConfig } from "./context.ts";
export { parentFromPaths } from "./discover.ts";
export { PROBE_POLICY_ID } from "./verify.ts";

/** Creates the AWS adapter for one connection. Throws ProviderError(invalid) for unusable config. */
export function createAwsAdapter(config: AwsAdapterConfig): CloudAdapter {
  const ctx = new AwsContext(config);
  const adapter = composeAdapter(ctx, {
    cloud: "aws",
    verify: verifyAws,
    discover: discoverAws,
    discoverNodes: discoverAwsNodes,
    observe: observeAws,
    apply: applyAws,
    compare: (_ctx, desired, observed) => compareAwsArtifact(desired, observed),
    recorder: (ctx) => ctx.recorder,
    close: async (c) => {
      c.clients.destroy();
    },
  });
  // Principal tags: the connector lives in the management account and cannot read member accounts' IAM,
  // so tags come from an AWS Config aggregator when the connection names one; without it the evaluator
  // answers "unjudgeable" for statements that test aws:PrincipalTag.
  const aggregator = ctx.configAggregator;
  return {
    ...adapter,
    ...(aggregator ? { lookupPrincipals: (ids: readonly string[]) => lookupAwsPrincipalTags(ctx, aggregator, ids) } : {}),
    scanPosture: () => scanAwsPosture(ctx),
    adoption: awsAdoption(ctx),
    readAuditEvents: async (req) => {
      if (!ctx.orgTrail) return readAwsAuditEvents(ctx, req);
      const orgId =
        ctx.facts.orgId ??
        (await ctx.call("DescribeOrganization", false, () => ctx.clients.org.send(new DescribeOrganizationCommand({})))).Organization?.Id;
      if (!orgId)
        throw new ProviderError(
          "unavailable",
          "The organization id is unknown, so its trail's files cannot be found.",
          true,
          "DescribeOrganization",
        );
      return readAwsTrailEvents(ctx, ctx.orgTrail, orgId, req);
    },
  };
}
