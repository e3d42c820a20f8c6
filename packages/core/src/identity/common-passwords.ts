/**
 * The breached/common-password check for new passwords. The list is Mozilla's
 * `fxa-common-password-list` (MPL-2.0; the 50,000 most common passwords of 8+ characters in the
 * OWASP SecLists "10 million passwords" top-1M list, which Firefox Accounts refuses), bundled from
 * the npm package so no lookup leaves the machine. Compared as typed and lower-cased ("Password123!"
 * style capitalisation adds nothing against a guessing list).
 */
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the package ships no types; this brings its declaration along into every program that compiles this file (apps/web too)
/// <reference path="./fxa-common-password-list.d.ts" />
import list from "fxa-common-password-list";

export function isCommonPassword(password: string): boolean {
  return list.test(password) || list.test(password.toLowerCase());
}
