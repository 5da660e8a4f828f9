// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, the zlib/PNG one): the
// checksum ROFS keeps of its superblock, its metadata and every data block.
//
// One 256-entry table, filled on first use, kept in static memory: nothing
// is allocated.

const POLYNOMIAL: u32 = 0xedb88320;
const table = memory.data(256 * 4);
let tableReady = false;

function fillTable(): void {
  for (let n: u32 = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? POLYNOMIAL ^ (c >>> 1) : c >>> 1;
    store<u32>(table + (<usize>n << 2), c);
  }
  tableReady = true;
}

/** Continues a CRC-32 over `length` bytes at `address` (start with crc = 0). */
export function crc32Update(crc: u32, address: usize, length: usize): u32 {
  if (!tableReady) fillTable();
  let c = ~crc;
  const end = address + length;
  for (let p = address; p < end; p++) {
    c = load<u32>(table + (<usize>((c ^ <u32>load<u8>(p)) & 0xff) << 2)) ^ (c >>> 8);
  }
  return ~c;
}

/** The CRC-32 of `length` bytes at `address`. */
export function crc32(address: usize, length: usize): u32 {
  return crc32Update(0, address, length);
}
