import { E } from "./errors.ts";
import { RE } from "./ids.ts";
import { type OpDef, typeError, optString, reqId, TARGET_RES, tagsIn, decodeToken, read, write } from "./organizations-api-common.ts";
import { tagsOut } from "./organizations-api-shapes.ts";

/** Tags on roots, OUs, accounts and policies. */
export const TAG_OPERATIONS: Record<string, OpDef> = {
  TagResource: write(({ state }, input) => {
    const id = reqId(input, "ResourceId", [...TARGET_RES, RE.policy], "INVALID_PATTERN");
    if (!Array.isArray(input.Tags) || input.Tags.length === 0) {
      throw E.invalidInput("INPUT_REQUIRED", "You must provide a value for the required parameter Tags.");
    }
    state.tagResource(id, tagsIn(input));
    return { output: {}, responseElements: null };
  }),

  UntagResource: write(({ state }, input) => {
    const id = reqId(input, "ResourceId", [...TARGET_RES, RE.policy], "INVALID_PATTERN");
    const keys = input.TagKeys;
    if (!Array.isArray(keys) || keys.length === 0) {
      throw E.invalidInput("INPUT_REQUIRED", "You must provide a value for the required parameter TagKeys.");
    }
    if (!keys.every((k) => typeof k === "string")) throw typeError("TagKeys", "a list of strings");
    state.untagResource(id, keys);
    return { output: {}, responseElements: null };
  }),

  ListTagsForResource: read(({ state }, input) => {
    const id = reqId(input, "ResourceId", [...TARGET_RES, RE.policy], "INVALID_PATTERN");
    const t = state.target(id) ?? state.policies.get(id);
    if (!t) throw E.targetNotFound(id);
    const tok = optString(input, "NextToken", 100_000);
    if (tok) decodeToken("ListTagsForResource", id, tok);
    // At most 50 tags per resource, so one page always holds them all.
    return { output: { Tags: tagsOut(t.tags) } };
  }),
};
