// The Node side of the harness's DNS part (dns/harness.ts): the typings of
// its exports, kernel/net/dns-codes.ts's numbers, and DnsHarness, which
// writes messages into the harness's memory and reads results back as
// plain values.

import type { Ptr } from "../core/client";
import { SCRATCH } from "../core/client";
import type { Harness } from "../harness-client";

export interface DnsExports {
  dnsQuery(buffer: number, capacity: number, id: number, name: Ptr, type: number): number;
  dnsTcpQuery(buffer: number, capacity: number, id: number, name: Ptr, type: number): number;
  dnsTcpLength(prefix: number): number;
  dnsReplyNew(): number;
  dnsReplyFree(reply: number): void;
  dnsRead(reply: number, message: number, length: number, id: number, name: Ptr, type: number): number;
  dnsReplyField(reply: number, which: number): bigint;
  dnsReplyAddress(reply: number, i: number, into: number): number;
  dnsReplyIpv4(reply: number, i: number): number;
  dnsCacheNew(entries: number): number;
  dnsCacheFree(cache: number): void;
  dnsCacheLookup(cache: number, name: Ptr, type: number, now: bigint, into: number, room: number): number;
  dnsCacheStoreAddresses(cache: number, name: Ptr, type: number, addresses: number, count: number, ttl: number, now: bigint): number;
  dnsCacheStoreNegative(cache: number, name: Ptr, type: number, noSuchName: number, ttl: number, now: bigint): number;
  dnsCacheLive(cache: number, now: bigint): number;
  dnsNumeric(name: Ptr, into: number): number;
  dnsErrorText(code: number): Ptr;
}

export const TYPE = { A: 1, CNAME: 5, SOA: 6, AAAA: 28 } as const;

/** kernel/net/dns-codes.ts's error codes (returned negated). */
export const DNS_ERROR = {
  NAME_EMPTY_LABEL: 3001, NAME_LABEL_TOO_LONG: 3002, NAME_TOO_LONG: 3003, NAME_BAD_CHARACTER: 3004, BAD_TYPE: 3005,
  BUFFER_TOO_SMALL: 3006, NO_SUCH_NAME: 3010, SERVER_FAILURE: 3011, SERVER_ERROR: 3012, TRUNCATED: 3013,
  WRONG_ID: 3014, REPLY_TOO_SHORT: 3020, NOT_A_REPLY: 3021, BAD_OPCODE: 3022, QUESTION_COUNT: 3023,
  WRONG_QUESTION: 3024, QUESTION_RUNS_OFF: 3025, NAME_RUNS_OFF: 3026, POINTER_FORWARD: 3027, POINTER_LOOP: 3028,
  LABEL_TYPE: 3029, REPLY_NAME_TOO_LONG: 3030, RECORD_RUNS_OFF: 3031, RDATA_RUNS_OFF: 3032, RDATA_LENGTH: 3033,
  CNAME_CHAIN: 3034, CACHE_MISS: 3040,
} as const;

/** kernel/net/dns-cache.ts's limits. */
export const CACHE = { ENTRIES: 32, MIN_SECONDS: 5, MAX_SECONDS: 3600, NEGATIVE_MAX_SECONDS: 300 } as const;
export const SECOND = 1_000_000_000n;

/** What dnsReadReply said: its result and, for a reply, every field and address. */
export interface ReadResult {
  result: number;
  count: number;
  addressBytes: number;
  ttl: number;
  negativeTtl: number;
  rcode: number;
  aliases: number;
  addresses: string[];
  ttls: number[];
}

/** Text for an address: dotted quad, or IPv6 as 8 groups of 4 hex digits joined by ':'. */
export function addressText(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16).padStart(4, "0"));
  return groups.join(":");
}

/** A DNS type's number from its name or number. */
export function typeNumber(type: keyof typeof TYPE | number): number {
  return typeof type === "number" ? type : TYPE[type];
}

export class DnsHarness {
  /**
   * Messages go against the end of memory, so that a read past one traps,
   * and queries and addresses to scratch; or, once the harness's memory is
   * managed (Harness.withMemory), all into `buffer`, a block the test took
   * with mmMalloc: 16 bytes for an address, then the message.
   */
  constructor(readonly harness: Harness, readonly buffer?: number) {}

  private get scratch(): number {
    return this.buffer ?? SCRATCH;
  }

  get exports(): DnsExports {
    return this.harness.exports;
  }

  /** Writes a query into scratch (not with a `buffer`): its bytes, or the negative code. */
  query(id: number, name: string, type: keyof typeof TYPE | number, capacity = 512, tcp = false): Uint8Array | number {
    const e = this.exports;
    const write = tcp ? e.dnsTcpQuery : e.dnsQuery;
    this.harness.bytes().fill(0xee, SCRATCH, SCRATCH + capacity + 16);
    const length = write(SCRATCH, capacity, id, this.harness.newString(name), typeNumber(type));
    if (length < 0) return length;
    const after = this.harness.bytes().slice(SCRATCH + length, SCRATCH + capacity + 16);
    if (after.some((byte) => byte !== 0xee)) throw new Error("the query was written past its length");
    return this.harness.bytes().slice(SCRATCH, SCRATCH + length);
  }

  /** Places `message` (so that its last byte is the memory's last, without a `buffer`): its address. */
  place(message: Uint8Array): number {
    const at = this.buffer === undefined ? this.harness.memoryEnd - message.length : this.buffer + 16;
    this.harness.write(at, message);
    return at;
  }

  /** Reads `message` as the reply to (id, name, type) with a fresh DnsReply, freed before returning. */
  read(message: Uint8Array, id: number, name: string, type: keyof typeof TYPE | number): ReadResult {
    const e = this.exports;
    const reply = e.dnsReplyNew();
    try {
      const result = e.dnsRead(reply, this.place(message), message.length, id, this.harness.newString(name), typeNumber(type));
      const field = (which: number) => Number(e.dnsReplyField(reply, which));
      const count = field(0);
      const addressBytes = field(1);
      const addresses: string[] = [];
      const ttls: number[] = [];
      for (let i = 0; i < count; i++) {
        ttls.push(e.dnsReplyAddress(reply, i, this.scratch) >>> 0);
        addresses.push(addressText(this.harness.bytes().slice(this.scratch, this.scratch + addressBytes)));
      }
      return { result, count, addressBytes, ttl: field(2) >>> 0, negativeTtl: field(3), rcode: field(4), aliases: field(5), addresses, ttls };
    } finally {
      e.dnsReplyFree(reply);
    }
  }

  /** The name of a code (negative or not), as kernel/net/dns-codes.ts names it. */
  errorName(code: number): string {
    return this.harness.string(this.exports.dnsErrorText(code));
  }
}
