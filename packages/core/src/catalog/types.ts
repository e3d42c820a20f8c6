import type { TAwsBoundStatement } from "@parapet/providers/aws/packing";
import type { TGcpCustomConstraint, TGcpDenyRule } from "@parapet/providers/gcp/types";
import type { z } from "zod";
import type { TAzurePolicyPart } from "@parapet/providers/azure/packing";
import type { TGcpConstraintPart } from "@parapet/providers/gcp/packing";
import type { TOciStatementPart } from "@parapet/providers/oci/packing";

export type { TAzurePolicyPart, TGcpConstraintPart, TOciStatementPart };
import type { TConnectionFactsByCloud, TPrincipalClassesByCloud } from "./principals.ts";
import { CLOUDS as WIRE_CLOUDS } from "../common/wire.schema.ts";

export type TCloud = "aws" | "azure" | "gcp" | "oci";
/** The same list the API contract names (common/wire.schema.ts). */
export const CLOUDS: readonly TCloud[] = WIRE_CLOUDS;

/**
 * How faithfully a cloud expresses a control: `enforced` native prevention; `partial` prevention with
 * a documented gap; `detective` reported, not prevented; `unsupported` nothing native exists.
 */
export type TFidelity = "enforced" | "partial" | "detective" | "unsupported";

/**
 * `enforce` blocks. `audit` shows what would be blocked without blocking:
 * - Azure: the assignment gets `enforcementMode: DoNotEnforce` (compliance is still evaluated);
 * - GCP: org-policy rules go to `dryRunSpec`; IAM deny policies have no dry run, so their rules
 *   are compiled and shown but not attached (`attach: false`);
 * - AWS and OCI have no native audit mode: artifacts are compiled, packed and shown but not
 *   attached (`attach: false`), and coverage reports the guardrail as `audit`.
 */
export type TGuardrailMode = "audit" | "enforce";

type TControlCategory = "identity" | "data-protection" | "logging" | "network" | "organization" | "resilience";

/** Everything a compiler may know. Compilers are pure: no I/O, no clock, no randomness. */
export interface TCompileContext<C extends TCloud = TCloud> {
  cloud: C;
  mode: TGuardrailMode;
  workspaceId: string;
  guardrail: { id: string; version: number };
  principals: TPrincipalClassesByCloud[C];
  facts: TConnectionFactsByCloud[C];
  /**
   * Principals spared from this guardrail by an approved exemption (sorted, distinct): AWS role/user ARNs,
   * GCP `principal://` ids, OCI user/instance OCIDs. Azure Policy cannot condition on the caller: empty.
   */
  exemptPrincipals: readonly string[];
  /** Labels of the nodes the guardrail targets, when a compiler needs them (e.g. the prod tag value). */
  targetLabels?: Readonly<Record<string, string>>;
}

/** AWS: statements destined for SCPs or RCPs; Sids are stable (guardrail id + control + purpose). */
export interface TAwsFragment {
  cloud: "aws";
  guardrailId: string;
  /** False in audit mode: compiled and shown, never attached. */
  attach: boolean;
  statements: TAwsBoundStatement[];
}

/** One Azure policy of a guardrail, with the values its initiative reference passes. */
export interface TAzureFragment {
  cloud: "azure";
  guardrailId: string;
  /** `DoNotEnforce` in audit mode. */
  enforcementMode: "Default" | "DoNotEnforce";
  policies: TAzurePolicyPart[];
}

export interface TGcpFragment {
  cloud: "gcp";
  guardrailId: string;
  /** Rules go to `dryRunSpec` instead of `spec` (audit mode). */
  dryRun: boolean;
  orgPolicies: TGcpConstraintPart[];
  /** Custom constraints to define at the organization (names are relative: `customConstraints/custom.…`). */
  customConstraints: TGcpCustomConstraint[];
  /** False in audit mode (deny policies have no dry run). */
  attachDenyRules: boolean;
  denyRules: { description: string; denyRule: TGcpDenyRule }[];
}

export interface TOciFragment {
  cloud: "oci";
  guardrailId: string;
  attach: boolean;
  statements: TOciStatementPart[];
  /** Security-zone policy names as the console shows them, e.g. `deny public_buckets`. */
  securityZonePolicies: string[];
}

export interface TFragmentByCloud {
  aws: TAwsFragment;
  azure: TAzureFragment;
  gcp: TGcpFragment;
  oci: TOciFragment;
}
export type TFragment = TFragmentByCloud[TCloud];

/** One cloud's implementation of a control. */
interface TCloudCompiler<C extends TCloud, P> {
  fidelity: TFidelity;
  /** Required unless `enforced`: one sentence saying exactly what is not covered. */
  gap?: string;
  /**
   * Where the cloud behaviour this compiler relies on is documented (API reference, policy-language
   * doc, service authorization reference, built-in policy), as `title — URL` strings. The generated
   * fidelity document lists them per control and cloud, so a claim can be checked against its source.
   */
  sources?: string[];
  compile(params: P, ctx: TCompileContext<C>): TFragmentByCloud[C];
}

interface TFrameworkRef {
  framework: "CIS AWS 3.0" | "CIS Azure 2.1" | "CIS GCP 3.0" | "CIS OCI 2.0" | "NIST 800-53 r5";
  ref: string;
}

/** Who a scenario acts as; resolved per cloud from the connection's principal classes. */
export type TScenarioActor =
  | "agent"
  | "mcp-server"
  | "non-prod"
  | "human"
  | "admin"
  | "connector"
  | "break-glass"
  | "root"
  | "external"
  /** A role of another organisation's account named exactly like this connection's break-glass role. */
  | "external-break-glass"
  /** A role of another organisation's account named exactly like this connection's connector role. */
  | "external-connector";

/**
 * An executable expectation, shown in the UI as the guardrail's proof.
 * - `aws-simulate`: evaluated with an IAM policy simulator against the compiled SCPs/RCPs.
 * - `gcp-cel`: a custom constraint's CEL evaluated against a resource.
 * - `azure-policy`: an ARM request (write or delete of a resource payload) evaluated against the
 *   compiled Azure policy rules (azure-eval.ts).
 * - `gcp-request`: a call as Cloud Audit Logs records it, judged by the GCP impact evaluator
 *   (impact/gcp.ts) against the compiled deny rules and organization policies.
 * - `oci-request`: an OCI API call by an actor, judged by the OCI impact evaluator.
 * - `structure`: an assertion on the compiled artifacts where no evaluator exists.
 */
export type TScenario<P> =
  | {
      kind: "aws-simulate";
      cloud: "aws";
      name: string;
      actor: TScenarioActor;
      action: string;
      resource: string;
      /** Whether the request lands in an account where the guardrail is attached (default true). */
      inScope?: boolean;
      /** Extra request context (e.g. `aws:RequestedRegion`, `aws:TagKeys`). */
      context?: Record<string, string | string[]>;
      /** Adds a resource policy allowing everyone, to model cross-account/public access paths. */
      openResourcePolicy?: boolean;
      /** S3 only: ABAC is enabled on the bucket, so AWS evaluates its tags as `aws:ResourceTag`. */
      bucketAbac?: boolean;
      expect: "allowed" | "denied";
    }
  | {
      kind: "gcp-cel";
      cloud: "gcp";
      name: string;
      /** Suffix of the custom constraint this control defines (the part after the workspace prefix). */
      constraint: string;
      resource: Record<string, unknown>;
      expect: "allowed" | "denied";
    }
  | {
      kind: "gcp-request";
      cloud: "gcp";
      name: string;
      actor: TScenarioActor;
      /** The IAM permission the call checks, as Cloud Audit Logs records it: `storage.buckets.delete`. */
      permission: string;
      /** Full resource name: `//storage.googleapis.com/projects/_/buckets/prod-data`. */
      resource: string;
      /** The request as the entry's `protoPayload.request` records it (org policies and custom constraints read it). */
      request?: Record<string, unknown>;
      /** `protoPayload.resourceLocation.currentLocations[0]`, e.g. `us-east1`. */
      location?: string;
      /** Tags bound to the resource, short key → value (namespaced under the organization). Not in audit logs. */
      resourceTags?: Record<string, string>;
      expect: "allowed" | "denied";
    }
  | {
      kind: "azure-policy";
      cloud: "azure";
      name: string;
      /** `write` is a PUT/PATCH (deny effects); `delete` a DELETE (denyAction). */
      action: "write" | "delete";
      /** The ARM resource as the request carries it: type, location, tags, properties. */
      resource: Record<string, unknown>;
      /** Tags of the resource group the resource is in (for `resourceGroup().tags`). */
      resourceGroupTags?: Record<string, string>;
      expect: "allowed" | "denied";
    }
  | {
      /**
       * An OCI API call judged by the OCI impact evaluator (impact/oci.ts) against the compiled deny
       * statements and Security Zone policies — the same evaluator that replays the Audit log.
       */
      kind: "oci-request";
      cloud: "oci";
      name: string;
      actor: TScenarioActor;
      /** The API operation as Audit names it (`DeleteBucket`); its permission comes from OCI_OPERATIONS. */
      operation: string;
      /** Whether the call lands in a compartment the guardrail attaches to (default true). */
      inScope?: boolean;
      /** Region identifier the call is made in (default `eu-frankfurt-1`). */
      region?: string;
      /** Request variables the call carries beyond the operation's (e.g. `target.tag-namespace.name`). */
      context?: Record<string, string | string[]>;
      /** The resulting resource's properties (what a Security Zone policy tests), e.g. `publicAccessType`. */
      resource?: Record<string, unknown>;
      expect: "allowed" | "denied";
    }
  | {
      kind: "structure";
      cloud: TCloud;
      name: string;
      /** Returns failure reasons; empty means the expectation holds. */
      check(fragment: TFragment, ctx: TCompileContext, params: P): string[];
    };

/**
 * A catalog entry: one security intent, four compilers, executable proof.
 * `id` is kebab-case and stable forever (guardrails reference it).
 */
export interface TControl<S extends z.ZodType = z.ZodType> {
  id: string;
  title: string;
  /** One paragraph a non-engineer understands. */
  rationale: string;
  category: TControlCategory;
  /** Parameters with safe defaults: `params.parse({})` must succeed. Every string bounded. */
  params: S;
  frameworks: TFrameworkRef[];
  clouds: { [C in TCloud]: TCloudCompiler<C, z.output<S>> };
  scenarios: TScenario<z.output<S>>[];
  /**
   * Scenarios that depend on the guardrail's parameters (e.g. one per denied managed policy), so a
   * guardrail whose parameters narrow the control is proven against what it actually compiles.
   */
  scenariosFor?: (params: z.output<S>) => TScenario<z.output<S>>[];
}

/** Every scenario of a control for the given (parsed) parameters. */
export function scenariosOf<S extends z.ZodType>(control: TControl<S>, params: z.output<S>): TScenario<z.output<S>>[] {
  return [...control.scenarios, ...(control.scenariosFor?.(params) ?? [])];
}

/** Helper so each control file gets its params type inferred. */
export function defineControl<S extends z.ZodType>(control: TControl<S>): TControl<S> {
  for (const cloud of ["aws", "azure", "gcp", "oci"] as const) {
    const c = control.clouds[cloud];
    if (c.fidelity !== "enforced" && !c.gap) {
      throw new Error(`control ${control.id}: ${cloud} is ${c.fidelity} but has no gap sentence`);
    }
  }
  return control;
}
