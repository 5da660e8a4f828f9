// Ethernet, ARP, IPv4, ICMP and TCP frames in JavaScript, for tests that
// play a peer by hand or read what a stack sent: built with correct
// checksums (or whatever a test asks), parsed without judging.

export const ETHERTYPE = { IPV4: 0x0800, ARP: 0x0806 } as const;
export const FLAG = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 } as const;
export const BROADCAST = 0xffff_ffff_ffffn;

export function macBytes(mac: bigint): number[] {
  return [40n, 32n, 24n, 16n, 8n, 0n].map((shift) => Number((mac >> shift) & 0xffn));
}

function readMac(b: Uint8Array, at: number): bigint {
  let mac = 0n;
  for (let i = 0; i < 6; i++) mac = (mac << 8n) | BigInt(b[at + i]);
  return mac;
}

export function checksum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length % 2) sum += bytes[bytes.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

function pseudoSum(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}

function ethernet(dst: bigint, src: bigint, type: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(14 + payload.length);
  frame.set(macBytes(dst), 0);
  frame.set(macBytes(src), 6);
  frame[12] = type >> 8;
  frame[13] = type & 0xff;
  frame.set(payload, 14);
  return frame;
}

export function ipv4(src: number, dst: number, protocol: number, payload: Uint8Array, ttl = 64, id = 0): Uint8Array {
  const packet = new Uint8Array(20 + payload.length);
  const view = new DataView(packet.buffer);
  packet[0] = 0x45;
  view.setUint16(2, packet.length);
  view.setUint16(4, id);
  view.setUint16(6, 0x4000);
  packet[8] = ttl;
  packet[9] = protocol;
  view.setUint32(12, src);
  view.setUint32(16, dst);
  view.setUint16(10, checksum(packet.subarray(0, 20)));
  packet.set(payload, 20);
  return packet;
}

export interface TcpSpec {
  srcMac: bigint; dstMac: bigint; src: number; dst: number; sport: number; dport: number;
  seq: number; ack?: number; flags: number; window?: number; mss?: number; wscale?: number; data?: Uint8Array;
  /** Raw option bytes (a multiple of 4), instead of mss/wscale. */
  options?: number[];
}

export function tcpFrame(s: TcpSpec): Uint8Array {
  let options: number[] = s.options ?? [];
  if (!s.options) {
    if (s.mss !== undefined) options.push(2, 4, s.mss >> 8, s.mss & 0xff);
    if (s.wscale !== undefined) options.push(1, 3, 3, s.wscale);
  }
  const data = s.data ?? new Uint8Array(0);
  const header = 20 + options.length;
  const segment = new Uint8Array(header + data.length);
  const view = new DataView(segment.buffer);
  view.setUint16(0, s.sport);
  view.setUint16(2, s.dport);
  view.setUint32(4, s.seq >>> 0);
  view.setUint32(8, (s.ack ?? 0) >>> 0);
  segment[12] = (header / 4) << 4;
  segment[13] = s.flags;
  view.setUint16(14, s.window ?? 65535);
  segment.set(options, 20);
  segment.set(data, header);
  view.setUint16(16, checksum(segment, pseudoSum(s.src, s.dst, 6, segment.length)));
  return ethernet(s.dstMac, s.srcMac, ETHERTYPE.IPV4, ipv4(s.src, s.dst, 6, segment));
}

export function arpFrame(op: number, senderMac: bigint, senderIp: number, targetMac: bigint, targetIp: number, to = BROADCAST): Uint8Array {
  const packet = new Uint8Array(28);
  const view = new DataView(packet.buffer);
  view.setUint16(0, 1);
  view.setUint16(2, 0x0800);
  packet[4] = 6;
  packet[5] = 4;
  view.setUint16(6, op);
  packet.set(macBytes(senderMac), 8);
  view.setUint32(14, senderIp);
  packet.set(macBytes(targetMac), 18);
  view.setUint32(24, targetIp);
  return ethernet(to, senderMac, ETHERTYPE.ARP, packet);
}

export function icmpEchoFrame(srcMac: bigint, dstMac: bigint, src: number, dst: number, id: number, seq: number, data: Uint8Array): Uint8Array {
  const packet = new Uint8Array(8 + data.length);
  const view = new DataView(packet.buffer);
  packet[0] = 8;
  view.setUint16(4, id);
  view.setUint16(6, seq);
  packet.set(data, 8);
  view.setUint16(2, checksum(packet));
  return ethernet(dstMac, srcMac, ETHERTYPE.IPV4, ipv4(src, dst, 1, packet));
}

export function udpFrame(srcMac: bigint, dstMac: bigint, src: number, dst: number, sport: number, dport: number, data: Uint8Array): Uint8Array {
  const datagram = new Uint8Array(8 + data.length);
  const view = new DataView(datagram.buffer);
  view.setUint16(0, sport);
  view.setUint16(2, dport);
  view.setUint16(4, datagram.length);
  datagram.set(data, 8);
  view.setUint16(6, checksum(datagram, pseudoSum(src, dst, 17, datagram.length)) || 0xffff);
  return ethernet(dstMac, srcMac, ETHERTYPE.IPV4, ipv4(src, dst, 17, datagram));
}

export interface Parsed {
  dst: bigint; src: bigint; type: number;
  arp?: { op: number; senderMac: bigint; senderIp: number; targetMac: bigint; targetIp: number };
  ip?: { src: number; dst: number; protocol: number; ttl: number; headerOk: boolean; payload: Uint8Array };
  tcp?: { sport: number; dport: number; seq: number; ack: number; flags: number; window: number; mss?: number; wscale?: number; data: Uint8Array; checksumOk: boolean };
  icmp?: { type: number; code: number; id: number; seq: number; data: Uint8Array; checksumOk: boolean };
  udp?: { sport: number; dport: number; data: Uint8Array; checksumOk: boolean };
}

export function parseFrame(b: Uint8Array): Parsed {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Parsed = { dst: readMac(b, 0), src: readMac(b, 6), type: view.getUint16(12) };
  if (out.type === ETHERTYPE.ARP) {
    out.arp = { op: view.getUint16(20), senderMac: readMac(b, 22), senderIp: view.getUint32(28), targetMac: readMac(b, 32), targetIp: view.getUint32(38) };
    return out;
  }
  const ihl = (b[14] & 15) * 4;
  const total = view.getUint16(16);
  const payload = b.subarray(14 + ihl, 14 + total);
  const src = view.getUint32(26);
  const dst = view.getUint32(30);
  out.ip = { src, dst, protocol: b[23], ttl: b[22], headerOk: checksum(b.subarray(14, 14 + ihl)) === 0, payload };
  const p = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (b[23] === 6) {
    const header = (payload[12] >> 4) * 4;
    const tcp: Parsed["tcp"] = {
      sport: p.getUint16(0), dport: p.getUint16(2), seq: p.getUint32(4), ack: p.getUint32(8), flags: payload[13],
      window: p.getUint16(14), data: payload.subarray(header), checksumOk: checksum(payload, pseudoSum(src, dst, 6, payload.length)) === 0,
    };
    for (let at = 20; at < header;) {
      const kind = payload[at];
      if (kind === 0) break;
      if (kind === 1) { at++; continue; }
      if (kind === 2) tcp.mss = p.getUint16(at + 2);
      if (kind === 3) tcp.wscale = payload[at + 2];
      at += payload[at + 1];
    }
    out.tcp = tcp;
  } else if (b[23] === 17) {
    const length = p.getUint16(4);
    out.udp = { sport: p.getUint16(0), dport: p.getUint16(2), data: payload.subarray(8, length), checksumOk: checksum(payload.subarray(0, length), pseudoSum(src, dst, 17, length)) === 0 };
  } else if (b[23] === 1) {
    out.icmp = { type: payload[0], code: payload[1], id: p.getUint16(4), seq: p.getUint16(6), data: payload.subarray(8), checksumOk: checksum(payload) === 0 };
  }
  return out;
}
