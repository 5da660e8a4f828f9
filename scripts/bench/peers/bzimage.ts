// The vmlinux inside an x86 bzImage, for booting Linux the way QEMU boots
// Wisp: as an ELF with a PVH entry note.
//
// A bzImage is real-mode setup code, then the protected-mode decompressor,
// whose payload is the compressed kernel ELF (vmlinux.bin). The x86 boot
// protocol header (Documentation/arch/x86/boot.rst) says where the payload
// is, from version 2.08 on:
//
//   0x1f1  u8   setup_sects      sectors of setup code after the boot sector (0 means 4)
//   0x1fe  u16  boot_flag        0xaa55
//   0x202  u32  header           "HdrS"
//   0x206  u16  version          protocol version, 0x020f for Linux 6.1
//   0x248  u32  payload_offset   from the start of the protected-mode code,
//   0x24c  u32  payload_length   which begins at (setup_sects + 1) * 512
//
// The payload's first bytes name its compression; LZ4 (what Debian's cloud
// kernel uses) is decoded by lz4.ts, anything else is named in the error.

import { decompressLz4, isLz4 } from "./lz4";

const HEADER_MAGIC = 0x53726448; // "HdrS"
const BOOT_FLAG = 0xaa55;
const PAYLOAD_FIELDS_VERSION = 0x0208;
const SECTOR = 512;

export interface BzImageHeader {
  /** The boot protocol version, as 0xMMmm. */
  version: number;
  setupSectors: number;
  /** The payload's offset in the file (not in the protected-mode code). */
  payloadOffset: number;
  payloadLength: number;
}

/** Signatures of the other compressions a bzImage may carry, for the error message. */
const OTHER_COMPRESSIONS: Array<[string, number[]]> = [
  ["gzip", [0x1f, 0x8b]],
  ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ["zstd", [0x28, 0xb5, 0x2f, 0xfd]],
  ["bzip2", [0x42, 0x5a, 0x68]],
  ["lzma", [0x5d, 0x00, 0x00]],
  ["lzo", [0x89, 0x4c, 0x5a, 0x4f]],
];

/** Reads the setup header; a file that is not a bzImage with payload fields is an error naming what it is. */
export function readBzImageHeader(file: Uint8Array): BzImageHeader {
  if (file.length < 0x250) throw new Error(`not a bzImage: ${file.length} bytes is shorter than the setup header`);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = view.getUint32(0x202, true);
  if (magic !== HEADER_MAGIC || view.getUint16(0x1fe, true) !== BOOT_FLAG) {
    throw new Error(`not a bzImage: no "HdrS" setup header at 0x202 (found 0x${magic.toString(16).padStart(8, "0")})`);
  }
  const version = view.getUint16(0x206, true);
  if (version < PAYLOAD_FIELDS_VERSION) {
    throw new Error(`boot protocol ${versionText(version)} has no payload fields (they came with 2.08)`);
  }
  const setupSectors = file[0x1f1] || 4;
  const payloadOffset = (setupSectors + 1) * SECTOR + view.getUint32(0x248, true);
  const payloadLength = view.getUint32(0x24c, true);
  if (payloadOffset + payloadLength > file.length) {
    throw new Error(`the bzImage's payload (${payloadLength} bytes at ${payloadOffset}) runs past its end (${file.length} bytes)`);
  }
  return { version, setupSectors, payloadOffset, payloadLength };
}

/** The decompressed payload of a bzImage: the kernel's ELF image. */
export function extractVmlinux(file: Uint8Array): Uint8Array {
  const header = readBzImageHeader(file);
  const payload = file.subarray(header.payloadOffset, header.payloadOffset + header.payloadLength);
  if (isLz4(payload)) return decompressLz4(payload);
  const known = OTHER_COMPRESSIONS.find(([, signature]) => signature.every((byte, index) => payload[index] === byte));
  const found = known ? `${known[0]}, which this reader does not decode` : `an unknown format (starts ${hex(payload.subarray(0, 4))})`;
  throw new Error(`the bzImage's payload is ${found}; expected LZ4`);
}

export function versionText(version: number): string {
  return `${version >> 8}.${(version & 0xff).toString().padStart(2, "0")}`;
}

export function hex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join(" ");
}
