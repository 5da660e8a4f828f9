// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, the zlib/PNG one): the
// checksum ROFS keeps of its superblock, its metadata and every data block.
//
// Slicing by 8: eight 256-entry tables let the loop take 8 bytes per step
// (about a quarter of the byte-at-a-time cost; every data block is checked
// when first read, so this is on the read path). The 8 KiB of tables is
// allocated and filled on first use, not kept in static data, which the
// kernel copies into place at every boot.

const POLYNOMIAL: u32 = 0xedb88320;
const TABLE_BYTES: usize = 256 * 4;
let tables: usize = 0;

function fillTables(): void {
  tables = heap.alloc(TABLE_BYTES * 8);
  for (let n: u32 = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? POLYNOMIAL ^ (c >>> 1) : c >>> 1;
    store<u32>(tables + (<usize>n << 2), c);
  }
  // Table k gives the CRC of a byte followed by k zero bytes.
  for (let k: usize = 1; k < 8; k++) {
    for (let n: usize = 0; n < 256; n++) {
      const previous = load<u32>(tables + (k - 1) * TABLE_BYTES + (n << 2));
      store<u32>(tables + k * TABLE_BYTES + (n << 2), (previous >>> 8) ^ load<u32>(tables + (<usize>(previous & 0xff) << 2)));
    }
  }
}

@inline function entry(table: usize, index: u32): u32 {
  return load<u32>(tables + table * TABLE_BYTES + (<usize>(index & 0xff) << 2));
}

/** Continues a CRC-32 over `length` bytes at `address` (start with crc = 0). */
export function crc32Update(crc: u32, address: usize, length: usize): u32 {
  if (tables == 0) fillTables();
  let c = ~crc;
  let p = address;
  const end = address + length;
  while (p + 8 <= end) {
    const low = load<u32>(p) ^ c;
    const high = load<u32>(p, 4);
    c = entry(7, low) ^ entry(6, low >>> 8) ^ entry(5, low >>> 16) ^ entry(4, low >>> 24)
      ^ entry(3, high) ^ entry(2, high >>> 8) ^ entry(1, high >>> 16) ^ entry(0, high >>> 24);
    p += 8;
  }
  while (p < end) {
    c = entry(0, c ^ <u32>load<u8>(p)) ^ (c >>> 8);
    p++;
  }
  return ~c;
}

/** The CRC-32 of `length` bytes at `address`. */
export function crc32(address: usize, length: usize): u32 {
  return crc32Update(0, address, length);
}
