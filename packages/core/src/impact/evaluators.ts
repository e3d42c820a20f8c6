/**
 * One impact evaluator per cloud. `Record<TCloud, …>`: a cloud added to the catalog without an
 * evaluator fails the type check instead of failing a replay.
 */
import type { TCloud } from "../catalog/types.ts";
import { awsImpact } from "./aws.ts";
import { azureImpact } from "./azure.ts";
import { gcpImpact } from "./gcp.ts";
import { ociImpact } from "./oci.ts";
import type { TImpactEvaluator } from "./types.ts";

export const IMPACT_EVALUATORS: { [C in TCloud]: TImpactEvaluator<C> } = {
  aws: awsImpact,
  azure: azureImpact,
  gcp: gcpImpact,
  oci: ociImpact,
};
