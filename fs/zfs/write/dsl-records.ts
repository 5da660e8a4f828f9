// The bonus records of the DSL, as the MOS keeps them: a DSL directory
// (dsl_dir_phys_t, 256 bytes) and a dataset (dsl_dataset_phys_t, 320
// bytes). dsl.ts reads the fields it needs; these write all of them.
//
//   directory: +0 creation time  +8 head dataset  +16 parent  +24 origin
//     +32 child map  +40 used  +48 compressed  +56 uncompressed  +64 quota
//     +72 reserved  +80 props  +88 delegations  +96 flags
//     +104 used by: head, snapshots, children, child reservation (+128), refreservation
//   dataset: +0 directory  +8 previous snapshot  +16 its txg  +24 next
//     snapshot  +32 snapshot names  +40 children  +48 creation time
//     +56 creation txg  +64 dead list  +72 used  +80 compressed
//     +88 uncompressed  +96 unique  +104 fsid guid  +112 guid  +120 flags
//     +128 object set block pointer  +256 next clones  +264 props
//     +272 user references

import { storeLe64, le64 } from "../bytes";
import { BLOCK_POINTER_SIZE } from "../blkptr";

export const DIR_BONUS_BYTES: i32 = 256;
export const DATASET_BONUS_BYTES: i32 = 320;
/** dd_flags: the used breakdown is kept. */
export const DIR_FLAG_USED_BREAKDOWN: u64 = 1;
/** ds_flags: unique bytes are exact. */
export const DATASET_FLAG_UNIQUE_ACCURATE: u64 = 4;

export class DirRecord {
  creationTime: u64 = 0;
  headDataset: u64 = 0;
  parent: u64 = 0;
  origin: u64 = 0;
  childMap: u64 = 0;
  used: u64 = 0;
  compressed: u64 = 0;
  uncompressed: u64 = 0;
  props: u64 = 0;
  /** Quota and reservation (0: none): read from disk, kept in `raw`, never set here. */
  quota: u64 = 0;
  reserved: u64 = 0;
  flags: u64 = DIR_FLAG_USED_BREAKDOWN;
  usedByHead: u64 = 0;
  usedBySnapshots: u64 = 0;
  usedByChildren: u64 = 0;
  /** Children's reservations beyond what they use. */
  usedByChildReservation: u64 = 0;
  /** The record as read from disk: fields this writer does not set (quota, reservations, delegations) are kept. */
  raw: Uint8Array | null = null;

  static read(bonus: Uint8Array): DirRecord {
    const record = new DirRecord();
    record.raw = bonus.slice(0);
    record.creationTime = le64(bonus, 0);
    record.headDataset = le64(bonus, 8);
    record.parent = le64(bonus, 16);
    record.origin = le64(bonus, 24);
    record.childMap = le64(bonus, 32);
    record.used = le64(bonus, 40);
    record.compressed = le64(bonus, 48);
    record.uncompressed = le64(bonus, 56);
    record.quota = le64(bonus, 64);
    record.reserved = le64(bonus, 72);
    record.props = le64(bonus, 80);
    record.flags = le64(bonus, 96);
    record.usedByHead = le64(bonus, 104);
    record.usedBySnapshots = le64(bonus, 112);
    record.usedByChildren = le64(bonus, 120);
    record.usedByChildReservation = le64(bonus, 128);
    return record;
  }

  write(bonus: Uint8Array): void {
    const raw = this.raw;
    if (raw !== null && raw.length == bonus.length) bonus.set(raw!);
    else bonus.fill(0);
    storeLe64(bonus, 0, this.creationTime);
    storeLe64(bonus, 8, this.headDataset);
    storeLe64(bonus, 16, this.parent);
    storeLe64(bonus, 24, this.origin);
    storeLe64(bonus, 32, this.childMap);
    storeLe64(bonus, 40, this.used);
    storeLe64(bonus, 48, this.compressed);
    storeLe64(bonus, 56, this.uncompressed);
    storeLe64(bonus, 80, this.props);
    storeLe64(bonus, 96, this.flags);
    storeLe64(bonus, 104, this.usedByHead);
    storeLe64(bonus, 112, this.usedBySnapshots);
    storeLe64(bonus, 120, this.usedByChildren);
    storeLe64(bonus, 128, this.usedByChildReservation);
  }
}

export class DatasetRecord {
  directory: u64 = 0;
  previousSnapshot: u64 = 0;
  previousSnapshotTxg: u64 = 0;
  nextSnapshot: u64 = 0;
  snapshotNames: u64 = 0;
  children: u64 = 0;
  creationTime: u64 = 0;
  creationTxg: u64 = 0;
  deadList: u64 = 0;
  used: u64 = 0;
  compressed: u64 = 0;
  uncompressed: u64 = 0;
  unique: u64 = 0;
  fsidGuid: u64 = 0;
  guid: u64 = 0;
  flags: u64 = DATASET_FLAG_UNIQUE_ACCURATE;
  /** The object set's block pointer (128 bytes; all zero: none). */
  objset: Uint8Array = new Uint8Array(BLOCK_POINTER_SIZE);
  nextClones: u64 = 0;
  /** The record as read from disk (fields this writer does not set are kept). */
  raw: Uint8Array | null = null;

  static read(bonus: Uint8Array): DatasetRecord {
    const record = new DatasetRecord();
    record.raw = bonus.slice(0);
    record.directory = le64(bonus, 0);
    record.previousSnapshot = le64(bonus, 8);
    record.previousSnapshotTxg = le64(bonus, 16);
    record.nextSnapshot = le64(bonus, 24);
    record.snapshotNames = le64(bonus, 32);
    record.children = le64(bonus, 40);
    record.creationTime = le64(bonus, 48);
    record.creationTxg = le64(bonus, 56);
    record.deadList = le64(bonus, 64);
    record.used = le64(bonus, 72);
    record.compressed = le64(bonus, 80);
    record.uncompressed = le64(bonus, 88);
    record.unique = le64(bonus, 96);
    record.fsidGuid = le64(bonus, 104);
    record.guid = le64(bonus, 112);
    record.flags = le64(bonus, 120);
    record.objset = bonus.slice(128, 256);
    record.nextClones = le64(bonus, 256);
    return record;
  }

  write(bonus: Uint8Array): void {
    const raw = this.raw;
    if (raw !== null && raw.length == bonus.length) bonus.set(raw!);
    else bonus.fill(0);
    storeLe64(bonus, 0, this.directory);
    storeLe64(bonus, 8, this.previousSnapshot);
    storeLe64(bonus, 16, this.previousSnapshotTxg);
    storeLe64(bonus, 24, this.nextSnapshot);
    storeLe64(bonus, 32, this.snapshotNames);
    storeLe64(bonus, 40, this.children);
    storeLe64(bonus, 48, this.creationTime);
    storeLe64(bonus, 56, this.creationTxg);
    storeLe64(bonus, 64, this.deadList);
    storeLe64(bonus, 72, this.used);
    storeLe64(bonus, 80, this.compressed);
    storeLe64(bonus, 88, this.uncompressed);
    storeLe64(bonus, 96, this.unique);
    storeLe64(bonus, 104, this.fsidGuid);
    storeLe64(bonus, 112, this.guid);
    storeLe64(bonus, 120, this.flags);
    bonus.set(this.objset, 128);
    storeLe64(bonus, 256, this.nextClones);
  }
}
