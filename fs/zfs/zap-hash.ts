// The fat ZAP's hash of a name: CRC-64 (ECMA-182 polynomial, reflected)
// seeded with the ZAP's salt, over the name's bytes without its NUL, keeping
// the top 28 bits (48 for ZAPs flagged HASH64). The top bits pick the
// pointer table slot and then the bucket within a leaf.

const POLYNOMIAL: u64 = 0xc96c5795d7870f42;
/** The CRC-64 table, made on first use (nothing is allocated at start). */
let table: StaticArray<u64> = changetype<StaticArray<u64>>(0);
let ready = false;

function fillTable(): void {
  table = new StaticArray<u64>(256);
  for (let i = 0; i < 256; i++) {
    let crc = <u64>i;
    for (let bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (POLYNOMIAL & (0 - (crc & 1)));
    unchecked(table[i] = crc);
  }
  ready = true;
}

export function zapHash(salt: u64, name: Uint8Array, bits: i32): u64 {
  if (!ready) fillTable();
  let hash = salt;
  for (let i = 0; i < name.length; i++) hash = (hash >> 8) ^ unchecked(table[<i32>((hash ^ <u64>name[i]) & 0xff)]);
  return hash & ~((<u64>1 << <u64>(64 - bits)) - 1);
}
