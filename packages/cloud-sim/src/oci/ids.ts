import { randomString } from "../common/rng.ts";

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
const HEX = "0123456789ABCDEF";

/**
 * OCIDs look like `ocid1.<resource-type>.oc1.[region].<unique>`; the unique part of a real commercial-realm
 * OCID is 60 lowercase base32 characters starting with "aaaaaaaa". Region-less resources (IAM, Cloud Guard
 * policies) leave the region empty, hence the double dot.
 */
export function makeOcid(rand: () => number, type: string, region = ""): string {
  return `ocid1.${type}.oc1.${region}.aaaaaaaa${randomString(rand, 52, BASE32)}`;
}

/** OCI etags are opaque; real ones are 64 hex characters. */
export function makeEtag(rand: () => number): string {
  return randomString(rand, 64, "0123456789abcdef");
}

/** `opc-request-id` as OCI returns it: the caller's id (or a fresh one), then two server hops. */
export function makeRequestId(rand: () => number, clientId?: string): string {
  const hop = (): string => randomString(rand, 32, HEX);
  const first = clientId && /^[\x21-\x7e]{1,98}$/.test(clientId) ? clientId : randomString(rand, 32, "0123456789abcdef");
  return `${first}/${hop()}/${hop()}`;
}

export function makeUuid(rand: () => number): string {
  const h = randomString(rand, 32, "0123456789abcdef");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}
