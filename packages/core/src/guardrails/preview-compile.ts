import type { TCompiledCloud } from "./guardrails.schema.ts";
import { packAwsPolicies } from "@parapet/providers/aws/packing";
import { buildAzureInitiative, buildGcpNodeArtifacts, buildOciPolicies, LimitError, ociSecurityZonePolicyNames } from "../catalog/index.ts";
import { getControl } from "../catalog/catalog.ts";
import { CatalogError, compileControl } from "../catalog/compile.ts";
import { SCENARIO_FACTS, SCENARIO_GUARDRAIL, SCENARIO_PRINCIPALS } from "../catalog/fixtures.ts";
import { ZConnectionFacts } from "../catalog/principals.ts";
import { runScenarios, type TRawPrincipals } from "../catalog/scenarios.ts";
import { CLOUDS, type TCloud } from "../catalog/types.ts";
import type { Actor, UseCaseDeps } from "../common/actor.ts";
import { notFound } from "../common/errors.ts";
import { connectionCompileBasis } from "../connections/compile-basis.ts";
import { workspaceConnections } from "./guardrails.repository.ts";
import { checkParams } from "./validate-spec.ts";

function artifactsFor(f: ReturnType<typeof compileControl>["fragment"], facts: Record<string, string>, workspaceId: string): unknown[] {
  switch (f.cloud) {
    case "aws": {
      const packed = packAwsPolicies({ workspaceId, targets: [{ targetId: "root", statements: f.attach ? f.statements : [] }] });
      return f.attach ? packed.policies : [{ kind: "aws.audit-only", statements: f.statements }];
    }
    case "azure":
      return [
        buildAzureInitiative(`providers/Microsoft.Management/managementGroups/${facts.rootManagementGroupId}`, [f], {
          workspaceId,
          definitionScope: `providers/Microsoft.Management/managementGroups/${facts.rootManagementGroupId}`,
        }),
      ];
    case "gcp":
      return [buildGcpNodeArtifacts(`organizations/${facts.organizationId}`, [f], workspaceId)];
    case "oci":
      return [
        {
          policies: buildOciPolicies(facts.tenancyOcid!, "tenancy", [f], workspaceId),
          securityZonePolicies: ociSecurityZonePolicyNames([f]),
        },
      ];
  }
}

type Conn = Awaited<ReturnType<typeof workspaceConnections>>[number];

/**
 * A control compiled per cloud with the workspace's own connection facts and principal classes where it
 * has a connection of that cloud, else the catalog's example organisation. Nothing is saved.
 */
export function compileClouds(
  conns: Conn[],
  workspaceId: string,
  controlId: string,
  input: { params: Record<string, unknown>; mode: "audit" | "enforce" },
  only: readonly TCloud[] = CLOUDS,
): { clouds: Partial<Record<TCloud, TCompiledCloud>>; principals: TRawPrincipals } {
  const control = getControl(controlId);
  if (!control) throw notFound("control", controlId.slice(0, 100));
  const principals: TRawPrincipals = {};
  const clouds: Partial<Record<TCloud, TCompiledCloud>> = {};
  for (const cloud of only) {
    const conn = conns.find((c) => c.cloud === cloud && ZConnectionFacts[cloud].safeParse(c.facts).success);
    // A connection compiles on the same basis as its reconcile run; without one, the example organisation.
    const basis = conn ? connectionCompileBasis(conn) : { facts: SCENARIO_FACTS[cloud], principals: SCENARIO_PRINCIPALS[cloud] };
    const facts = basis.facts as Record<string, string>;
    const pr = basis.principals;
    principals[cloud] = pr;
    const base = {
      fidelity: control.clouds[cloud].fidelity,
      ...(control.clouds[cloud].gap ? { gap: control.clouds[cloud].gap } : {}),
      source: conn ? ("connection" as const) : ("example" as const),
    };
    try {
      const c = compileControl(control, {
        cloud,
        mode: input.mode,
        workspaceId,
        guardrail: SCENARIO_GUARDRAIL,
        params: input.params,
        principals: pr,
        facts,
      });
      clouds[cloud] = { ...base, artifacts: artifactsFor(c.fragment, facts, workspaceId) };
    } catch (e) {
      if (!(e instanceof CatalogError) && !(e instanceof LimitError)) throw e;
      clouds[cloud] = { ...base, artifacts: [], error: e.message };
    }
  }
  return { clouds, principals };
}

/** Compiles a control per cloud (compileClouds) and runs its scenarios, without saving anything. */
export async function previewCompile(
  deps: Pick<UseCaseDeps, "prisma">,
  actor: Actor,
  controlId: string,
  input: { params: Record<string, unknown>; mode: "audit" | "enforce"; cloud?: TCloud | undefined },
) {
  const control = getControl(controlId);
  if (!control) throw notFound("control", controlId.slice(0, 100));
  checkParams(controlId, input.params);
  const conns = await workspaceConnections(deps.prisma, actor.workspaceId);
  const { clouds, principals } = compileClouds(conns, actor.workspaceId, controlId, input, input.cloud ? [input.cloud] : CLOUDS);
  const scenarios = (await runScenarios(control, input.params, principals)).filter((s) => !input.cloud || s.cloud === input.cloud);
  return { clouds, scenarios };
}
