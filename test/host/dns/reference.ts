// A second reading of DNS replies, in Node, written from RFC 1035 and
// docs/dns.md rather than from the kernel's code: the oracle the
// robustness tests hold kernel/net/dns-message.ts to on every corrupted and
// truncated reply. It follows the documented order of checks, so that the
// two agree on which refusal a malformed reply gets, not only that it is
// refused.

import { DNS_ERROR as E } from "./client";

export interface Expected {
  result: number;
  addresses: Uint8Array[];
  ttls: number[];
  ttl: number;
  negativeTtl: number;
  aliases: number;
}

class Refused {
  constructor(readonly code: number) {}
}

const fail = (code: number): never => {
  throw new Refused(code);
};

/** The wire form of `name` lowercased, as an array of labels. */
function labelsOf(name: string): string[] {
  return name.replace(/\.$/, "").split(".").map((label) => label.toLowerCase());
}

const lower = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1").replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Reads a name: its labels (lowercased) and the offset past it. */
function readName(m: Uint8Array, at: number): { labels: string[]; end: number } {
  const labels: string[] = [];
  let end = -1;
  let bytes = 0;
  let hops = 0;
  for (;;) {
    if (at >= m.length) fail(E.NAME_RUNS_OFF);
    const length = m[at];
    if (length === 0) return { labels, end: end >= 0 ? end : at + 1 };
    if ((length & 0xc0) === 0xc0) {
      if (at + 1 >= m.length) fail(E.NAME_RUNS_OFF);
      const target = ((length & 0x3f) << 8) | m[at + 1];
      if (target >= at) fail(E.POINTER_FORWARD);
      if (++hops > 32) fail(E.POINTER_LOOP);
      if (end < 0) end = at + 2;
      at = target;
      continue;
    }
    if (length & 0xc0) fail(E.LABEL_TYPE);
    if (at + 1 + length > m.length) fail(E.NAME_RUNS_OFF);
    if (bytes + 1 + length + 1 > 255) fail(E.REPLY_NAME_TOO_LONG);
    labels.push(lower(m.subarray(at + 1, at + 1 + length)));
    bytes += 1 + length;
    at += 1 + length;
  }
}

interface Record {
  owner: string;
  type: number;
  klass: number;
  ttl: number;
  data: number;
  target: string;
  end: number;
}

const u16 = (m: Uint8Array, at: number) => (m[at] << 8) | m[at + 1];
const u32 = (m: Uint8Array, at: number) => ((m[at] << 24) >>> 0) + (m[at + 1] << 16) + (m[at + 2] << 8) + m[at + 3];
const seconds = (ttl: number) => (ttl >= 0x8000_0000 ? 0 : ttl);

function readRecord(m: Uint8Array, at: number): Record {
  const owner = readName(m, at);
  const f = owner.end;
  if (f + 10 > m.length) fail(E.RECORD_RUNS_OFF);
  const type = u16(m, f);
  const klass = u16(m, f + 2);
  const rdlength = u16(m, f + 8);
  const end = f + 10 + rdlength;
  if (end > m.length) fail(E.RDATA_RUNS_OFF);
  let target = "";
  if (klass === 1 && (type === 1 || type === 28)) {
    if (rdlength !== (type === 1 ? 4 : 16)) fail(E.RDATA_LENGTH);
  } else if (type === 5) {
    const name = readName(m, f + 10);
    if (name.end !== end) fail(E.RDATA_LENGTH);
    target = JSON.stringify(name.labels);
  } else if (type === 6) {
    const mname = readName(m, f + 10);
    const rname = readName(m, mname.end);
    if (rname.end + 20 !== end) fail(E.RDATA_LENGTH);
  }
  return { owner: JSON.stringify(owner.labels), type, klass, ttl: seconds(u32(m, f + 4)), data: f + 10, target, end };
}

function readReply(m: Uint8Array, id: number, name: string, type: number): Expected {
  const out: Expected = { result: 0, addresses: [], ttls: [], ttl: 0, negativeTtl: -1, aliases: 0 };
  if (m.length < 12) fail(E.REPLY_TOO_SHORT);
  const flags = u16(m, 2);
  if (!(flags & 0x8000)) fail(E.NOT_A_REPLY);
  if (u16(m, 0) !== id) fail(E.WRONG_ID);
  if ((flags >> 11) & 0xf) fail(E.BAD_OPCODE);
  if (u16(m, 4) !== 1) fail(E.QUESTION_COUNT);
  const question = readName(m, 12);
  const q = question.end;
  if (q + 4 > m.length) fail(E.QUESTION_RUNS_OFF);
  const ours = JSON.stringify(labelsOf(name));
  if (JSON.stringify(question.labels) !== ours || u16(m, q) !== type || u16(m, q + 2) !== 1) fail(E.WRONG_QUESTION);
  if (flags & 0x0200) fail(E.TRUNCATED);
  const rcode = flags & 0xf;
  if (rcode === 2) fail(E.SERVER_FAILURE);
  if (rcode !== 0 && rcode !== 3) fail(E.SERVER_ERROR);
  const answers: Record[] = [];
  let at = q + 4;
  for (let i = 0; i < u16(m, 6); i++) {
    answers.push(readRecord(m, at));
    at = answers[answers.length - 1].end;
  }
  for (let i = 0; i < u16(m, 8); i++) {
    const record = readRecord(m, at);
    if (out.negativeTtl < 0 && record.type === 6 && record.klass === 1) out.negativeTtl = Math.min(record.ttl, seconds(u32(m, record.end - 4)));
    at = record.end;
  }
  if (rcode === 3) {
    out.result = -E.NO_SUCH_NAME;
    return out;
  }
  let current = ours;
  let ttl = Infinity;
  for (;;) {
    const alias = answers.find((r) => r.type === 5 && r.klass === 1 && r.owner === current);
    if (!alias) break;
    if (out.aliases === 8) fail(E.CNAME_CHAIN);
    out.aliases++;
    ttl = Math.min(ttl, alias.ttl);
    current = alias.target;
  }
  for (const r of answers) {
    if (r.type !== type || r.klass !== 1 || r.owner !== current || out.addresses.length === 8) continue;
    out.addresses.push(m.slice(r.data, r.end));
    out.ttls.push(r.ttl);
    ttl = Math.min(ttl, r.ttl);
  }
  out.result = out.addresses.length;
  out.ttl = out.addresses.length > 0 ? ttl : 0;
  return out;
}

/** What dnsReadReply should answer for `m` as the reply to (id, name, type). */
export function expectedReading(m: Uint8Array, id: number, name: string, type: number): Expected {
  try {
    return readReply(m, id, name, type);
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    return { result: -error.code, addresses: [], ttls: [], ttl: 0, negativeTtl: -1, aliases: 0 };
  }
}
