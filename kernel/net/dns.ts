// The DNS stub resolver's I/O (RFC 1035): asks the configured name server
// for a name's IPv4 (type A) or IPv6 (type AAAA, RFC 3596) addresses and
// keeps the answers in a cache that honours their TTLs (dns-cache.ts). The
// messages are dns-message.ts's.
//
//   dnsResolve(name, type, out)   the count of addresses put at `out`, 16
//                                 bytes each (an IPv4 one in its mapped form
//                                 ::ffff:a.b.c.d, kernel/net/ip.ts), or a
//                                 resolve.ts RESOLVE_* reason
//
// A lookup first asks the cache. Then it sends the query over UDP from an
// ephemeral port, up to UDP_TRIES times, waiting UDP_WAIT for each; a reply
// that is not for this query (another id, another question, malformed) is
// dropped and the wait goes on. A truncated reply (TC) asks again over TCP
// (RFC 7766), within TCP_WAIT, reading at most TCP_REPLY_MAX bytes. So a
// lookup returns within UDP_TRIES x UDP_WAIT + TCP_WAIT at worst (11 s).
//
// Answers: addresses (cached for their smallest TTL), NXDOMAIN (cached for
// the SOA's negative TTL when the reply carries one) as RESOLVE_NO_NAME, no
// record of the type as RESOLVE_NO_DATA, SERVFAIL, silence or a server error as
// RESOLVE_TRY_AGAIN (not cached). One lookup at a time: calls take turns.

import { now } from "../time/index";
import { Mutex } from "../sched/sync";
import { getRandom } from "../random";
import { get16, get32 } from "./buffers";
import { ipv4MappedLow, storeAddress } from "./ipv6-address";
import {
  udpSocket, socketSendTo, socketReceiveFrom, socketClose, tcpConnectStart, socketConnectResult, socketSend,
  socketReceive, networkEpoch, waitForNetwork, dnsServer,
} from "./index";
import { DnsCache } from "./dns-cache";
import { DnsReply, dnsWriteQuery, dnsWriteTcpQuery, dnsReadReply } from "./dns-message";
import {
  DNS_TYPE_A, DNS_QUERY_MAX_BYTES, DNS_TCP_PREFIX_BYTES, DNS_NO_SUCH_NAME, DNS_SERVER_FAILURE, DNS_TRUNCATED,
  DNS_CACHE_MISS, DNS_MAX_ADDRESSES, DNS_TYPE_AAAA, addressBytesOf,
} from "./dns-codes";
import { RESOLVE_NO_NAME, RESOLVE_NO_DATA, RESOLVE_TRY_AGAIN, RESOLVE_NO_SERVER } from "./resolve";
import { EAGAIN, EINPROGRESS } from "../errno";

const SECOND: u64 = 1_000_000_000;
/** Each UDP query waits this long for its reply. */
export const UDP_WAIT: u64 = 2 * SECOND;
/** Queries sent over UDP before giving up. */
export const UDP_TRIES: u32 = 3;
/** The whole TCP exchange after a truncated reply. */
export const TCP_WAIT: u64 = 5 * SECOND;
/** The longest reply read over TCP (and the UDP buffer: a UDP reply is at most 512 bytes without EDNS). */
export const TCP_REPLY_MAX: u32 = 16384;

let cache: DnsCache | null = null;
let reply: DnsReply | null = null;
let turn: Mutex | null = null;
/** The message buffer (TCP_REPLY_MAX + the prefix) and the packed addresses a lookup gives. */
let buffer: usize = 0;
let addresses: usize = 0;

function ready(): void {
  if (turn !== null) return;
  turn = new Mutex();
  cache = new DnsCache();
  reply = new DnsReply();
  buffer = heap.alloc(<usize>TCP_REPLY_MAX + DNS_TCP_PREFIX_BYTES);
  addresses = heap.alloc(<usize>DNS_MAX_ADDRESSES * 16);
}

/** `type` is DNS_TYPE_A or DNS_TYPE_AAAA; `out` has room for DNS_MAX_ADDRESSES of 16 bytes. */
export function dnsResolve(name: string, type: u32, out: usize): i32 {
  const server = dnsServer();
  if (server == 0) return RESOLVE_NO_SERVER;
  ready();
  turn!.lock();
  let result = fromCache(name, type, out);
  if (result == -DNS_CACHE_MISS) result = ask(name, type, <u32>(server >> 16), <u32>server & 0xffff, out);
  turn!.unlock();
  return result;
}

/** The cache's answer as a RESOLVE_* result or a count, or -DNS_CACHE_MISS. */
function fromCache(name: string, type: u32, out: usize): i32 {
  const found = cache!.lookup(name, type, now(), addresses, DNS_MAX_ADDRESSES);
  if (found == -DNS_CACHE_MISS) return found;
  if (found == -DNS_NO_SUCH_NAME) return RESOLVE_NO_NAME;
  if (found < 0) return RESOLVE_NO_NAME; // a name that cannot be one
  if (found == 0) return RESOLVE_NO_DATA;
  return copyAddresses(found, type, out);
}

/** The `count` packed addresses of `type` at `addresses` as 16-byte ones (IPv4 mapped) at `out`: the count. */
function copyAddresses(count: i32, type: u32, out: usize): i32 {
  for (let i = 0; i < count; i++) {
    const to = out + (<usize>i << 4);
    if (type == DNS_TYPE_AAAA) memory.copy(to, addresses + (<usize>i << 4), 16);
    else storeAddress(to, 0, ipv4MappedLow(get32(addresses + (<usize>i << 2))));
  }
  return count;
}

function randomId(): u32 {
  const word = memory.data(4);
  if (getRandom(word, 2) < 0) store<u16>(word, <u16>now());
  return <u32>load<u16>(word);
}

/** Queries the server (UDP, then TCP if truncated) and caches what it says. */
function ask(name: string, type: u32, server: u32, port: u32, out: usize): i32 {
  const id = randomId();
  const length = dnsWriteQuery(buffer, DNS_QUERY_MAX_BYTES, id, name, type);
  if (length < 0) return RESOLVE_NO_NAME; // not a name DNS can carry
  let answer = overUdp(server, port, id, name, type, <u32>length);
  if (answer == -DNS_TRUNCATED) answer = overTcp(server, port, id, name, type);
  return settle(name, type, answer, out);
}

/** Sends the query in `buffer` up to UDP_TRIES times; the first reply to it (dnsReadReply's result), or RESOLVE_TRY_AGAIN. */
function overUdp(server: u32, port: u32, id: u32, name: string, type: u32, length: u32): i32 {
  const socket = udpSocket(0);
  if (socket < 0) return RESOLVE_TRY_AGAIN;
  const query = heap.alloc(<usize>length);
  memory.copy(query, buffer, <usize>length);
  let result = RESOLVE_TRY_AGAIN;
  for (let attempt: u32 = 0; attempt < UDP_TRIES && result == RESOLVE_TRY_AGAIN; attempt++) {
    if (socketSendTo(socket, 0, ipv4MappedLow(server), port, query, length) < 0) break;
    const deadline = now() + UDP_WAIT;
    while (now() < deadline) {
      const epoch = networkEpoch();
      const got = socketReceiveFrom(socket, buffer, TCP_REPLY_MAX, 0, true);
      if (got == -EAGAIN) {
        waitForNetwork(deadline, epoch);
        continue;
      }
      if (got < 0) break;
      const answer = dnsReadReply(buffer, <u32>got, id, name, type, reply!);
      if (isForUs(answer)) {
        result = answer;
        break;
      }
    }
  }
  heap.free(query);
  socketClose(socket);
  return result;
}

/** Whether a reply is this query's answer (not someone else's, nor garbage): settle() takes it. */
function isForUs(answer: i32): bool {
  return answer >= 0 || answer == -DNS_NO_SUCH_NAME || answer == -DNS_SERVER_FAILURE || answer == -DNS_TRUNCATED;
}

/** The query over TCP, with its two-byte length prefix; the reply's dnsReadReply result, or RESOLVE_TRY_AGAIN. */
function overTcp(server: u32, port: u32, id: u32, name: string, type: u32): i32 {
  const deadline = now() + TCP_WAIT;
  const socket = tcpConnectStart(0, ipv4MappedLow(server), port);
  if (socket < 0) return RESOLVE_TRY_AGAIN;
  let result = RESOLVE_TRY_AGAIN;
  if (waitConnected(socket, deadline)) {
    const length = dnsWriteTcpQuery(buffer, DNS_QUERY_MAX_BYTES + DNS_TCP_PREFIX_BYTES, id, name, type);
    if (length > 0 && socketSend(socket, buffer, <usize>length, false) == <i64>length &&
        readFully(socket, buffer, DNS_TCP_PREFIX_BYTES, deadline)) {
      const size = <u32>get16(buffer);
      if (size <= TCP_REPLY_MAX && readFully(socket, buffer, size, deadline)) {
        const answer = dnsReadReply(buffer, size, id, name, type, reply!);
        if (isForUs(answer) && answer != -DNS_TRUNCATED) result = answer;
      }
    }
  }
  socketClose(socket);
  return result;
}

function waitConnected(socket: i32, deadline: u64): bool {
  while (now() < deadline) {
    const epoch = networkEpoch();
    const outcome = socketConnectResult(socket);
    if (outcome != -EINPROGRESS) return outcome == 0;
    waitForNetwork(deadline, epoch);
  }
  return false;
}

/** Reads exactly `length` bytes into `into` before `deadline`. */
function readFully(socket: i32, into: usize, length: u32, deadline: u64): bool {
  let done: u32 = 0;
  while (done < length && now() < deadline) {
    const epoch = networkEpoch();
    const got = socketReceive(socket, into + done, <usize>(length - done), 0, true);
    if (got == -EAGAIN) {
      waitForNetwork(deadline, epoch);
      continue;
    }
    if (got <= 0) return false;
    done += <u32>got;
  }
  return done == length;
}

/** Caches an answer and turns it into resolveHost's result. */
function settle(name: string, type: u32, answer: i32, out: usize): i32 {
  const r = reply!;
  const at = now();
  if (answer > 0) {
    const count = min<i32>(answer, DNS_MAX_ADDRESSES);
    const size = <usize>addressBytesOf(type);
    for (let i = 0; i < count; i++) memory.copy(addresses + <usize>i * size, r.address(<u32>i), size);
    cache!.storeAddresses(name, type, addresses, <u32>count, r.ttl, at);
    return copyAddresses(count, type, out);
  }
  if (answer == 0 || answer == -DNS_NO_SUCH_NAME) {
    if (r.negativeTtl >= 0) cache!.storeNegative(name, type, answer != 0, <u32>r.negativeTtl, at);
    return answer == 0 ? RESOLVE_NO_DATA : RESOLVE_NO_NAME;
  }
  return RESOLVE_TRY_AGAIN;
}
