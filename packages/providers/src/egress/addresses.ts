import { isIP } from "node:net";

/**
 * Which IP addresses a cloud connection may never reach unless the operator allowlisted the host:
 * everything that is not a public unicast address. A connection's endpoint is chosen by a workspace
 * admin, so without this rule the worker becomes a proxy into its own network (loopback services,
 * the VPC, the instance metadata service that hands out the worker's cloud credentials).
 *
 * Ranges: IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and successors), RFC 1918
 * (private), RFC 6598 (CGNAT 100.64/10), RFC 3927 / RFC 4291 (link-local), RFC 4193 (ULA fc00::/7).
 * Metadata services: 169.254.169.254 (AWS, GCP, Azure, OCI instance metadata), 169.254.170.2 (ECS task
 * credentials), fd00:ec2::254 (AWS IMDS over IPv6) — all inside link-local/ULA, named separately so the
 * log says what was aimed at. IPv6 forms that embed an IPv4 address (IPv4-mapped ::ffff:a.b.c.d,
 * IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the embedded address.
 */

type V4Range = readonly [number, number, number, number, number, string];

const V4_BLOCKED: readonly V4Range[] = [
  [0, 0, 0, 0, 8, "this-network (0.0.0.0/8)"],
  [10, 0, 0, 0, 8, "private (10/8)"],
  [100, 64, 0, 0, 10, "shared CGNAT (100.64/10)"],
  [127, 0, 0, 0, 8, "loopback (127/8)"],
  [169, 254, 0, 0, 16, "link-local (169.254/16)"],
  [172, 16, 0, 0, 12, "private (172.16/12)"],
  [192, 0, 0, 0, 24, "IETF protocol assignments (192.0.0/24)"],
  [192, 0, 2, 0, 24, "documentation (192.0.2/24)"],
  [192, 88, 99, 0, 24, "6to4 relay anycast (192.88.99/24)"],
  [192, 168, 0, 0, 16, "private (192.168/16)"],
  [198, 18, 0, 0, 15, "benchmarking (198.18/15)"],
  [198, 51, 100, 0, 24, "documentation (198.51.100/24)"],
  [203, 0, 113, 0, 24, "documentation (203.0.113/24)"],
  [224, 0, 0, 0, 4, "multicast (224/4)"],
  [240, 0, 0, 0, 4, "reserved (240/4, incl. broadcast)"],
];

const METADATA_V4 = new Set(["169.254.169.254", "169.254.170.2", "169.254.170.23"]);

function v4Bytes(ip: string): number[] | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  const out = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return out.every((n) => Number.isInteger(n) && n >= 0 && n <= 255) ? out : undefined;
}

function v4Reason(b: number[]): string | undefined {
  const dotted = b.join(".");
  if (METADATA_V4.has(dotted)) return `cloud metadata service (${dotted})`;
  const value = ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
  for (const [a, bb, c, d, bits, name] of V4_BLOCKED) {
    const base = ((a << 24) >>> 0) + (bb << 16) + (c << 8) + d;
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    if ((value & mask) >>> 0 === (base & mask) >>> 0) return name;
  }
  return undefined;
}

/** 16 bytes of an IPv6 address (zone id dropped), or undefined when it is not one. */
function v6Bytes(raw: string): number[] | undefined {
  let ip = raw.replace(/^\[|\]$/g, "");
  const zone = ip.indexOf("%");
  if (zone >= 0) ip = ip.slice(0, zone);
  if (isIP(ip) !== 6) return undefined;
  let tail: number[] = [];
  const lastColon = ip.lastIndexOf(":");
  const last = ip.slice(lastColon + 1);
  if (last.includes(".")) {
    const v4 = v4Bytes(last);
    if (!v4) return undefined;
    tail = v4;
    ip = `${ip.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = ip.includes("::") ? ip.split("::") : [ip, undefined];
  const groups = (s: string | undefined) => (s ? s.split(":").filter((g) => g !== "") : []);
  const h = groups(head);
  const r = rest === undefined ? [] : groups(rest);
  const missing = 8 - h.length - r.length;
  const all = rest === undefined ? h : [...h, ...Array<string>(missing).fill("0"), ...r];
  if (all.length !== 8) return undefined;
  const bytes = all.flatMap((g) => {
    const n = parseInt(g, 16);
    return [(n >> 8) & 0xff, n & 0xff];
  });
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

function v6Reason(b: number[]): string | undefined {
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const embedded = (at: number) => v4Reason(b.slice(at, at + 4)) ?? undefined;
  if (zero(0, 15) && b[15] === 0) return "unspecified (::)";
  if (zero(0, 15) && b[15] === 1) return "loopback (::1)";
  // ::ffff:a.b.c.d — the kernel connects to the IPv4 address itself.
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) {
    const r = embedded(12);
    return r ? `IPv4-mapped ${r}` : undefined;
  }
  // ::a.b.c.d (deprecated IPv4-compatible) — never a legitimate destination today.
  if (zero(0, 12)) return "IPv4-compatible (::/96)";
  // NAT64 well-known prefix 64:ff9b::/96 reaches the embedded IPv4 address through the translator.
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12)) {
    const r = embedded(12);
    return r ? `NAT64 ${r}` : undefined;
  }
  if (b[0] === 0x20 && b[1] === 0x02) {
    const r = embedded(2);
    return r ? `6to4 ${r}` : undefined;
  }
  if (b[0] === 0xfd && b[1] === 0x00 && b[2] === 0x0e && b[3] === 0xc2 && zero(4, 14) && b[14] === 0x02 && b[15] === 0x54)
    return "cloud metadata service (fd00:ec2::254)";
  if ((b[0]! & 0xfe) === 0xfc) return "unique local (fc00::/7)";
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return "link-local (fe80::/10)";
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return "site-local (fec0::/10)";
  if (b[0] === 0xff) return "multicast (ff00::/8)";
  if (b[0] === 0x01 && b[1] === 0x00 && zero(2, 8)) return "discard-only (100::/64)";
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8) return "documentation (2001:db8::/32)";
  return undefined;
}

/**
 * Why `ip` may not be connected to, or undefined for a public unicast address. Anything that is not
 * a recognisable IP address is refused too (the caller passes resolved addresses only).
 */
export function blockedAddressReason(ip: string): string | undefined {
  const v4 = isIP(ip) === 4 ? v4Bytes(ip) : undefined;
  if (v4) return v4Reason(v4);
  const v6 = v6Bytes(ip);
  if (v6) return v6Reason(v6);
  return "not an IP address";
}

/** True when `host` is an IP literal (IPv6 with or without brackets). */
export function isIpLiteral(host: string): boolean {
  return isIP(host.replace(/^\[|\]$/g, "").replace(/%.*$/, "")) !== 0;
}
