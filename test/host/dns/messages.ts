// DNS messages built in Node for the DNS tests: encode() lays out a message
// with name compression as servers do (each name's longest suffix already
// written becomes a pointer to it), so that replies look like captured ones;
// test/host/dns/reply.test.ts checks it against dns-packet's decoder.

export interface Question {
  name: string;
  type: number;
  class?: number;
}

export interface Soa {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export interface ResourceRecord {
  name: string;
  type: number;
  class?: number;
  ttl: number;
  /** A: dotted quad; AAAA: IPv6 text; CNAME: a name; SOA: its fields; anything else: raw RDATA. */
  data: string | Soa | Uint8Array;
}

export interface Message {
  id: number;
  /** The 16 flag bits (QR 0x8000, TC 0x0200, RD 0x0100, RA 0x0080, RCODE in the low 4). */
  flags: number;
  questions: Question[];
  answers?: ResourceRecord[];
  authorities?: ResourceRecord[];
  additionals?: ResourceRecord[];
}

export const FLAGS = { QR: 0x8000, TC: 0x0200, RD: 0x0100, RA: 0x0080 } as const;
/** A reply's usual flags: QR, RD, RA. */
export const REPLY = FLAGS.QR | FLAGS.RD | FLAGS.RA;

/** The 16 bytes of IPv6 text (groups of hex digits, at most one "::"). */
export function ipv6Bytes(text: string): Uint8Array {
  const [head, tail] = text.includes("::") ? text.split("::") : [text, null];
  const groups = (part: string | null) => (part ? part.split(":").map((group) => parseInt(group, 16)) : []);
  const first = groups(head);
  const last = groups(tail);
  const all = [...first, ...new Array(8 - first.length - last.length).fill(0), ...last];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

class Writer {
  bytes: number[] = [];
  private suffixes = new Map<string, number>();
  constructor(private readonly compress: boolean) {}

  u16(value: number): void {
    this.bytes.push((value >>> 8) & 0xff, value & 0xff);
  }

  u32(value: number): void {
    this.u16(value >>> 16);
    this.u16(value & 0xffff);
  }

  name(name: string): void {
    const labels = name.split(".").filter((label) => label !== "");
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join(".").toLowerCase();
      const earlier = this.suffixes.get(suffix);
      if (this.compress && earlier !== undefined) {
        this.u16(0xc000 | earlier);
        return;
      }
      if (this.bytes.length < 0x4000) this.suffixes.set(suffix, this.bytes.length);
      const label = Buffer.from(labels[i], "latin1");
      this.bytes.push(label.length, ...label);
    }
    this.bytes.push(0);
  }

  record(record: ResourceRecord): void {
    this.name(record.name);
    this.u16(record.type);
    this.u16(record.class ?? 1);
    this.u32(record.ttl);
    const lengthAt = this.bytes.length;
    this.u16(0);
    const { data } = record;
    if (data instanceof Uint8Array) this.bytes.push(...data);
    else if (typeof data !== "string") {
      this.name(data.mname);
      this.name(data.rname);
      for (const value of [data.serial, data.refresh, data.retry, data.expire, data.minimum]) this.u32(value);
    } else if (record.type === 1) this.bytes.push(...data.split(".").map(Number));
    else if (record.type === 28) this.bytes.push(...ipv6Bytes(data));
    else this.name(data);
    const length = this.bytes.length - lengthAt - 2;
    this.bytes[lengthAt] = length >>> 8;
    this.bytes[lengthAt + 1] = length & 0xff;
  }
}

/** The message's bytes, names compressed unless `compress` is false. */
export function encode(message: Message, compress = true): Uint8Array {
  const w = new Writer(compress);
  const sections = [message.answers ?? [], message.authorities ?? [], message.additionals ?? []];
  w.u16(message.id);
  w.u16(message.flags);
  w.u16(message.questions.length);
  for (const section of sections) w.u16(section.length);
  for (const question of message.questions) {
    w.name(question.name);
    w.u16(question.type);
    w.u16(question.class ?? 1);
  }
  for (const section of sections) for (const record of section) w.record(record);
  return Uint8Array.from(w.bytes);
}
