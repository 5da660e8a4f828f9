// How much room a dataset has, reckoned as ZFS reckons it, so that statfs
// here and `zfs get available` on the host agree to the byte:
//
//   - the pool's space is its metaslabs' total (a top-level vdev's asize
//     rounded down to whole metaslabs, summed over the top-level vdevs);
//   - of that, 1/64 and at least 32 MiB is kept back (the slop), so that a
//     full pool can still sync its metadata and free space;
//   - a DSL directory may grow up to its quota and its parent's room, the
//     pool's root directory up to the pool's space less the slop, and a
//     reservation it has not used yet widens its parent's room;
//   - the dataset's objects: the fill count of its object set's block
//     pointer; it may have up to 2^48.
//
// The statfs record (docs/modules.md, fs_statfs) counts 512-byte blocks:
// total = referenced + available, free = available (nothing is set aside
// for a superuser), and free files as many as free blocks at most.
//
// Not taken into account: a dataset's refquota and refreservation (held in
// its property ZAP, not its DSL records).

const SLOP_SHIFT: u64 = 6;
const SLOP_MIN: u64 = 32 << 20;
const MAX_OBJECTS: u64 = <u64>1 << 48;
const BLOCK_SHIFT: u64 = 9;
export const STATFS_RECORD: i32 = 48;

/** The DSL directory record's space fields (dsl_dir_phys_t). */
export const DIR_USED: i32 = 40;
export const DIR_QUOTA: i32 = 64;
export const DIR_RESERVED: i32 = 72;
/** The dataset record's referenced bytes (dsl_dataset_phys_t). */
export const DATASET_REFERENCED: i32 = 72;
/** Where a block pointer keeps its fill count. */
export const POINTER_FILL: i32 = 88;

/** One DSL directory's space: bytes used (itself and below), its quota and its reservation (0: none). */
export class DirSpace {
  constructor(public used: u64, public quota: u64, public reserved: u64) {}
}

/** A dataset's space: its directories from the pool's root down to its own, what it references, its objects. */
export class DatasetSpace {
  dirs: Array<DirSpace> = new Array<DirSpace>();
  referenced: u64 = 0;
  objects: u64 = 0;
}

/** The space ZFS keeps back in a pool of `poolBytes`. */
export function slop(poolBytes: u64): u64 {
  return max<u64>(poolBytes >> SLOP_SHIFT, SLOP_MIN);
}

/** The bytes the last directory of `dirs` (the root first) may still grow by, in a pool of `poolBytes`. */
export function availableBytes(poolBytes: u64, dirs: Array<DirSpace>): u64 {
  const kept = slop(poolBytes);
  let room = u64.MAX_VALUE;
  for (let i = 0; i < dirs.length; i++) {
    const dir = dirs[i];
    let quota = dir.quota != 0 ? dir.quota : u64.MAX_VALUE;
    if (i == 0) quota = min<u64>(quota, poolBytes > kept ? poolBytes - kept : 0);
    if (i > 0 && dir.reserved > dir.used) room += dir.reserved - dir.used;
    room = min<u64>(room, dir.used > quota ? 0 : quota - dir.used);
  }
  return room;
}

/** Writes the statfs record at `out` for a dataset referencing `referenced` bytes with `available` to spare and `objects` objects. */
export function storeStatfs(out: usize, referenced: u64, available: u64, objects: u64): void {
  const free = available >> BLOCK_SHIFT;
  const filesFree = min<u64>(MAX_OBJECTS - min<u64>(objects, MAX_OBJECTS), free);
  store<u32>(out, 1 << <u32>BLOCK_SHIFT, 0);
  store<u32>(out, 0, 4);
  store<u64>(out, (referenced + available) >> BLOCK_SHIFT, 8);
  store<u64>(out, free, 16);
  store<u64>(out, free, 24);
  store<u64>(out, objects + filesFree, 32);
  store<u64>(out, filesFree, 40);
}
