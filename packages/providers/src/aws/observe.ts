import { ListPoliciesForTargetCommand, type PolicyType } from "@aws-sdk/client-organizations";
import { mapLimit, settleAll } from "../common/concurrency.ts";
import type { ArtifactKind, ObservedState, ObserveRequest } from "../contract/types.ts";
import { awsPolicyBodyFromCloud, type TAwsObservedPolicy } from "./compare.ts";
import { AWS_KINDS, isCode, KIND_TYPE, reasonOf, type AwsContext } from "./context.ts";
import { AWS_NAME_PREFIX, awsOwnerTags, isOwnedByWorkspaceAws } from "./markers.ts";
import { AWS_POLICY_TYPE_API_NAME, type TAwsPolicyType } from "./types.ts";

type Expected = ObserveRequest["expected"][number];

/**
 * Reads Parapet's SCPs/RCPs and their attachments: per policy DescribePolicy + ListTargetsForPolicy.
 *
 * Which policies: by recorded id when every expected artifact has one (steady state). The
 * ListPolicies sweep (paged, names filtered here: the API has no name filter) runs only when some
 * expected artifact has no id yet (first deploy, adoption) or the caller asks for it (`sweep`), and
 * then also finds anything named with this workspace's prefix (an orphan of a crash between
 * CreatePolicy and recording it). A recorded id that no longer exists is simply missing.
 *
 * Foreign slots: ListPoliciesForTarget only on requested targets where an expected artifact is not
 * attached yet, i.e. where applying could take a new slot. A target whose expected policies are all
 * attached already holds them within AWS's limit, and packing uses free slots only to refuse, never
 * to lay documents out differently, so its occupancy cannot change the plan.
 *
 * Steady-state calls: Σ_owned (1 + ⌈targets/20⌉) — two per owned policy, whatever the number of
 * accounts. On top when needed: ⌈SCPs/20⌉ + ⌈RCPs/20⌉ for the sweep, a tag read per policy whose
 * ownership is not established (see class comment), Σ_new-targets Σ_types ⌈policies on target/20⌉.
 */
export async function observeAws(ctx: AwsContext, req: ObserveRequest): Promise<ObservedState> {
  const state: ObservedState = { artifacts: [], foreignSlots: {}, unreadable: [] };
  const expected = req.expected.filter((e) => KIND_TYPE[e.kind] !== undefined);
  const byId = new Map<string, Expected>();
  const byName = new Map<string, Expected>();
  for (const e of expected) {
    if (e.externalId) byId.set(e.externalId, e);
    byName.set(`${e.kind}|${e.name}`, e);
  }

  const candidates = new Map<string, { kind: ArtifactKind; name: string }>();
  for (const [id, e] of byId) candidates.set(id, { kind: e.kind, name: e.name });
  const sweep = req.sweep === true || expected.some((e) => !e.externalId);
  if (sweep) {
    await Promise.all(
      (["SCP", "RCP"] as const).map(async (type) => {
        const kind = AWS_KINDS[type];
        try {
          for (const s of await ctx.listPolicies(type)) {
            if (!s.Id || !s.Name || s.AwsManaged) continue;
            if (byId.has(s.Id) || byName.has(`${kind}|${s.Name}`) || s.Name.startsWith(ctx.wsPrefix))
              candidates.set(s.Id, { kind, name: s.Name });
          }
        } catch (e) {
          for (const x of expected)
            if (x.kind === kind && !x.externalId) state.unreadable.push({ kind, name: x.name, reason: reasonOf(e) });
        }
      }),
    );
  }

  const ownedIds = new Set<string>();
  await mapLimit([...candidates.entries()], ctx.concurrency, async ([id, c]) => {
    const recorded = byId.get(id)?.kind === c.kind || ctx.verifiedOwned.has(id);
    try {
      const [p, targets, tags] = await settleAll([
        ctx.describePolicy(id),
        ctx.listTargets(id),
        recorded ? Promise.resolve(undefined) : ctx.listTags(id),
      ] as const);
      // The recorded kind is a claim; the cloud's type is the fact.
      const kind = AWS_KINDS[p.type];
      const owned = !p.awsManaged && (tags ? isOwnedByWorkspaceAws({ name: p.name, tags }, ctx.ws) : p.name.startsWith(AWS_NAME_PREFIX));
      if (tags) {
        if (owned) ctx.verifiedOwned.add(id);
        else ctx.verifiedOwned.delete(id);
      }
      if (owned) ownedIds.add(id);
      // Without a fresh tag read the tags shown are the marker Parapet wrote when it created the policy.
      const body: TAwsObservedPolicy = awsPolicyBodyFromCloud({ ...p, tags: tags ?? awsOwnerTags(ctx.ws) });
      state.artifacts.push({ kind, name: p.name, externalId: id, body, attachments: [...new Set(targets)].sort(), owned });
    } catch (e) {
      // Deleted (between the listing and the read, or since Parapet recorded its id): it is missing,
      // which is a fact, not a failed read.
      if (isCode(e, "PolicyNotFoundException")) return;
      state.unreadable.push({ kind: c.kind, name: c.name, reason: reasonOf(e) });
    }
  });
  state.artifacts.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  // Targets where applying could take a slot: an expected artifact wants to be attached there and
  // is not (new attachment, new policy, or an out-of-band detach to repair).
  const attachedNow = new Set<string>();
  for (const a of state.artifacts) if (a.owned) for (const t of a.attachments) attachedNow.add(`${a.kind}|${a.name}|${t}`);
  const unreadableNames = new Set(state.unreadable.filter((u) => u.name).map((u) => `${u.kind}|${u.name}`));
  const typesAt = new Map<string, Set<TAwsPolicyType>>();
  for (const e of expected) {
    for (const t of e.attachments ?? []) {
      if (attachedNow.has(`${e.kind}|${e.name}|${t}`)) continue;
      // Unknown whether it is attached: no write will be planned from that read, so no slot either.
      if (unreadableNames.has(`${e.kind}|${e.name}`)) continue;
      typesAt.set(t, (typesAt.get(t) ?? new Set()).add(KIND_TYPE[e.kind]!));
    }
  }
  const targets = [...new Set(req.targets ?? [])].filter((t) => typesAt.has(t)).sort();
  const jobs = targets.flatMap((t) => [...typesAt.get(t)!].sort().map((type) => ({ t, type })));
  const failed = new Set<string>();
  await mapLimit(jobs, ctx.concurrency, async ({ t, type }) => {
    try {
      const attached = await ctx.paged("ListPoliciesForTarget", async (NextToken) => {
        const r = await ctx.clients.org.send(
          new ListPoliciesForTargetCommand({
            TargetId: t,
            Filter: AWS_POLICY_TYPE_API_NAME[type] as PolicyType,
            MaxResults: ctx.pageSize,
            NextToken,
          }),
        );
        return { items: r.Policies, next: r.NextToken };
      });
      const foreign = attached.filter((p) => p.Id && !ownedIds.has(p.Id)).length;
      (state.foreignSlots[t] ??= {})[AWS_KINDS[type]] = foreign;
    } catch (e) {
      // RCPs not enabled: nothing of that type can be attached there, so no slot is taken either.
      if (type === "RCP" && isCode(e, "PolicyTypeNotEnabledException")) return;
      if (!failed.has(t)) state.unreadable.push({ target: t, reason: reasonOf(e) });
      failed.add(t);
    }
  });
  for (const t of failed) delete state.foreignSlots[t];
  return state;
}
