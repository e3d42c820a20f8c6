// Org Policy v2, by part: orgpolicy-common.ts (names, enums, constraint lookup, wire form),
// orgpolicy-validate.ts (policy bodies and update masks), orgpolicy-effective.ts (hierarchy evaluation),
// orgpolicy-policies.ts (constraints and policies, API and out-of-band), orgpolicy-custom-constraints.ts.
export {
  adminDeletePolicy,
  adminDryRunOnly,
  adminPutPolicy,
  createPolicy,
  deletePolicy,
  getEffectivePolicy,
  getPolicy,
  listConstraints,
  listPolicies,
  updatePolicy,
} from "./orgpolicy-policies.ts";
export {
  createCustomConstraint,
  deleteCustomConstraint,
  getCustomConstraint,
  listCustomConstraints,
  updateCustomConstraint,
} from "./orgpolicy-custom-constraints.ts";
