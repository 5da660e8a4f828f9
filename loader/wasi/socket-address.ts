// Socket addresses as WasmEdge's socket extension lays them out in app
// memory (loader/wasi/wasmedge.ts uses these):
//
//   __wasi_address_t (8 bytes, align 4)    0 buf u32 | 4 buf_len u32
//
// buf points at the address itself. Its length says what it is:
//   4     an IPv4 address, its four bytes in network order (10.0.2.2:
//         0a 00 02 02)
//   16    an IPv6 address
//   128   (the _v2 functions only) WasmEdge's address storage: the family
//         as a u16 little-endian at 0 (1 IPv4, 2 IPv6, 3 Unix), the address
//         bytes from 2
// Ports travel as separate u32 arguments or results, in host order. The
// stack speaks IPv4 only: an IPv6 address is AFNOSUPPORT.

import { copyIn, copyOut } from "../app-memory";
import { inRange } from "./memory";
import { ERRNO_SUCCESS, ERRNO_FAULT, ERRNO_INVAL, ERRNO_ADDRNOTAVAIL, ERRNO_AFNOSUPPORT } from "./errno";

/** WasmEdge's address families (__wasi_address_family_t). */
export const FAMILY_UNSPEC: u32 = 0;
export const FAMILY_INET4: u32 = 1;
export const FAMILY_INET6: u32 = 2;
export const FAMILY_UNIX: u32 = 3;

const ADDRESS_BYTES: u32 = 8;
const STORAGE_BYTES: u32 = 128;
const STORAGE_ADDRESS: u32 = 2;

/** What readAddress read: the IPv4 address as a u32 (10.0.2.2 is 0x0a000202). */
export let addressRead: u32 = 0;

const staging = memory.data(16);

/** Whether `address` is a multiple of `alignment` (WasmEdge answers ADDRNOTAVAIL for a misaligned pointer). */
export function aligned(address: u32, alignment: u32): bool {
  return (address & (alignment - 1)) == 0;
}

/**
 * Reads the __wasi_address_t at `pointer` into addressRead; `storage`
 * allows the 128-byte form. SUCCESS, ADDRNOTAVAIL (misaligned), FAULT,
 * INVAL (another length, or a storage of an unknown family), AFNOSUPPORT
 * (IPv6 or Unix).
 */
export function readAddress(pointer: u32, storage: bool): u32 {
  if (!aligned(pointer, 4)) return ERRNO_ADDRNOTAVAIL;
  if (!inRange(pointer, 1, ADDRESS_BYTES) || !copyIn(staging, pointer, ADDRESS_BYTES)) return ERRNO_FAULT;
  let buffer = load<u32>(staging);
  const length = load<u32>(staging, 4);
  if (!inRange(buffer, length, 1)) return ERRNO_FAULT;
  if (length == STORAGE_BYTES && storage) {
    if (!copyIn(staging, buffer, 2)) return ERRNO_FAULT;
    const family = <u32>load<u16>(staging);
    if (family == FAMILY_INET6 || family == FAMILY_UNIX) return ERRNO_AFNOSUPPORT;
    if (family != FAMILY_INET4) return ERRNO_INVAL;
    buffer += STORAGE_ADDRESS;
  } else if (length == 16) {
    return ERRNO_AFNOSUPPORT;
  } else if (length != 4) {
    return ERRNO_INVAL;
  }
  if (!copyIn(staging, buffer, 4)) return ERRNO_FAULT;
  addressRead = bswap<u32>(load<u32>(staging));
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
 * Checks that the __wasi_address_t at `pointer` can take an IPv4 address
 * the way `form` says: FORM_RAW (4 or 16 bytes), FORM_STORAGE (128 bytes)
 * or FORM_ANY (the three, or for recv_from V1 any length, written only if
 * at least 4). SUCCESS, ADDRNOTAVAIL, FAULT or INVAL.
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

/**
 * Writes the IPv4 `address` into the __wasi_address_t at `pointer`
 * (checked with checkAddressOut first): a 128-byte storage gets the family
 * and the address, a shorter buffer of at least 4 bytes the address alone.
 */
export function writeAddress(pointer: u32, address: u32): bool {
  const packed = addressBuffer(pointer);
  if (packed < 0) return false;
  const buffer = <u32>(packed & 0xffff_ffff);
  const length = <u32>(<u64>packed >> 32);
  store<u32>(staging, bswap<u32>(address));
  if (length == STORAGE_BYTES) {
    store<u16>(staging + 4, <u16>FAMILY_INET4);
    return copyOut(buffer, staging + 4, 2) && copyOut(buffer + STORAGE_ADDRESS, staging, 4);
  }
  return length < 4 || copyOut(buffer, staging, 4);
}
