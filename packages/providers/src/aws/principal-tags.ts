/**
 * Principal tags of member accounts' IAM roles and users, for impact replay (`aws:PrincipalTag/…` in an
 * SCP). The connector lives in the management account and cannot call IAM in member accounts; an AWS
 * Config aggregator over the organization can answer for all of them with one advanced query
 * (SelectAggregateResourceConfig; Config Developer Guide, "Querying the current configuration state of
 * AWS resources" — aggregators run the same query across accounts and Regions). IAM roles and users are
 * recorded as global resources, so one query per batch of ARNs covers the organization.
 */
import { SelectAggregateResourceConfigCommand } from "@aws-sdk/client-config-service";
import type { PrincipalFacts } from "../contract/audit.ts";
import type { AwsContext } from "./context.ts";

export interface TAwsConfigAggregator {
  /** The aggregator's name (1-256 of [\w-]). */
  name: string;
  /** The Region the aggregator lives in. */
  region: string;
}

/** IAM role or user ARNs: the principals an SCP's aws:PrincipalTag can speak of. */
const IAM_PRINCIPAL = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;
/**
 * ARNs per query: Expression is at most 4,096 characters (SelectAggregateResourceConfig, Request
 * Parameters), and an IAM ARN with a path runs up to a few hundred; 25 of them fit with room to spare.
 */
const BATCH = 25;

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Answers every id asked: tags for the IAM roles/users the aggregator records, `found: false` for the rest. */
export async function lookupAwsPrincipalTags(
  ctx: AwsContext,
  aggregator: TAwsConfigAggregator,
  ids: readonly string[],
): Promise<PrincipalFacts[]> {
  const wanted = [...new Set(ids)];
  const arns = wanted.filter((id) => IAM_PRINCIPAL.test(id));
  const found = new Map<string, Record<string, string>>();
  const client = ctx.clients.config(aggregator.region);
  for (let i = 0; i < arns.length; i += BATCH) {
    const batch = arns.slice(i, i + BATCH);
    const of = (prefix: string) => batch.filter((a) => a.split(":")[5]!.startsWith(prefix)).map(quote);
    for (const [type, list] of [
      ["AWS::IAM::Role", of("role/")],
      ["AWS::IAM::User", of("user/")],
    ] as const) {
      if (list.length === 0) continue;
      const expression = `SELECT arn, tags WHERE resourceType = '${type}' AND arn IN (${list.join(", ")})`;
      let token: string | undefined;
      do {
        const out = await ctx.call("SelectAggregateResourceConfig", false, () =>
          client.send(
            new SelectAggregateResourceConfigCommand({
              ConfigurationAggregatorName: aggregator.name,
              Expression: expression,
              Limit: 100,
              ...(token ? { NextToken: token } : {}),
            }),
          ),
        );
        for (const row of out.Results ?? []) {
          const r = JSON.parse(row) as { arn?: string; tags?: Array<{ key?: string; value?: string }> };
          if (!r.arn) continue;
          found.set(r.arn, Object.fromEntries((r.tags ?? []).filter((t) => t.key).map((t) => [t.key!, t.value ?? ""])));
        }
        token = out.NextToken;
      } while (token);
    }
  }
  return wanted.map((id) => {
    const tags = found.get(id);
    return tags ? { id, found: true, tags } : { id, found: false };
  });
}
