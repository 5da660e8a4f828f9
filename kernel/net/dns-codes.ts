// The numbers of the DNS stub resolver: record types and classes (RFC 1035
// 3.2.2-3.2.4, RFC 3596 2.1), header bits (RFC 1035 4.1.1), the limits the
// parser holds replies to, and its error codes.
//
// Error codes are the resolver's own, not errnos: functions return them
// negated (`-DNS_TRUNCATED`), like errnos, but they are numbered from 3001 so
// that one passed on by mistake is never read as a Linux errno. The resolver
// maps them at its boundary (to EAI_* or errno). Codes 3001-3006 are about
// the name or arguments the caller gave; 3010-3014 are outcomes a well-formed
// reply can carry; 3020-3032 are malformed replies, one code per fault, and
// 3040 is a cache miss. dnsErrorName() names each for messages and tests.

export const DNS_TYPE_A: u32 = 1;
export const DNS_TYPE_CNAME: u32 = 5;
export const DNS_TYPE_SOA: u32 = 6;
export const DNS_TYPE_AAAA: u32 = 28;
export const DNS_CLASS_IN: u32 = 1;

/** Header flag bits (the 16 bits after the id). */
export const DNS_FLAG_REPLY: u32 = 0x8000; // QR
export const DNS_FLAG_TRUNCATED: u32 = 0x0200; // TC
export const DNS_FLAG_RECURSION_DESIRED: u32 = 0x0100; // RD
export const DNS_RCODE_SERVER_FAILURE: u32 = 2;
export const DNS_RCODE_NAME_ERROR: u32 = 3;

/** Bytes of the header: id, flags, and the four section counts. */
export const DNS_HEADER_BYTES: u32 = 12;
/** A name on the wire, its root label included (RFC 1035 2.3.4). */
export const DNS_NAME_MAX_BYTES: u32 = 255;
/** A name as text, without its trailing dot: 253 characters make 255 wire bytes. */
export const DNS_NAME_MAX_TEXT: u32 = 253;
export const DNS_LABEL_MAX: u32 = 63;
/** Compression pointers followed while reading one name; a loop runs into this. */
export const DNS_MAX_POINTER_HOPS: u32 = 32;
/** CNAMEs followed from the queried name within one reply. */
export const DNS_MAX_CNAME_CHAIN: u32 = 8;
/** Addresses kept from one reply, and in one cache entry; more are read and dropped. */
export const DNS_MAX_ADDRESSES: u32 = 8;
/** The largest query: header, the longest name, type and class. */
export const DNS_QUERY_MAX_BYTES: u32 = DNS_HEADER_BYTES + DNS_NAME_MAX_BYTES + 4;
/** The length prefix of a message over TCP (RFC 1035 4.2.2). */
export const DNS_TCP_PREFIX_BYTES: u32 = 2;

// The caller's name and arguments.
/** Two dots in a row, a leading dot, or an empty name. */
export const DNS_NAME_EMPTY_LABEL: i32 = 3001;
/** A label longer than 63 bytes. */
export const DNS_NAME_LABEL_TOO_LONG: i32 = 3002;
/** A name longer than 253 characters (without its trailing dot). */
export const DNS_NAME_TOO_LONG: i32 = 3003;
/** A character other than a letter, digit, '-', '_' or '.'. */
export const DNS_NAME_BAD_CHARACTER: i32 = 3004;
/** A record type other than A or AAAA. */
export const DNS_BAD_TYPE: i32 = 3005;
/** The caller's buffer is too small for the query. */
export const DNS_BUFFER_TOO_SMALL: i32 = 3006;

// Outcomes of a well-formed reply.
/** RCODE 3, NXDOMAIN: the name does not exist. */
export const DNS_NO_SUCH_NAME: i32 = 3010;
/** RCODE 2, SERVFAIL: the server could not answer; another server may. */
export const DNS_SERVER_FAILURE: i32 = 3011;
/** Any other nonzero RCODE (FORMERR, NOTIMP, REFUSED, ...): DnsReply.rcode says which. */
export const DNS_SERVER_ERROR: i32 = 3012;
/** TC: the reply was cut to fit a datagram; ask again over TCP. */
export const DNS_TRUNCATED: i32 = 3013;
/** A reply with another id: not the answer to this query (keep waiting). */
export const DNS_WRONG_ID: i32 = 3014;

// Malformed replies, one code per fault.
/** Shorter than the 12-byte header. */
export const DNS_REPLY_TOO_SHORT: i32 = 3020;
/** QR is clear: a query, not a reply. */
export const DNS_NOT_A_REPLY: i32 = 3021;
/** An opcode other than 0 (QUERY). */
export const DNS_BAD_OPCODE: i32 = 3022;
/** A question count other than 1. */
export const DNS_QUESTION_COUNT: i32 = 3023;
/** The question is not ours (another name, type or class). */
export const DNS_WRONG_QUESTION: i32 = 3024;
/** The question's type and class run past the end. */
export const DNS_QUESTION_RUNS_OFF: i32 = 3025;
/** A label, its length byte or a pointer runs past the end. */
export const DNS_NAME_RUNS_OFF: i32 = 3026;
/** A compression pointer to its own offset or a later one. */
export const DNS_POINTER_FORWARD: i32 = 3027;
/** More than DNS_MAX_POINTER_HOPS pointers in one name (a loop). */
export const DNS_POINTER_LOOP: i32 = 3028;
/** A label type 0x40 or 0x80 (reserved, RFC 6891 6.2). */
export const DNS_LABEL_TYPE: i32 = 3029;
/** A name in the reply longer than 255 bytes once decompressed. */
export const DNS_REPLY_NAME_TOO_LONG: i32 = 3030;
/** A record's type, class, TTL or RDLENGTH runs past the end. */
export const DNS_RECORD_RUNS_OFF: i32 = 3031;
/** RDLENGTH runs past the end. */
export const DNS_RDATA_RUNS_OFF: i32 = 3032;
/** RDLENGTH does not fit the type (A not 4, AAAA not 16, a CNAME or SOA not ending at RDLENGTH). */
export const DNS_RDATA_LENGTH: i32 = 3033;
/** More than DNS_MAX_CNAME_CHAIN CNAMEs from the queried name (or a CNAME loop). */
export const DNS_CNAME_CHAIN: i32 = 3034;

/** The cache holds nothing live for the name and type. */
export const DNS_CACHE_MISS: i32 = 3040;

/** The bytes of one address of `type`: 4 for A, 16 for AAAA, 0 for any other. */
export function addressBytesOf(type: u32): u32 {
  return type == DNS_TYPE_A ? 4 : type == DNS_TYPE_AAAA ? 16 : 0;
}

/** A code's constant name without its DNS_ prefix ("TRUNCATED"), or "" for another number. */
export function dnsErrorName(code: i32): string {
  if (code < 0) code = -code;
  switch (code) {
    case DNS_NAME_EMPTY_LABEL: return "NAME_EMPTY_LABEL";
    case DNS_NAME_LABEL_TOO_LONG: return "NAME_LABEL_TOO_LONG";
    case DNS_NAME_TOO_LONG: return "NAME_TOO_LONG";
    case DNS_NAME_BAD_CHARACTER: return "NAME_BAD_CHARACTER";
    case DNS_BAD_TYPE: return "BAD_TYPE";
    case DNS_BUFFER_TOO_SMALL: return "BUFFER_TOO_SMALL";
    case DNS_NO_SUCH_NAME: return "NO_SUCH_NAME";
    case DNS_SERVER_FAILURE: return "SERVER_FAILURE";
    case DNS_SERVER_ERROR: return "SERVER_ERROR";
    case DNS_TRUNCATED: return "TRUNCATED";
    case DNS_WRONG_ID: return "WRONG_ID";
    case DNS_REPLY_TOO_SHORT: return "REPLY_TOO_SHORT";
    case DNS_NOT_A_REPLY: return "NOT_A_REPLY";
    case DNS_BAD_OPCODE: return "BAD_OPCODE";
    case DNS_QUESTION_COUNT: return "QUESTION_COUNT";
    case DNS_WRONG_QUESTION: return "WRONG_QUESTION";
    case DNS_QUESTION_RUNS_OFF: return "QUESTION_RUNS_OFF";
    case DNS_NAME_RUNS_OFF: return "NAME_RUNS_OFF";
    case DNS_POINTER_FORWARD: return "POINTER_FORWARD";
    case DNS_POINTER_LOOP: return "POINTER_LOOP";
    case DNS_LABEL_TYPE: return "LABEL_TYPE";
    case DNS_REPLY_NAME_TOO_LONG: return "REPLY_NAME_TOO_LONG";
    case DNS_RECORD_RUNS_OFF: return "RECORD_RUNS_OFF";
    case DNS_RDATA_RUNS_OFF: return "RDATA_RUNS_OFF";
    case DNS_RDATA_LENGTH: return "RDATA_LENGTH";
    case DNS_CNAME_CHAIN: return "CNAME_CHAIN";
    case DNS_CACHE_MISS: return "CACHE_MISS";
  }
  return "";
}
