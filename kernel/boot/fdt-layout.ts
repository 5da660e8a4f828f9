// Flattened device tree layouts (devicetree specification v0.4, chapter 5):
// the header, the record after an FDT_PROP token, and the three-cell GIC
// interrupt specifier. Every field is a big-endian u32: the classes hold the
// words as stored and their @inline getters swap them. Nothing here checks
// bounds; fdt.ts takes a structure only where it has checked the bytes.
//
//   FdtHeader (40 bytes)                 FdtProperty (8 bytes)
//    0 +----------------------+           0 +---------------+
//      | magic 0xd00dfeed     |             | length        |  value bytes
//    4 | totalSize            |           4 | nameOffset    |  into the strings block
//    8 | structOffset         |           8 +---------------+  the value follows, padded to 4
//   12 | stringsOffset        |
//   16 | memoryReserveOffset  |          GicSpecifier (12 bytes, one per `interrupts` group)
//   20 | version              |           0 +---------------+
//   24 | lastCompatible       |             | type          |  GIC_SPI 0, GIC_PPI 1
//   28 | bootCpu              |           4 | number        |  SPI or PPI number
//   32 | stringsSize          |           8 | flags         |  trigger type
//   36 | structSize           |          12 +---------------+
//   40 +----------------------+
//
// The structure block is a stream of these u32 tokens, each padded to 4 bytes.

export const FDT_MAGIC: u32 = 0xd00dfeed;
export const FDT_BEGIN_NODE: u32 = 1;
export const FDT_END_NODE: u32 = 2;
export const FDT_PROP: u32 = 3;
export const FDT_NOP: u32 = 4;
export const FDT_END: u32 = 9;

@unmanaged
export class FdtHeader {
  magicWord: u32;
  totalSizeWord: u32;
  structOffsetWord: u32;
  stringsOffsetWord: u32;
  memoryReserveOffsetWord: u32;
  versionWord: u32;
  lastCompatibleWord: u32;
  bootCpuWord: u32;
  stringsSizeWord: u32;
  structSizeWord: u32;

  // @ts-ignore: decorator
  @inline get magic(): u32 { return bswap<u32>(this.magicWord); }
  // @ts-ignore: decorator
  @inline get totalSize(): u32 { return bswap<u32>(this.totalSizeWord); }
  // @ts-ignore: decorator
  @inline get structOffset(): u32 { return bswap<u32>(this.structOffsetWord); }
  // @ts-ignore: decorator
  @inline get stringsOffset(): u32 { return bswap<u32>(this.stringsOffsetWord); }
  // @ts-ignore: decorator
  @inline get stringsSize(): u32 { return bswap<u32>(this.stringsSizeWord); }
  // @ts-ignore: decorator
  @inline get structSize(): u32 { return bswap<u32>(this.structSizeWord); }
}

@unmanaged
export class FdtProperty {
  lengthWord: u32;
  nameOffsetWord: u32;

  // @ts-ignore: decorator
  @inline get length(): u32 { return bswap<u32>(this.lengthWord); }
  // @ts-ignore: decorator
  @inline get nameOffset(): u32 { return bswap<u32>(this.nameOffsetWord); }
}

@unmanaged
export class GicSpecifier {
  typeWord: u32;
  numberWord: u32;
  flagsWord: u32;

  // @ts-ignore: decorator
  @inline get type(): u32 { return bswap<u32>(this.typeWord); }
  // @ts-ignore: decorator
  @inline get number(): u32 { return bswap<u32>(this.numberWord); }
}

export const FDT_HEADER_BYTES: usize = offsetof<FdtHeader>();
export const FDT_PROPERTY_BYTES: usize = offsetof<FdtProperty>();
export const GIC_SPECIFIER_BYTES: usize = offsetof<GicSpecifier>();
