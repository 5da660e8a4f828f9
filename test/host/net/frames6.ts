// IPv6 and ICMPv6 frames in JavaScript (neighbor discovery and echo), for
// the IPv6 tests that play a router or a neighbor by hand, and a parser for
// what a stack sent. Addresses are 16-byte arrays (`v6("fe80::1")`).

import { checksum, macBytes } from "./frames";

export const ETHERTYPE_IPV6 = 0x86dd;
export const ALL_NODES_MAC = 0x3333_0000_0001n;

/** RFC 4291 text (one "::" at most, no dotted quad) as 16 bytes. */
export function v6(text: string): Uint8Array {
  const [head, tail] = text.includes("::") ? text.split("::") : [text, null];
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((group) => parseInt(group, 16)));
  const first = groups(head);
  const last = tail === null ? [] : groups(tail);
  const all = tail === null ? first : [...first, ...new Array<number>(8 - first.length - last.length).fill(0), ...last];
  if (all.length !== 8 || all.some((group) => !(group >= 0 && group <= 0xffff))) throw new Error(`not an IPv6 address: ${text}`);
  return Uint8Array.from(all.flatMap((group) => [group >> 8, group & 0xff]));
}

/** The link-local address of a MAC (fe80:: and its modified EUI-64). */
export function linkLocalOf(mac: bigint): Uint8Array {
  const m = macBytes(mac);
  return Uint8Array.from([0xfe, 0x80, 0, 0, 0, 0, 0, 0, m[0] ^ 2, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]]);
}

/** The address made of a /64 prefix (its first 8 bytes) and a MAC's identifier. */
export function slaacOf(prefix: Uint8Array, mac: bigint): Uint8Array {
  const address = linkLocalOf(mac);
  address.set(prefix.subarray(0, 8), 0);
  return address;
}

export function solicitedNode(address: Uint8Array): Uint8Array {
  const group = v6("ff02::1:ff00:0");
  group.set(address.subarray(13), 13);
  return group;
}

export function multicastMacOf(group: Uint8Array): bigint {
  return 0x3333_0000_0000n | BigInt(((group[12] << 24) | (group[13] << 16) | (group[14] << 8) | group[15]) >>> 0);
}

export function hex6(address: Uint8Array): string {
  return Array.from({ length: 8 }, (_, i) => ((address[2 * i] << 8) | address[2 * i + 1]).toString(16)).join(":");
}

/** An Ethernet frame carrying an IPv6 packet with an ICMPv6 message (its checksum computed unless `badChecksum`). */
export function icmpv6Frame(
  srcMac: bigint, dstMac: bigint, src: Uint8Array, dst: Uint8Array, message: Uint8Array, hopLimit = 255, badChecksum = false,
): Uint8Array {
  const frame = new Uint8Array(14 + 40 + message.length);
  frame.set(macBytes(dstMac), 0);
  frame.set(macBytes(srcMac), 6);
  frame[12] = ETHERTYPE_IPV6 >> 8;
  frame[13] = ETHERTYPE_IPV6 & 0xff;
  const ip = frame.subarray(14);
  ip[0] = 0x60;
  ip[4] = message.length >> 8;
  ip[5] = message.length & 0xff;
  ip[6] = 58;
  ip[7] = hopLimit;
  ip.set(src, 8);
  ip.set(dst, 24);
  const body = ip.subarray(40);
  body.set(message);
  body[2] = body[3] = 0;
  const pseudo = new Uint8Array(40 + message.length);
  pseudo.set(src, 0);
  pseudo.set(dst, 16);
  pseudo[34] = message.length >> 8;
  pseudo[35] = message.length & 0xff;
  pseudo[39] = 58;
  pseudo.set(body, 40);
  const sum = checksum(pseudo) ^ (badChecksum ? 0x5555 : 0);
  body[2] = sum >> 8;
  body[3] = sum & 0xff;
  return frame;
}

const macOption = (type: number, mac: bigint) => [type, 1, ...macBytes(mac)];

export interface RouterAdvertisement {
  routerMac: bigint;
  router: Uint8Array;
  prefix?: Uint8Array;
  prefixLength?: number;
  autonomous?: boolean;
  routerLifetime?: number;
  validLifetime?: number;
  preferredLifetime?: number;
  /** Sent to this address (all nodes by default) and MAC. */
  to?: Uint8Array;
  toMac?: bigint;
}

export function routerAdvertisement(ra: RouterAdvertisement): Uint8Array {
  const lifetime = ra.routerLifetime ?? 1800;
  const message = [134, 0, 0, 0, 64, 0, lifetime >> 8, lifetime & 0xff, 0, 0, 0, 0, 0, 0, 0, 0, ...macOption(1, ra.routerMac)];
  if (ra.prefix) {
    const valid = ra.validLifetime ?? 86400;
    const preferred = ra.preferredLifetime ?? 14400;
    const u32 = (value: number) => [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
    message.push(3, 4, ra.prefixLength ?? 64, 0x80 | (ra.autonomous === false ? 0 : 0x40), ...u32(valid), ...u32(preferred), 0, 0, 0, 0, ...ra.prefix);
  }
  return icmpv6Frame(ra.routerMac, ra.toMac ?? ALL_NODES_MAC, ra.router, ra.to ?? v6("ff02::1"), Uint8Array.from(message));
}

export function neighborSolicitation(srcMac: bigint, src: Uint8Array, target: Uint8Array, nonce?: number[]): Uint8Array {
  const group = solicitedNode(target);
  const probe = src.every((byte) => byte === 0);
  const options = probe ? (nonce ? [14, 1, ...nonce] : []) : macOption(1, srcMac);
  return icmpv6Frame(srcMac, multicastMacOf(group), src, group, Uint8Array.from([135, 0, 0, 0, 0, 0, 0, 0, ...target, ...options]));
}

export function neighborAdvertisement(srcMac: bigint, dstMac: bigint, src: Uint8Array, dst: Uint8Array, target: Uint8Array, flags: number): Uint8Array {
  return icmpv6Frame(srcMac, dstMac, src, dst, Uint8Array.from([136, 0, 0, 0, flags, 0, 0, 0, ...target, ...macOption(2, srcMac)]));
}

export function echoRequest6(srcMac: bigint, dstMac: bigint, src: Uint8Array, dst: Uint8Array, id: number, seq: number, data: Uint8Array): Uint8Array {
  return icmpv6Frame(srcMac, dstMac, src, dst, Uint8Array.from([128, 0, 0, 0, id >> 8, id & 0xff, seq >> 8, seq & 0xff, ...data]), 64);
}

/** An IPv6 frame carrying TCP (6) or UDP (17), read back: its addresses, next header, payload and whether its checksum holds; null for anything else. */
export function parseTransport6(b: Uint8Array): { src: Uint8Array; dst: Uint8Array; next: number; payload: Uint8Array; checksumOk: boolean } | null {
  if (b.length < 54 || ((b[12] << 8) | b[13]) !== ETHERTYPE_IPV6 || (b[20] !== 6 && b[20] !== 17)) return null;
  const length = (b[18] << 8) | b[19];
  const payload = b.slice(54, 54 + length);
  const src = b.slice(22, 38);
  const dst = b.slice(38, 54);
  return { src, dst, next: b[20], payload, checksumOk: checksum(pseudoHeader6(src, dst, b[20], payload)) === 0 };
}

/** The pseudo-header (RFC 8200 8.1) followed by the payload: what an upper-layer checksum covers. */
function pseudoHeader6(src: Uint8Array, dst: Uint8Array, next: number, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(40 + payload.length);
  bytes.set(src, 0);
  bytes.set(dst, 16);
  bytes[34] = payload.length >> 8;
  bytes[35] = payload.length & 0xff;
  bytes[39] = next;
  bytes.set(payload, 40);
  return bytes;
}

/** A UDP datagram over IPv6; `checksummed` false leaves its checksum 0 (which IPv6 forbids). */
export function udp6Frame(srcMac: bigint, dstMac: bigint, src: Uint8Array, dst: Uint8Array, sport: number, dport: number, data: Uint8Array, checksummed = true): Uint8Array {
  const udp = Uint8Array.from([sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, (8 + data.length) >> 8, (8 + data.length) & 0xff, 0, 0, ...data]);
  if (checksummed) {
    const sum = checksum(pseudoHeader6(src, dst, 17, udp)) || 0xffff;
    udp[6] = sum >> 8;
    udp[7] = sum & 0xff;
  }
  const frame = new Uint8Array(54 + udp.length);
  frame.set([...macBytes(dstMac), ...macBytes(srcMac), 0x86, 0xdd, 0x60, 0, 0, 0, udp.length >> 8, udp.length & 0xff, 17, 64], 0);
  frame.set(src, 22);
  frame.set(dst, 38);
  frame.set(udp, 54);
  return frame;
}

export interface Parsed6 {
  dstMac: bigint;
  srcMac: bigint;
  src: Uint8Array;
  dst: Uint8Array;
  hopLimit: number;
  type: number;
  /** ND: the target address; echo: null. */
  target: Uint8Array | null;
  /** Options by type (ND only). */
  options: Map<number, Uint8Array>;
  checksumOk: boolean;
  message: Uint8Array;
}

/** An IPv6 frame carrying ICMPv6, read back; null for anything else. */
export function parseFrame6(b: Uint8Array): Parsed6 | null {
  if (b.length < 54 || ((b[12] << 8) | b[13]) !== ETHERTYPE_IPV6 || b[20] !== 58) return null;
  const mac = (at: number) => b.subarray(at, at + 6).reduce((value, byte) => (value << 8n) | BigInt(byte), 0n);
  const length = (b[18] << 8) | b[19];
  const message = b.subarray(54, 54 + length);
  const src = b.slice(22, 38);
  const dst = b.slice(38, 54);
  const pseudo = new Uint8Array(40 + length);
  pseudo.set(src, 0);
  pseudo.set(dst, 16);
  pseudo[34] = length >> 8;
  pseudo[35] = length & 0xff;
  pseudo[39] = 58;
  pseudo.set(message, 40);
  const type = message[0];
  const nd = type >= 135 && type <= 136;
  const options = new Map<number, Uint8Array>();
  const first = type === 133 ? 8 : type === 134 ? 16 : nd ? 24 : length;
  for (let at = first; at + 2 <= length && message[at + 1] > 0; at += message[at + 1] * 8) options.set(message[at], message.slice(at + 2, at + message[at + 1] * 8));
  return {
    dstMac: mac(0), srcMac: mac(6), src, dst, hopLimit: b[21], type, target: nd ? message.slice(8, 24) : null, options,
    checksumOk: checksum(pseudo) === 0, message,
  };
}
