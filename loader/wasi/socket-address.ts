// Socket addresses as WasmEdge's socket extension lays them out in app
// memory (loader/wasi/wasmedge.ts uses these):
//
//   __wasi_address_t (8 bytes, align 4)    0 buf u32 | 4 buf_len u32
//
// buf points at the address itself. Its length says what it is:
//   4     an IPv4 address, its four bytes in network order (10.0.2.2:
//         0a 00 02 02)
//   16    an IPv6 address, its sixteen bytes in network order
//   128   (the _v2 functions only) WasmEdge's address storage: the family
//         as a u16 little-endian at 0 (1 IPv4, 2 IPv6, 3 Unix), the address
//         bytes from 2
// Ports travel as separate u32 arguments or results, in host order.
// Addresses read are kernel/net's pairs (index.ts: an IPv4 one in its
// mapped form); a Unix address is AFNOSUPPORT.

import { copyIn, copyOut } from "../app-memory";
import { inRange } from "./memory";
import { ERRNO_SUCCESS, ERRNO_FAULT, ERRNO_INVAL, ERRNO_ADDRNOTAVAIL, ERRNO_AFNOSUPPORT } from "./errno";
import { ipv4MappedLow, ipv4OfMapped, isIpv4Mapped } from "../../kernel/net/ipv6-address";

/** WasmEdge's address families (__wasi_address_family_t). */
export const FAMILY_UNSPEC: u32 = 0;
export const FAMILY_INET4: u32 = 1;
export const FAMILY_INET6: u32 = 2;
export const FAMILY_UNIX: u32 = 3;

const ADDRESS_BYTES: u32 = 8;
const STORAGE_BYTES: u32 = 128;
const STORAGE_ADDRESS: u32 = 2;

/** What readAddress read: the address as a pair (IPv4 mapped), and its family. */
export let addressHigh: u64 = 0;
export let addressLow: u64 = 0;
export let addressFamily: u32 = FAMILY_INET4;

const staging = memory.data(16);

/** Whether `address` is a multiple of `alignment` (WasmEdge answers ADDRNOTAVAIL for a misaligned pointer). */
export function aligned(address: u32, alignment: u32): bool {
  return (address & (alignment - 1)) == 0;
}

/**
 * Reads the __wasi_address_t at `pointer` into addressHigh/addressLow and
 * addressFamily; `storage` allows the 128-byte form. SUCCESS, ADDRNOTAVAIL
 * (misaligned), FAULT, INVAL (another length, or a storage of an unknown
 * family), AFNOSUPPORT (Unix).
 */
export function readAddress(pointer: u32, storage: bool): u32 {
  if (!aligned(pointer, 4)) return ERRNO_ADDRNOTAVAIL;
  if (!inRange(pointer, 1, ADDRESS_BYTES) || !copyIn(staging, pointer, ADDRESS_BYTES)) return ERRNO_FAULT;
  let buffer = load<u32>(staging);
  const length = load<u32>(staging, 4);
  if (!inRange(buffer, length, 1)) return ERRNO_FAULT;
  let family = FAMILY_INET4;
  if (length == STORAGE_BYTES && storage) {
    if (!copyIn(staging, buffer, 2)) return ERRNO_FAULT;
    family = <u32>load<u16>(staging);
    if (family == FAMILY_UNIX) return ERRNO_AFNOSUPPORT;
    if (family != FAMILY_INET4 && family != FAMILY_INET6) return ERRNO_INVAL;
    buffer += STORAGE_ADDRESS;
  } else if (length == 16) {
    family = FAMILY_INET6;
  } else if (length != 4) {
    return ERRNO_INVAL;
  }
  if (family == FAMILY_INET6) {
    if (!copyIn(staging, buffer, 16)) return ERRNO_FAULT;
    addressHigh = load<u64>(staging);
    addressLow = load<u64>(staging, 8);
  } else {
    if (!copyIn(staging, buffer, 4)) return ERRNO_FAULT;
    addressHigh = 0;
    addressLow = ipv4MappedLow(bswap<u32>(load<u32>(staging)));
  }
  addressFamily = family;
  return ERRNO_SUCCESS;
}

/** The buffer and length of the __wasi_address_t at `pointer`, packed as buffer | length << 32; -1 if it cannot be read. */
function addressBuffer(pointer: u32): i64 {
  if (!inRange(pointer, 1, ADDRESS_BYTES) || !copyIn(staging, pointer, ADDRESS_BYTES)) return -1;
  const buffer = load<u32>(staging);
  const length = load<u32>(staging, 4);
  if (!inRange(buffer, length, 1)) return -1;
  return <i64>(<u64>buffer | (<u64>length << 32));
}

/**
 * Checks that the __wasi_address_t at `pointer` can take an address the
 * way `form` says: FORM_RAW (4 or 16 bytes), FORM_STORAGE (128 bytes) or
 * FORM_ANY (the three, or for recv_from V1 any length, written only if it
 * fits). SUCCESS, ADDRNOTAVAIL, FAULT or INVAL.
 */
export const FORM_RAW: u32 = 0;
export const FORM_STORAGE: u32 = 1;
export const FORM_RAW_OR_STORAGE: u32 = 2;
export const FORM_ANY: u32 = 3;

export function checkAddressOut(pointer: u32, form: u32): u32 {
  if (!aligned(pointer, 4)) return ERRNO_ADDRNOTAVAIL;
  const packed = addressBuffer(pointer);
  if (packed < 0) return ERRNO_FAULT;
  const length = <u32>(<u64>packed >> 32);
  if (form == FORM_ANY) return ERRNO_SUCCESS;
  const raw = length == 4 || length == 16;
  const storage = length == STORAGE_BYTES;
  if (form == FORM_RAW && !raw) return ERRNO_INVAL;
  if (form == FORM_STORAGE && !storage) return ERRNO_INVAL;
  if (form == FORM_RAW_OR_STORAGE && !raw && !storage) return ERRNO_INVAL;
  return ERRNO_SUCCESS;
}

/** The family an address is written in: IPv6 for an IPv6 socket's (an IPv4 peer mapped, as Linux does) and for a true IPv6 address. */
export function familyOf(high: u64, low: u64, ipv6Socket: bool): u32 {
  return ipv6Socket || !isIpv4Mapped(high, low) ? FAMILY_INET6 : FAMILY_INET4;
}

/** Whether the __wasi_address_t at `pointer` has room for an address of `family` (a storage always has). */
export function addressFits(pointer: u32, family: u32): bool {
  const packed = addressBuffer(pointer);
  const length = <u32>(<u64>packed >> 32);
  return packed >= 0 && (length == STORAGE_BYTES || length >= (family == FAMILY_INET6 ? 16 : 4));
}

/**
 * Writes the address (high, low) in `family` (familyOf's) into the
 * __wasi_address_t at `pointer` (checked with checkAddressOut first): a
 * 128-byte storage gets the family and the address, a shorter buffer the
 * address alone when it fits (4 bytes for IPv4, 16 for IPv6). False when
 * the app's memory cannot take it.
 */
export function writeAddress(pointer: u32, high: u64, low: u64, family: u32): bool {
  const packed = addressBuffer(pointer);
  if (packed < 0) return false;
  const buffer = <u32>(packed & 0xffff_ffff);
  const length = <u32>(<u64>packed >> 32);
  let size: u32 = 16;
  if (family == FAMILY_INET6) {
    store<u64>(staging, high);
    store<u64>(staging, low, 8);
  } else {
    store<u32>(staging, bswap<u32>(ipv4OfMapped(low)));
    size = 4;
  }
  if (length == STORAGE_BYTES) {
    store<u16>(familyStaging, <u16>family);
    return copyOut(buffer, familyStaging, 2) && copyOut(buffer + STORAGE_ADDRESS, staging, size);
  }
  return length < size || copyOut(buffer, staging, size);
}

const familyStaging = memory.data(2);
