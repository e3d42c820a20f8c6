import type { OpDef } from "./organizations-api-common.ts";
import { HIERARCHY_OPERATIONS } from "./organizations-api-hierarchy.ts";
import { POLICY_OPERATIONS } from "./organizations-api-policies.ts";
import { TAG_OPERATIONS } from "./organizations-api-tags.ts";

/**
 * The Organizations operations the simulator answers: input validation in the API's own terms
 * (InvalidInputException reasons, SerializationException for wrong JSON types), the call on OrgState, and
 * the response in the JSON 1.1 shape the SDK deserialises (timestamps as epoch seconds).
 *
 * By part: organizations-api-common.ts (operation types, input helpers, paging),
 * organizations-api-shapes.ts (response shapes), organizations-api-hierarchy.ts (organization, roots,
 * OUs, accounts), organizations-api-policies.ts (policy types, policies, attachments),
 * organizations-api-tags.ts.
 */

export type { Input, OpContext, Output } from "./organizations-api-common.ts";
export { lowerKeys } from "./organizations-api-common.ts";

export const OPERATIONS: Record<string, OpDef> = {
  ...HIERARCHY_OPERATIONS,
  ...POLICY_OPERATIONS,
  ...TAG_OPERATIONS,
};
