/**
 * Names that other people read in places Parapet does not fully control: a workspace's name and a
 * person's name go into invitation e-mail subjects and bodies ("Dana invited you to Acme on
 * Parapet"), so a stranger could otherwise write "Your account is locked, call +1…" or a look-alike
 * sender line into a mail that Parapet sends. Letters (any script), digits, spaces and a little
 * punctuation, bounded in length; no URLs-looking text (":" "/" "@"), no control characters.
 */
import { z } from "zod";

const SAFE_NAME = /^[\p{L}\p{N}](?:[\p{L}\p{M}\p{N} .,&'()_-]*[\p{L}\p{M}\p{N}.)])?$/u;

const WORKSPACE_NAME_MAX = 64;
const PERSON_NAME_MAX = 80;

const safeName = (what: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, `${what} must not be empty`)
    .max(max, `${what} must be at most ${max} characters`)
    .refine((v) => SAFE_NAME.test(v) && !/\s{2,}/.test(v), `${what} may contain letters, digits, spaces and . , & ' ( ) _ - only`);

export const ZWorkspaceName = safeName("name", WORKSPACE_NAME_MAX);
export const ZPersonName = safeName("name", PERSON_NAME_MAX);

/**
 * For text already stored before names were restricted: control characters and line breaks out,
 * whitespace collapsed, cut to length. Used where a name goes into a mail header.
 */
export function mailSafe(text: string, max = WORKSPACE_NAME_MAX): string {
  const flat = text
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
