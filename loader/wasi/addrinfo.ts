// sock_getaddrinfo, WasmEdge's getaddrinfo: a host name and a service to
// socket addresses, written into a list of result records the app
// prepared (kernel/net/resolve.ts does the resolving: numeric addresses
// at once, names through the DNS stub resolver).
//
//   sock_getaddrinfo(node, node_len, service, service_len, *hints,
//                    *res, max_results, *result_count)
//
// *res holds the address of the first of max_results addrinfo records
// linked by ai_next, each with its sockaddr and that sockaddr's data
// buffer, all prepared by the app; every one is checked before anything is
// written. Records (28 bytes, align 4):
//
//   addrinfo   0 ai_flags u16 | 2 ai_family u8 | 3 ai_socktype u8 | 4 ai_protocol u8
//              8 ai_addrlen u32 | 12 ai_addr | 16 ai_canonname | 20 ai_canonname_len u32 | 24 ai_next
//   sockaddr   0 sa_family u8 | 4 sa_data_len u32 | 8 sa_data
//   sa_data    IPv4: the port (2 bytes, network order), the address (4), 8
//              zeros: 14 bytes, ai_addrlen 16 (a sockaddr_in's size).
//              IPv6: what follows the family in a sockaddr_in6, the port
//              (2, network order), the flow label (4, zero), the address
//              (16), the scope id (4, zero): 26 bytes, ai_addrlen 28.
//
// The hints' family picks the answers: IPv6 (2) gives IPv6 addresses (DNS
// AAAA), IPv4 (1) or unspecified (0) IPv4 ones (DNS A) - an unspecified
// family does not also ask for AAAA, as programs built with the
// wasmedge_wasi_socket crate pass 14-byte sa_data buffers and skip IPv6
// answers. Every record must have room for the family's sa_data (INVAL).
// Each address gives a stream (TCP) record and a datagram (UDP) record,
// or the one the hints ask for. Empty node: 0.0.0.0 or :: with AI_PASSIVE,
// else 127.0.0.1 or ::1; a numeric address of the other family is
// AIFAMILY. Services: a port number, or http, https, domain;
// AI_NUMERICSERV and AI_NUMERICHOST refuse names.
// Errors are WasmEdge's EAI errnos (AINONAME, AIFAMILY, ...).

import { resolveHost, storeLoopback, RESOLVE_NO_NAME, RESOLVE_NO_DATA, RESOLVE_TRY_AGAIN, RESOLVE_NO_FAMILY, MAX_ADDRESSES } from "../../kernel/net/resolve";
import { copyIn, copyOut } from "../app-memory";
import { inRange, appString, StringResult, storeU32 } from "./memory";
import {
  ERRNO_SUCCESS, ERRNO_FAULT, ERRNO_INVAL, ERRNO_ADDRNOTAVAIL, ERRNO_NOSYS, ERRNO_AIAGAIN, ERRNO_AIBADFLAG,
  ERRNO_AIFAIL, ERRNO_AIFAMILY, ERRNO_AIMEMORY, ERRNO_AINODATA, ERRNO_AINONAME, ERRNO_AISERVICE,
} from "./errno";
import { aligned, FAMILY_UNSPEC, FAMILY_INET4, FAMILY_INET6 } from "./socket-address";
import { ipv4MappedLow, storeAddress } from "../../kernel/net/ipv6-address";

const AI_PASSIVE: u32 = 1;
const AI_CANONNAME: u32 = 2;
const AI_NUMERICHOST: u32 = 4;
const AI_NUMERICSERV: u32 = 8;
const AI_ALL_FLAGS: u32 = 0x7f;
const SOCK_ANY: u32 = 0;
const SOCK_DGRAM: u32 = 1;
const SOCK_STREAM: u32 = 2;
const PROTO_IP: u32 = 0;
const PROTO_TCP: u32 = 1;
const PROTO_UDP: u32 = 2;
const ADDRINFO_BYTES: u32 = 28;
const SOCKADDR_BYTES: u32 = 12;
const SA_DATA_BYTES: u32 = 14;
const SA_DATA6_BYTES: u32 = 26;
const SOCKADDR_IN_BYTES: u32 = 16;
const SOCKADDR_IN6_BYTES: u32 = 28;
/** The records a call may be given (a longer list is read only this far). */
const MAX_RECORDS: u32 = 64;

const record = memory.data(ADDRINFO_BYTES);
const address = memory.data(SOCKADDR_BYTES);
const data = memory.data(SA_DATA6_BYTES);
/** The records' addresses, five u32 each: the addrinfo, its sockaddr, its sa_data, its canonname buffer and that buffer's size. */
const records = memory.data(<i32>MAX_RECORDS * 5 * 4);
/** The resolved addresses (16 bytes each, IPv4 ones mapped: kernel/net/resolve.ts). */
const found = memory.data(MAX_ADDRESSES * 16);

@inline function recordField(index: i32): u32 {
  return load<u32>(records + (<usize>index << 2));
}

@inline function setRecordField(index: i32, value: u32): void {
  store<u32>(records + (<usize>index << 2), value);
}

@inline function foundAddress(index: i32): usize {
  return found + (<usize>index << 4);
}

export function sockGetAddrinfo(node: u32, nodeLength: u32, service: u32, serviceLength: u32, hints: u32, result: u32, maxResults: u32, resultCount: u32): u32 {
  if (!aligned(hints, 4) || !aligned(result, 4) || !aligned(resultCount, 4)) return ERRNO_ADDRNOTAVAIL;
  if (!inRange(node, nodeLength, 1) || !inRange(service, serviceLength, 1)) return ERRNO_FAULT;
  if (!inRange(hints, 1, ADDRINFO_BYTES) || !inRange(result, 1, 4) || !inRange(resultCount, 1, 4)) return ERRNO_FAULT;
  if (nodeLength == 0 && serviceLength == 0) return ERRNO_AINONAME;
  if (maxResults < 1) return ERRNO_AIMEMORY;
  copyIn(record, hints, ADDRINFO_BYTES);
  const flags = <u32>load<u16>(record);
  const family = <u32>load<u8>(record, 2);
  const socktype = <u32>load<u8>(record, 3);
  const protocol = <u32>load<u8>(record, 4);
  if ((flags & ~AI_ALL_FLAGS) != 0 || ((flags & AI_CANONNAME) != 0 && nodeLength == 0)) return ERRNO_AIBADFLAG;
  if (family != FAMILY_UNSPEC && family != FAMILY_INET4 && family != FAMILY_INET6) return ERRNO_AIFAMILY;
  if (protocol > PROTO_UDP || socktype > SOCK_STREAM) return ERRNO_NOSYS;
  const ipv6 = family == FAMILY_INET6;
  const count = min<u32>(maxResults, MAX_RECORDS);
  const walked = walkRecords(result, count, ipv6 ? SA_DATA6_BYTES : SA_DATA_BYTES);
  if (walked != ERRNO_SUCCESS) return walked;

  const port = servicePort(service, serviceLength, flags);
  if (port < 0) return <u32>-port;
  const addresses = nodeAddresses(node, nodeLength, flags, ipv6);
  if (addresses < 0) return <u32>-addresses;

  const wantStream = (socktype == SOCK_ANY || socktype == SOCK_STREAM) && protocol != PROTO_UDP;
  const wantDatagram = (socktype == SOCK_ANY || socktype == SOCK_DGRAM) && protocol != PROTO_TCP;
  let written: u32 = 0;
  for (let i: i32 = 0; i < addresses && written < count; i++) {
    if (wantStream && written < count) writeRecord(written++, flags, SOCK_STREAM, PROTO_TCP, ipv6, foundAddress(i), <u32>port, node, nodeLength, i == 0);
    if (wantDatagram && written < count) writeRecord(written++, flags, SOCK_DGRAM, PROTO_UDP, ipv6, foundAddress(i), <u32>port, node, nodeLength, i == 0 && !wantStream);
  }
  if (written == 0) return ERRNO_AINODATA;
  storeU32(resultCount, written);
  return ERRNO_SUCCESS;
}

/** Reads the first `count` records' pointers into `records`, checking each: SUCCESS, FAULT or INVAL (sa_data under `dataBytes`). */
function walkRecords(result: u32, count: u32, dataBytes: u32): u32 {
  copyIn(record, result, 4);
  let at = load<u32>(record);
  for (let i: u32 = 0; i < count; i++) {
    if (!aligned(at, 4) || !inRange(at, 1, ADDRINFO_BYTES) || !copyIn(record, at, ADDRINFO_BYTES)) return ERRNO_FAULT;
    const sockaddr = load<u32>(record, 12);
    const canonname = load<u32>(record, 16);
    const canonnameBytes = load<u32>(record, 20);
    if (!aligned(sockaddr, 4) || !inRange(sockaddr, 1, SOCKADDR_BYTES) || !copyIn(address, sockaddr, SOCKADDR_BYTES)) return ERRNO_FAULT;
    const saData = load<u32>(address, 8);
    const saDataBytes = load<u32>(address, 4);
    if (!inRange(saData, saDataBytes, 1) || !inRange(canonname, canonnameBytes, 1)) return ERRNO_FAULT;
    if (saDataBytes < dataBytes) return ERRNO_INVAL;
    const slot = <i32>i * 5;
    setRecordField(slot, at);
    setRecordField(slot + 1, sockaddr);
    setRecordField(slot + 2, saData);
    setRecordField(slot + 3, canonname);
    setRecordField(slot + 4, canonnameBytes);
    at = load<u32>(record, 24);
  }
  return ERRNO_SUCCESS;
}

/** The port the service names, or -errno (AINONAME, AISERVICE). */
function servicePort(service: u32, length: u32, flags: u32): i32 {
  if (length == 0) return 0;
  const name = appName(service, length);
  if (name === null) return -<i32>ERRNO_AISERVICE;
  let port: i32 = -1;
  if (name!.length > 0 && name!.length <= 5 && isDigits(name!)) port = I32.parseInt(name!);
  else if ((flags & AI_NUMERICSERV) != 0) return -<i32>ERRNO_AINONAME;
  else if (name! == "http") port = 80;
  else if (name! == "https") port = 443;
  else if (name! == "domain") port = 53;
  heap.free(changetype<usize>(name));
  if (port < 0 || port > 0xffff) return -<i32>ERRNO_AISERVICE;
  return port;
}

/** Resolves the node into `found`: the count, or -errno (AINONAME, AINODATA, AIAGAIN, AIFAIL). */
function nodeAddresses(node: u32, length: u32, flags: u32, ipv6: bool): i32 {
  if (length == 0) {
    if ((flags & AI_PASSIVE) == 0) storeLoopback(found, ipv6);
    else storeAddress(found, 0, ipv6 ? 0 : ipv4MappedLow(0)); // the unspecified address
    return 1;
  }
  const name = appName(node, length);
  if (name === null) return -<i32>ERRNO_AINONAME;
  const count = resolveHost(name!, (flags & AI_NUMERICHOST) != 0, ipv6, found);
  heap.free(changetype<usize>(name));
  if (count > 0) return count;
  if (count == RESOLVE_NO_NAME) return -<i32>ERRNO_AINONAME;
  if (count == RESOLVE_NO_DATA) return -<i32>ERRNO_AINODATA;
  if (count == RESOLVE_TRY_AGAIN) return -<i32>ERRNO_AIAGAIN;
  if (count == RESOLVE_NO_FAMILY) return -<i32>ERRNO_AIFAMILY;
  return -<i32>ERRNO_AIFAIL;
}

/** Fills record `index` with the address at `ip` (16 bytes; IPv4 mapped unless `ipv6`) and `port`. */
function writeRecord(index: u32, flags: u32, socktype: u32, protocol: u32, ipv6: bool, ip: usize, port: u32, node: u32, nodeLength: u32, first: bool): void {
  const slot = <i32>index * 5;
  const family = ipv6 ? FAMILY_INET6 : FAMILY_INET4;
  const dataBytes = ipv6 ? SA_DATA6_BYTES : SA_DATA_BYTES;
  memory.fill(record, 0, ADDRINFO_BYTES);
  copyIn(record, recordField(slot), ADDRINFO_BYTES); // keeps the app's pointers
  store<u16>(record, <u16>flags);
  store<u8>(record, <u8>family, 2);
  store<u8>(record, <u8>socktype, 3);
  store<u8>(record, <u8>protocol, 4);
  store<u32>(record, ipv6 ? SOCKADDR_IN6_BYTES : SOCKADDR_IN_BYTES, 8);
  let canonical: u32 = 0;
  if (first && (flags & AI_CANONNAME) != 0) {
    // The name as given (no CNAME is followed for it), if it fits the app's buffer with its NUL.
    const room = recordField(slot + 4);
    const name = nodeLength > 0 && nodeLength < room ? nodeLength : 0;
    if (name > 0 && copyNodeName(recordField(slot + 3), node, name)) canonical = name;
  }
  store<u32>(record, canonical, 20);
  copyOut(recordField(slot), record, ADDRINFO_BYTES);
  store<u8>(address, <u8>family);
  store<u32>(address, dataBytes, 4);
  store<u32>(address, recordField(slot + 2), 8);
  copyOut(recordField(slot + 1), address, 8); // family and length; sa_data's pointer stays the app's
  memory.fill(data, 0, dataBytes);
  store<u16>(data, bswap<u16>(<u16>port));
  if (ipv6) memory.copy(data + 6, ip, 16);
  else memory.copy(data + 2, ip + 12, 4); // the mapped form's last four bytes
  copyOut(recordField(slot + 2), data, dataBytes);
}

/** Copies the node name (`length` bytes at `node`) and a NUL to `target`. */
function copyNodeName(target: u32, node: u32, length: u32): bool {
  for (let i: u32 = 0; i < length; i++) {
    if (!copyIn(data, node + i, 1) || !copyOut(target + i, data, 1)) return false;
  }
  store<u8>(data, 0);
  return copyOut(target + length, data, 1);
}

/** The UTF-8 text at `address` (a trailing NUL, which the crate adds, dropped); null if it is not text. The caller frees it. */
function appName(address: u32, length: u32): string | null {
  if (length > 0 && copyIn(data, address + length - 1, 1) && load<u8>(data) == 0) length--;
  const text = new StringResult();
  if (appString(address, length, text) != ERRNO_SUCCESS) return null;
  return text.text;
}

function isDigits(text: string): bool {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
