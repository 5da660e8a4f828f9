// DNS messages for the stub resolver (RFC 1035 4, RFC 3596, RFC 2308): the
// query it sends and what it reads out of the reply. No I/O, no clock, no
// allocation but DnsReply's own block.
//
//   dnsWriteQuery(buffer, capacity, id, name, type)     the query's length, or -code
//   dnsWriteTcpQuery(buffer, capacity, id, name, type)  the same after its 2-byte length (RFC 1035 4.2.2)
//   dnsReadTcpLength(prefix)                            the length a TCP message's prefix announces
//   dnsReadReply(message, length, id, name, type, reply) what the reply says, into `reply`
//
// A query has one question (name, type A or AAAA, class IN), RD set and
// nothing else. dnsReadReply answers:
//   n > 0              n addresses (of the name at the end of the CNAME chain), in reply
//   0                  no data: the name exists without records of that type (reply.negativeTtl)
//   -DNS_NO_SUCH_NAME  NXDOMAIN (reply.negativeTtl)
//   -DNS_SERVER_FAILURE, -DNS_SERVER_ERROR (reply.rcode), -DNS_TRUNCATED (ask over TCP)
//   -DNS_WRONG_ID, -DNS_NOT_A_REPLY, -DNS_WRONG_QUESTION  not the reply to this query: keep waiting
//   any other -code    a malformed reply (kernel/net/dns-codes.ts), or the caller's own bad name/type
//
// Header, 12 bytes (RFC 1035 4.1.1), then the question and three sections
// of records:
//    0 id   2 flags: QR(15) opcode(14-11) AA TC(9) RD(8) RA Z(6-4) RCODE(3-0)
//    4 question count   6 answer count   8 authority count   10 additional count
//   question: name, type(2), class(2)
//   record:   name, type(2), class(2), TTL(4), RDLENGTH(2), RDATA
//
// Checks, in order: header (length, QR, id, opcode, one question equal to
// ours ignoring case), TC, RCODE, then every answer and authority record is
// read and checked (names as dns-name.ts reads them; RDATA inside the
// message; RDLENGTH 4 for A and 16 for AAAA of class IN; a CNAME's or SOA's
// names ending exactly at RDLENGTH; an SOA's 20 bytes of numbers). The
// additional section is not read. Then, from the queried name, CNAMEs of
// class IN are followed (at most DNS_MAX_CNAME_CHAIN) and the addresses of
// the final name collected, in the reply's order, at most DNS_MAX_ADDRESSES.
// TTLs with the top bit set count as 0 (RFC 2181 8). The first SOA of
// class IN in the authority section gives the negative TTL, the smaller of
// its own TTL and its MINIMUM (RFC 2308 5); its owner is not checked.

import { get16, get32, put16 } from "./buffers";
import { encodeName, readName, namesEqual, nameBytes } from "./dns-name";
import {
  DNS_TYPE_A, DNS_TYPE_AAAA, DNS_TYPE_CNAME, DNS_TYPE_SOA, DNS_CLASS_IN, DNS_FLAG_REPLY, DNS_FLAG_TRUNCATED,
  DNS_FLAG_RECURSION_DESIRED, DNS_RCODE_SERVER_FAILURE, DNS_RCODE_NAME_ERROR, DNS_HEADER_BYTES, DNS_NAME_MAX_BYTES, DNS_NAME_MAX_TEXT, DNS_NAME_TOO_LONG,
  DNS_MAX_CNAME_CHAIN, DNS_MAX_ADDRESSES, DNS_TCP_PREFIX_BYTES, DNS_BAD_TYPE, DNS_BUFFER_TOO_SMALL, DNS_NO_SUCH_NAME,
  DNS_SERVER_FAILURE, DNS_SERVER_ERROR, DNS_TRUNCATED, DNS_WRONG_ID, DNS_REPLY_TOO_SHORT, DNS_NOT_A_REPLY,
  DNS_BAD_OPCODE, DNS_QUESTION_COUNT, DNS_WRONG_QUESTION, DNS_QUESTION_RUNS_OFF, DNS_RECORD_RUNS_OFF,
  DNS_RDATA_RUNS_OFF, DNS_RDATA_LENGTH, DNS_CNAME_CHAIN, addressBytesOf,
} from "./dns-codes";

const NAME_ROOM: usize = <usize>DNS_NAME_MAX_BYTES + 1;
const SOA_NUMBERS: u32 = 20; // SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM

/**
 * Writes the query for `name` (text) and `type` (DNS_TYPE_A or
 * DNS_TYPE_AAAA) with `id` into [buffer, buffer + capacity): its length, or
 * -DNS_BAD_TYPE, -DNS_BUFFER_TOO_SMALL or the name's -code (dns-name.ts
 * encodeName). Nothing past the returned length is written; on a failure
 * the buffer's contents are undefined. DNS_QUERY_MAX_BYTES always fits.
 */
export function dnsWriteQuery(buffer: usize, capacity: u32, id: u32, name: string, type: u32): i32 {
  if (addressBytesOf(type) == 0) return -DNS_BAD_TYPE;
  let textLength = <u32>name.length;
  if (textLength > 0 && name.charCodeAt(textLength - 1) == 0x2e) textLength--; // a trailing dot
  if (textLength > DNS_NAME_MAX_TEXT) return -DNS_NAME_TOO_LONG;
  if (capacity < DNS_HEADER_BYTES + textLength + 2 + 4) return -DNS_BUFFER_TOO_SMALL; // the wire form is 2 bytes longer
  const wireLength = encodeName(name, buffer + DNS_HEADER_BYTES);
  if (wireLength < 0) return wireLength;
  put16(buffer, id);
  put16(buffer + 2, DNS_FLAG_RECURSION_DESIRED);
  put16(buffer + 4, 1);
  put16(buffer + 6, 0);
  put16(buffer + 8, 0);
  put16(buffer + 10, 0);
  const question = buffer + DNS_HEADER_BYTES + <usize>wireLength;
  put16(question, type);
  put16(question + 2, DNS_CLASS_IN);
  return <i32>DNS_HEADER_BYTES + wireLength + 4;
}

/** dnsWriteQuery for TCP: the 2-byte big-endian length, then the query. Its whole length, or -code. */
export function dnsWriteTcpQuery(buffer: usize, capacity: u32, id: u32, name: string, type: u32): i32 {
  if (capacity < DNS_TCP_PREFIX_BYTES) return -DNS_BUFFER_TOO_SMALL;
  const length = dnsWriteQuery(buffer + DNS_TCP_PREFIX_BYTES, capacity - DNS_TCP_PREFIX_BYTES, id, name, type);
  if (length < 0) return length;
  put16(buffer, <u32>length);
  return length + <i32>DNS_TCP_PREFIX_BYTES;
}

/** The length of the message that follows a TCP length prefix (its 2 bytes at `prefix`). */
export function dnsReadTcpLength(prefix: usize): u32 {
  return get16(prefix);
}

/**
 * What dnsReadReply found. The caller makes one, reuses it for every reply,
 * and frees it with free(). Its block holds the addresses and the names the
 * reading works on:
 *
 *   | addresses: DNS_MAX_ADDRESSES x 16 | ttls: DNS_MAX_ADDRESSES x u32 | 4 names x 256 |
 */
export class DnsReply {
  /** Addresses kept; each is addressBytes long, packed from `addresses`. */
  count: u32 = 0;
  /** 4 (A) or 16 (AAAA): the queried type's. */
  addressBytes: u32 = 0;
  /** The smallest TTL, in seconds, of the kept addresses and the CNAMEs followed to them (0 when none). */
  ttl: u32 = 0;
  /** For no data or NXDOMAIN: min(SOA TTL, SOA MINIMUM) in seconds, or -1 without an SOA (then do not cache). */
  negativeTtl: i64 = -1;
  /** The reply's RCODE. */
  rcode: u32 = 0;
  /** CNAMEs followed from the queried name. */
  aliases: u32 = 0;
  /** The addresses, in network byte order, packed. */
  readonly addresses: usize;
  // The last record read (readRecord), and where the reading keeps names: internal to this file.
  recordType: u32 = 0;
  recordClass: u32 = 0;
  recordTtl: u32 = 0;
  recordData: u32 = 0;

  constructor() {
    this.addresses = heap.alloc(<usize>DNS_MAX_ADDRESSES * 20 + 4 * NAME_ROOM);
  }

  /** Frees the block and the object; it must not be used again. */
  free(): void {
    heap.free(this.addresses);
    heap.free(changetype<usize>(this));
  }

  /** The i-th address's first byte. */
  address(i: u32): usize {
    return this.addresses + <usize>(i * this.addressBytes);
  }

  /** The i-th address's TTL in seconds. */
  ttlOf(i: u32): u32 {
    return load<u32>(this.ttls + (<usize>i << 2));
  }

  /** Adds the addressBytes at `from` with its TTL: false, keeping nothing, when DNS_MAX_ADDRESSES are kept. */
  keep(from: usize, ttl: u32): bool {
    if (this.count == DNS_MAX_ADDRESSES) return false;
    memory.copy(this.address(this.count), from, this.addressBytes);
    store<u32>(this.ttls + (<usize>this.count << 2), ttl);
    this.count++;
    return true;
  }

  /** The i-th A address as a u32 in host order (10.0.2.3 is 0x0a000203), as kernel/net keeps them. */
  ipv4(i: u32): u32 {
    return get32(this.address(i));
  }

  private get ttls(): usize {
    return this.addresses + <usize>DNS_MAX_ADDRESSES * 16;
  }
  /** Our name, wire form. */
  get queried(): usize {
    return this.ttls + <usize>DNS_MAX_ADDRESSES * 4;
  }
  /** The name the CNAME chain has reached. */
  get current(): usize {
    return this.queried + NAME_ROOM;
  }
  /** The owner of the last record read. */
  get owner(): usize {
    return this.current + NAME_ROOM;
  }
  /** A name inside the last record's RDATA (a CNAME's target). */
  get target(): usize {
    return this.owner + NAME_ROOM;
  }

  reset(): void {
    this.count = 0;
    this.addressBytes = 0;
    this.ttl = 0;
    this.negativeTtl = -1;
    this.rcode = 0;
    this.aliases = 0;
  }
}

/** A TTL field's seconds; the top bit set counts as 0 (RFC 2181 8). */
function ttlSeconds(field: u32): u32 {
  return field & 0x8000_0000 ? 0 : field;
}

/**
 * Reads the record at `at` (owner into reply.owner, fields into
 * reply.record*, a CNAME's target into reply.target) and checks its RDATA:
 * the offset past it, or -code.
 */
function readRecord(message: usize, length: u32, at: u32, reply: DnsReply): i32 {
  const fields = readName(message, length, at, reply.owner);
  if (fields < 0) return fields;
  const f = <u32>fields;
  if (f + 10 > length) return -DNS_RECORD_RUNS_OFF;
  const type = get16(message + f);
  const recordClass = get16(message + f + 2);
  const rdataLength = get16(message + f + 8);
  const data = f + 10;
  const end = data + rdataLength;
  if (end > length) return -DNS_RDATA_RUNS_OFF;
  reply.recordType = type;
  reply.recordClass = recordClass;
  reply.recordTtl = ttlSeconds(get32(message + f + 4));
  reply.recordData = data;
  if (recordClass == DNS_CLASS_IN && (type == DNS_TYPE_A || type == DNS_TYPE_AAAA)) {
    if (rdataLength != addressBytesOf(type)) return -DNS_RDATA_LENGTH;
  } else if (type == DNS_TYPE_CNAME) {
    const past = readName(message, length, data, reply.target);
    if (past < 0) return past;
    if (<u32>past != end) return -DNS_RDATA_LENGTH;
  } else if (type == DNS_TYPE_SOA) {
    const mailbox = readName(message, length, data, reply.target); // MNAME, then RNAME
    if (mailbox < 0) return mailbox;
    const numbers = readName(message, length, <u32>mailbox, reply.target);
    if (numbers < 0) return numbers;
    if (<u32>numbers + SOA_NUMBERS != end) return -DNS_RDATA_LENGTH;
  }
  return <i32>end;
}

/** Reads `count` records from `at`: the offset past them, or -code. */
function readSection(message: usize, length: u32, at: u32, count: u32, reply: DnsReply): i32 {
  for (let i: u32 = 0; i < count; i++) {
    const next = readRecord(message, length, at, reply);
    if (next < 0) return next;
    at = <u32>next;
  }
  return <i32>at;
}

/**
 * Reads a reply to the query (id, name, type) from [message, message +
 * length) into `reply`; the answer as the head comment lists. Reads nothing
 * outside the message.
 */
export function dnsReadReply(message: usize, length: u32, id: u32, name: string, type: u32, reply: DnsReply): i32 {
  reply.reset();
  const addressBytes = addressBytesOf(type);
  if (addressBytes == 0) return -DNS_BAD_TYPE;
  const encoded = encodeName(name, reply.queried);
  if (encoded < 0) return encoded;
  if (length < DNS_HEADER_BYTES) return -DNS_REPLY_TOO_SHORT;
  const flags = get16(message + 2);
  if ((flags & DNS_FLAG_REPLY) == 0) return -DNS_NOT_A_REPLY;
  if (get16(message) != id) return -DNS_WRONG_ID;
  if (((flags >> 11) & 0xf) != 0) return -DNS_BAD_OPCODE;
  if (get16(message + 4) != 1) return -DNS_QUESTION_COUNT;
  const questionEnd = readName(message, length, DNS_HEADER_BYTES, reply.current);
  if (questionEnd < 0) return questionEnd;
  const q = <u32>questionEnd;
  if (q + 4 > length) return -DNS_QUESTION_RUNS_OFF;
  if (!namesEqual(reply.current, reply.queried) || get16(message + q) != type || get16(message + q + 2) != DNS_CLASS_IN) {
    return -DNS_WRONG_QUESTION;
  }
  if (flags & DNS_FLAG_TRUNCATED) return -DNS_TRUNCATED;
  const rcode = flags & 0xf;
  reply.rcode = rcode;
  if (rcode == DNS_RCODE_SERVER_FAILURE) return -DNS_SERVER_FAILURE;
  if (rcode != 0 && rcode != DNS_RCODE_NAME_ERROR) return -DNS_SERVER_ERROR;

  const answers = q + 4;
  const answerCount = get16(message + 6);
  const authority = readSection(message, length, answers, answerCount, reply);
  if (authority < 0) return authority;
  const additional = readNegativeTtl(message, length, <u32>authority, get16(message + 8), reply);
  if (additional < 0) return additional;
  if (rcode == DNS_RCODE_NAME_ERROR) return -DNS_NO_SUCH_NAME;

  memory.copy(reply.current, reply.queried, <usize>encoded);
  let ttl: u32 = u32.MAX_VALUE;
  while (true) {
    if (!findAlias(message, length, answers, answerCount, reply)) break;
    if (reply.aliases == DNS_MAX_CNAME_CHAIN) return -DNS_CNAME_CHAIN;
    reply.aliases++;
    ttl = min<u32>(ttl, reply.recordTtl);
    memory.copy(reply.current, reply.target, <usize>nameBytes(reply.target));
  }
  reply.addressBytes = addressBytes;
  let at = answers;
  for (let i: u32 = 0; i < answerCount; i++) {
    const next = readRecord(message, length, at, reply);
    if (next < 0) return next; // not met: readSection checked every record
    at = <u32>next;
    if (isOwnedRecord(reply, type) && reply.keep(message + reply.recordData, reply.recordTtl)) ttl = min<u32>(ttl, reply.recordTtl);
  }
  reply.ttl = reply.count > 0 ? ttl : 0;
  return <i32>reply.count;
}

/** Whether the last record read is of `type`, class IN, and owned by the name the chain has reached. */
function isOwnedRecord(reply: DnsReply, type: u32): bool {
  return reply.recordType == type && reply.recordClass == DNS_CLASS_IN && namesEqual(reply.owner, reply.current);
}

/**
 * Whether one of the `count` answers from `at` (already checked by
 * readSection) is a CNAME of class IN owned by reply.current; its target is
 * then in reply.target and its TTL in reply.recordTtl.
 */
function findAlias(message: usize, length: u32, at: u32, count: u32, reply: DnsReply): bool {
  for (let i: u32 = 0; i < count; i++) {
    const next = readRecord(message, length, at, reply);
    if (next < 0) return false;
    if (isOwnedRecord(reply, DNS_TYPE_CNAME)) return true;
    at = <u32>next;
  }
  return false;
}

/**
 * Reads the authority section's `count` records from `at`, setting
 * reply.negativeTtl from the first SOA of class IN: the offset past them,
 * or -code.
 */
function readNegativeTtl(message: usize, length: u32, at: u32, count: u32, reply: DnsReply): i32 {
  let negative: i64 = -1;
  for (let i: u32 = 0; i < count; i++) {
    const next = readRecord(message, length, at, reply);
    if (next < 0) return next;
    if (negative < 0 && reply.recordType == DNS_TYPE_SOA && reply.recordClass == DNS_CLASS_IN) {
      const minimum = ttlSeconds(get32(message + <usize>next - SOA_NUMBERS + 16));
      negative = <i64>min<u32>(reply.recordTtl, minimum);
    }
    at = <u32>next;
  }
  reply.negativeTtl = negative;
  return <i32>at;
}
