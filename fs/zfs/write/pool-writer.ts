// A pool being written: one device holding one top-level vdev, its MOS and
// its root dataset's file system. create() lays a fresh pool out as
// zfs-fuse makes one (pool version 23), and every sync() is a transaction
// group:
//
//   1. the file system's changed objects, its dnode array and object set
//      block (zpl.ts, objset.ts), copy-on-write;
//   2. the MOS in sync passes: the dataset and DSL directory records take
//      the new object set pointer and space figures, the space maps take
//      this txg's allocations and frees (space.ts), and the MOS is written;
//      another pass whenever that changed what the records say (a block
//      born in this txg is written again in place, blocks.ts; from pass 4
//      metadata goes uncompressed so sizes stop moving);
//   3. a flush; the uberblock into ring slot txg % 128 of all four labels
//      (and, at creation and export, the labels' configuration); a flush.
//
// A crash before the uberblock leaves the previous txg's tree whole:
// nothing it references was written over (frees wait two txgs, space.ts).
//
// MOS objects of a fresh pool: 1 the object directory, the root DSL
// directory with its props and child map ($MOS and $ORIGIN directories,
// each with props and child map), the $ORIGIN head and its snapshot (with
// snapshot map, dead lists and next-clones map), the root dataset (snapshot
// map, dead list), the packed configuration, the sync bplist, the
// metaslab array, and a space map per metaslab in use.

import { NvWriter } from "../nvlist-write";
import { configRegion, uberblockSlot, UberblockFields } from "../label-write";
import { labelOffset, LABEL_SIZE, CONFIG_AT, RING_AT, LABELS } from "../label";
import { storeLe64, le64 } from "../bytes";
import { deviceFlush, deviceWrite, timeNow } from "../host";
import { EINVAL, EIO, ENOSPC } from "../errno";
import { BlockWriter, DATA_START } from "./blocks";
import { ObjectWriter } from "./object";
import { ObjsetWriter, SpaceTotals } from "./objset";
import { VdevSpace, SPACE_MAP_BLOCK, SPACE_MAP_HEADER_BYTES, Metaslab } from "./space";
import { DirRecord, DatasetRecord, DIR_BONUS_BYTES, DATASET_BONUS_BYTES } from "./dsl-records";
import { ZapEntry, layOutZap } from "./zap";
import { ZplWriter } from "./zpl";
import { Random } from "./random";
import { WrittenVdev, Side } from "./vdev";
import { DirSpace, availableBytes, storeStatfs, POINTER_FILL } from "../space";

const POOL_VERSION: u64 = 23;
const OBJSET_TYPE_META: u64 = 1;
const CREATE_TXG: u64 = 4;
/** The origin snapshot's txg, before which nothing a dataset holds was born. */
const ORIGIN_TXG: u64 = 1;
export const POOL_STATE_ACTIVE: u64 = 0;
export const POOL_STATE_EXPORTED: u64 = 1;
const BOOT_AREA: u64 = 7 << 19;
/** The uberblock ring's size in each label; a slot is 2^max(ashift, 10) bytes, at most 8 KiB (label.ts reads the same). */
const RING_BYTES: u64 = 128 << 10;
const SLOT_SHIFT_MIN: i32 = 10;
const SLOT_SHIFT_MAX: i32 = 13;
/** The sector sizes written: 2^9 to 2^13 bytes. */
export const ASHIFT_MIN: i32 = 9;
export const ASHIFT_MAX: i32 = 13;
const MAX_PASSES: i32 = 12;
const PLAIN_FROM_PASS: i32 = 4;

// MOS object types (and bonus types).
const TYPE_OBJECT_DIRECTORY: u32 = 1;
const TYPE_OBJECT_ARRAY: u32 = 2;
const TYPE_PACKED_NVLIST: u32 = 3;
const TYPE_PACKED_NVLIST_SIZE: u32 = 4;
const TYPE_BPLIST: u32 = 5;
const TYPE_BPLIST_HEADER: u32 = 6;
const TYPE_SPACE_MAP_HEADER: u32 = 7;
const TYPE_SPACE_MAP: u32 = 8;
const TYPE_DSL_DIR: u32 = 12;
const TYPE_DSL_DIR_CHILD_MAP: u32 = 13;
const TYPE_DSL_DS_SNAP_MAP: u32 = 14;
const TYPE_DSL_PROPS: u32 = 15;
const TYPE_DSL_DATASET: u32 = 16;
const TYPE_NEXT_CLONES: u32 = 37;
const BPLIST_HEADER_BYTES: i32 = 32;

/** What a new pool is made with. */
export class PoolOptions {
  name: string = "";
  /** The device path recorded in the labels (zpool import finds devices by scanning; this is a hint). */
  path: string = "";
  seed: u64 = 0;
  /** Seconds since the epoch, for creation times (0: the clock's). */
  time: u64 = 0;
  /** Every time stamp is `time` (a reproducible image). */
  fixedTime: bool = false;
  /** The root dataset's data checksum and compression functions and copies. */
  checksum: u32 = 7;
  compression: u32 = 2;
  copies: i32 = 1;
  rootMode: u64 = 0o755;
  /** The vdev's sector size, 2^ashift bytes (ASHIFT_MIN..ASHIFT_MAX): its allocation unit. */
  ashift: i32 = ASHIFT_MIN;
}

export class DslObjects {
  directory: u64 = 0;
  rootDir: u64 = 0;
  rootProps: u64 = 0;
  rootChildren: u64 = 0;
  mosDir: u64 = 0;
  originDir: u64 = 0;
  originHead: u64 = 0;
  originSnapshot: u64 = 0;
  head: u64 = 0;
  config: u64 = 0;
  syncBplist: u64 = 0;
  metaslabArray: u64 = 0;
}

export class PoolWriter {
  guid: u64 = 0;
  /** The devices written: one, or a mirror's sides. */
  vdev: WrittenVdev;
  txg: u64 = CREATE_TXG;
  space: VdevSpace;
  writer: BlockWriter;
  mos: ObjsetWriter;
  zpl: ZplWriter;
  random: Random;
  objects: DslObjects = new DslObjects();
  rootDir: DirRecord = new DirRecord();
  mosDir: DirRecord = new DirRecord();
  head: DatasetRecord = new DatasetRecord();
  error: i32 = 0;
  why: string = "";
  /** Labels' configuration to write with the next uberblock (creation, export). */
  configDirty: bool = true;
  state: u64 = POOL_STATE_ACTIVE;
  /** Each metaslab's space map content as last put into its object. */
  mapContents: Map<i32, Uint8Array> = new Map<i32, Uint8Array>();

  /**
   * When the dataset written is a child: the DSL directories below the
   * root's, down to its own (the last), their MOS objects, and their records
   * as opened. Empty for the root dataset.
   */
  lowerDirs: Array<DirRecord> = new Array<DirRecord>();
  lowerIds: Array<u64> = new Array<u64>();
  lowerBases: Array<DirRecord> = new Array<DirRecord>();
  /** The dataset's name below the pool ("" for the root dataset). */
  datasetPath: string = "";

  /** DSL figures as they were when the pool was opened (zero for a new pool): the records move by what changed since. */
  rootBase: DirRecord = new DirRecord();
  headBase: SpaceTotals = new SpaceTotals();
  mosBase: SpaceTotals = new SpaceTotals();

  /**
   * A pool on `vdev` (a new pool: one device); `asize` and `shift`
   * (metaslab size) as an existing pool's configuration has them, or 0 to
   * size a new one on the (first) device.
   */
  constructor(vdev: WrittenVdev, public options: PoolOptions, asize: u64 = 0, shift: i32 = 0) {
    this.vdev = vdev;
    const deviceSize = vdev.sides[0].size;
    const random = new Random(options.seed != 0 ? options.seed : <u64>timeNow() ^ deviceSize);
    this.random = random;
    const aligned = deviceSize & ~(<u64>LABEL_SIZE - 1);
    if (asize == 0) asize = aligned - 4 * <u64>LABEL_SIZE - BOOT_AREA;
    const space = new VdevSpace(asize, shift, options.ashift);
    const writer = new BlockWriter(space, vdev.devices, CREATE_TXG);
    this.space = space;
    this.writer = writer;
    const mos = new ObjsetWriter(OBJSET_TYPE_META, 1, writer);
    mos.metaCopies = 3;
    mos.dataCopies = 3;
    this.mos = mos;
    this.zpl = new ZplWriter(random, writer);
    this.zpl.dataChecksum = options.checksum;
    this.zpl.dataCompression = options.compression;
    this.zpl.dataCopies = options.copies;
    this.zpl.metaCopies = min(options.copies + 1, 3);
    this.measureRoom();
  }

  get name(): string {
    return this.options.name;
  }

  /** The top-level vdev's guid (a lone device's own). */
  get vdevGuid(): u64 {
    return this.vdev.guid;
  }

  set vdevGuid(guid: u64) {
    this.vdev.guid = guid;
    if (!this.vdev.mirror) this.vdev.sides[0].guid = guid;
  }

  /** Flushes every device; false (with `error`, `why`) when one fails. */
  private flushAll(): bool {
    for (let i = 0; i < this.vdev.sides.length; i++) {
      if (deviceFlush(this.vdev.sides[i].device) < 0) return this.fail(-EIO, "flushing the device failed");
    }
    return true;
  }

  /** The written dataset's full name: the pool's, or POOL/PATH for a child. */
  get datasetName(): string {
    return this.datasetPath == "" ? this.options.name : this.options.name + "/" + this.datasetPath;
  }

  private fail(error: i32, why: string): bool {
    this.error = error;
    this.why = why;
    return false;
  }

  /** The smallest device a pool fits on: labels, boot area and a few metaslabs. */
  static minimumSize(): u64 {
    return 64 << 20;
  }

  /** The time for changes (nanoseconds): the clock, or the time the options fixed. */
  now(): i64 {
    const clock = timeNow();
    return this.options.fixedTime || clock <= 0 ? <i64>this.options.time * 1_000_000_000 : clock;
  }

  /** Lays out a fresh pool's objects and syncs them as its first txg; false on error (`error`, `why`). */
  create(): bool {
    if (this.vdev.sides[0].size < PoolWriter.minimumSize()) return this.fail(-EINVAL, "the device is smaller than 64 MiB, the smallest pool");
    if (this.space.metaslabs.length < 4) return this.fail(-EINVAL, "the device leaves too little space for a pool");
    if (this.options.time == 0) this.options.time = <u64>(max<i64>(timeNow(), 0) / 1_000_000_000);
    else this.options.fixedTime = true;
    this.guid = this.random.guid();
    this.vdevGuid = this.random.guid();
    if (!this.clearLabels()) return false;
    this.zpl.txg = this.txg;
    this.zpl.now = this.now();
    this.zpl.initialize(this.options.rootMode, 0, 0);
    this.buildMos();
    this.configDirty = true;
    return this.sync();
  }

  private clearLabels(): bool {
    const zeros = new Uint8Array(<i32>LABEL_SIZE);
    const side = this.vdev.sides[0];
    for (let i = 0; i < LABELS; i++) {
      if (deviceWrite(side.device, labelOffset(<i64>side.size, i), zeros.dataStart, zeros.length) < 0) return this.fail(-EIO, "the device cannot be written");
    }
    return true;
  }

  private zapObject(type: u32, entries: Array<ZapEntry>): ObjectWriter {
    const object = new ObjectWriter(type, 512, 0, 0);
    this.setZap(object, entries);
    return object;
  }

  private bplist(blockSize: i32): ObjectWriter {
    return new ObjectWriter(TYPE_BPLIST, blockSize, TYPE_BPLIST_HEADER, BPLIST_HEADER_BYTES);
  }

  private dslDir(): ObjectWriter {
    return new ObjectWriter(TYPE_DSL_DIR, 512, TYPE_DSL_DIR, DIR_BONUS_BYTES);
  }

  private dataset(): ObjectWriter {
    return new ObjectWriter(TYPE_DSL_DATASET, 512, TYPE_DSL_DATASET, DATASET_BONUS_BYTES);
  }

  private buildMos(): void {
    const mos = this.mos;
    const ids = this.objects;
    const time = this.options.time;
    // Numbers as zfs-fuse gives them (the object directory first, then the DSL in creation order).
    const directory = new ObjectWriter(TYPE_OBJECT_DIRECTORY, 512, 0, 0);
    ids.directory = mos.add(directory);
    const rootDir = this.dslDir();
    ids.rootDir = mos.add(rootDir);
    ids.rootProps = mos.add(this.zapObject(TYPE_DSL_PROPS, new Array<ZapEntry>()));
    const rootChildren = new ObjectWriter(TYPE_DSL_DIR_CHILD_MAP, 512, 0, 0);
    ids.rootChildren = mos.add(rootChildren);
    const mosDir = this.dslDir();
    ids.mosDir = mos.add(mosDir);
    const mosProps = mos.add(this.zapObject(TYPE_DSL_PROPS, new Array<ZapEntry>()));
    const mosChildren = mos.add(this.zapObject(TYPE_DSL_DIR_CHILD_MAP, new Array<ZapEntry>()));
    const originDir = this.dslDir();
    ids.originDir = mos.add(originDir);
    const originProps = mos.add(this.zapObject(TYPE_DSL_PROPS, new Array<ZapEntry>()));
    const originChildren = mos.add(this.zapObject(TYPE_DSL_DIR_CHILD_MAP, new Array<ZapEntry>()));
    const originHead = this.dataset();
    ids.originHead = mos.add(originHead);
    const originHeadSnaps = new ObjectWriter(TYPE_DSL_DS_SNAP_MAP, 512, 0, 0);
    const originHeadSnapsId = mos.add(originHeadSnaps);
    const originSnapshotDead = mos.add(this.bplist(128 << 10));
    const originSnapshot = this.dataset();
    ids.originSnapshot = mos.add(originSnapshot);
    const originHeadDead = mos.add(this.bplist(128 << 10));
    const head = this.dataset();
    ids.head = mos.add(head);
    const headSnaps = mos.add(this.zapObject(TYPE_DSL_DS_SNAP_MAP, new Array<ZapEntry>()));
    const headDead = mos.add(this.bplist(128 << 10));
    const nextClones = mos.add(this.zapObject(TYPE_NEXT_CLONES, [ZapEntry.number(ids.head.toString(16), ids.head)]));
    const config = new ObjectWriter(TYPE_PACKED_NVLIST, 16 << 10, TYPE_PACKED_NVLIST_SIZE, 8);
    ids.config = mos.add(config);
    ids.syncBplist = mos.add(this.bplist(16 << 10));
    ids.metaslabArray = mos.add(new ObjectWriter(TYPE_OBJECT_ARRAY, 512, 0, 0));

    this.setZap(directory, [ZapEntry.number("root_dataset", ids.rootDir), ZapEntry.number("config", ids.config),
      ZapEntry.number("sync_bplist", ids.syncBplist), ZapEntry.number("deflate", 1)]);
    this.setZap(rootChildren, [ZapEntry.number("$MOS", ids.mosDir), ZapEntry.number("$ORIGIN", ids.originDir)]);
    this.setZap(originHeadSnaps, [ZapEntry.number("$ORIGIN", ids.originSnapshot)]);

    const root = this.rootDir;
    root.creationTime = time;
    root.headDataset = ids.head;
    root.origin = ids.originSnapshot;
    root.childMap = ids.rootChildren;
    root.props = ids.rootProps;
    const mosRecord = this.mosDir;
    mosRecord.creationTime = time;
    mosRecord.parent = ids.rootDir;
    mosRecord.childMap = mosChildren;
    mosRecord.props = mosProps;
    const origin = new DirRecord();
    origin.creationTime = time;
    origin.headDataset = ids.originHead;
    origin.parent = ids.rootDir;
    origin.childMap = originChildren;
    origin.props = originProps;
    origin.write(originDir.bonus);

    const originRecord = this.datasetRecord(ids.originDir, originHeadDead);
    originRecord.previousSnapshot = ids.originSnapshot;
    originRecord.previousSnapshotTxg = ORIGIN_TXG;
    originRecord.snapshotNames = originHeadSnapsId;
    originRecord.write(originHead.bonus);
    const snapshot = this.datasetRecord(ids.originDir, originSnapshotDead);
    snapshot.nextSnapshot = ids.originHead;
    snapshot.children = 2;
    snapshot.nextClones = nextClones;
    snapshot.write(originSnapshot.bonus);
    const record = this.datasetRecord(ids.rootDir, headDead);
    record.previousSnapshot = ids.originSnapshot;
    record.previousSnapshotTxg = ORIGIN_TXG;
    record.snapshotNames = headSnaps;
    this.head = record;
  }

  /** A dataset record of the origin txg in DSL directory `directory`, with its dead list and fresh guids. */
  private datasetRecord(directory: u64, deadList: u64): DatasetRecord {
    const record = new DatasetRecord();
    record.directory = directory;
    record.creationTime = this.options.time;
    record.creationTxg = ORIGIN_TXG;
    record.deadList = deadList;
    record.fsidGuid = this.random.next() >> 8;
    record.guid = this.random.guid();
    return record;
  }

  /** Lays `entries` out as the blocks of `object` (a MOS ZAP being made). */
  private setZap(object: ObjectWriter, entries: Array<ZapEntry>): void {
    const layout = layOutZap(entries, this.random.next(), 0)!;
    object.blockSize = layout.blockSize;
    for (let i = 0; i < layout.blocks.length; i++) object.put(<u64>i, layout.blocks[i]);
  }

  /** The pool's configuration: for a label on `side` (its top-level vdev's tree, and which side it is), else the MOS's copy (the root with its child). */
  private configuration(side: Side | null): NvWriter {
    const fields = new NvWriter()
      .uint64("metaslab_array", this.objects.metaslabArray)
      .uint64("metaslab_shift", <u64>this.space.shift)
      .uint64("ashift", <u64>this.options.ashift)
      .uint64("asize", this.space.asize)
      .uint64("is_log", 0)
      .uint64("create_txg", CREATE_TXG);
    const vdev = this.vdev.tree(fields);
    const config = new NvWriter()
      .uint64("version", POOL_VERSION)
      .string("name", this.name)
      .uint64("state", this.state)
      .uint64("txg", this.txg)
      .uint64("pool_guid", this.guid);
    if (side !== null) {
      config.uint64("top_guid", this.vdevGuid).uint64("guid", side.guid).uint64("vdev_children", 1).list("vdev_tree", vdev);
      return config;
    }
    const root = new NvWriter()
      .string("type", "root")
      .uint64("id", 0)
      .uint64("guid", this.guid)
      .uint64("create_txg", CREATE_TXG)
      .lists("children", [vdev]);
    return config.uint64("vdev_children", 1).list("vdev_tree", root);
  }

  /** Brings the MOS's records up to date for sync pass `pass`: false when nothing changed. */
  private updateMos(pass: i32): bool {
    let changed = false;
    const ids = this.objects;
    // Space maps: one per metaslab this txg touched (or touched before).
    const array = this.mos.object(ids.metaslabArray)!;
    for (let i = 0; i < this.space.metaslabs.length; i++) {
      const metaslab = this.space.metaslabs[i];
      if (!metaslab.changed && metaslab.object == 0) continue;
      if (metaslab.object == 0) {
        const map = new ObjectWriter(TYPE_SPACE_MAP, SPACE_MAP_BLOCK, TYPE_SPACE_MAP_HEADER, SPACE_MAP_HEADER_BYTES);
        metaslab.object = this.mos.add(map);
        const blockNumber = <u64>(i / 64);
        const block = array.block(blockNumber, this.writer)!;
        storeLe64(block, (i % 64) * 8, metaslab.object);
        array.put(blockNumber, block);
        changed = true;
      }
      if (this.updateSpaceMap(metaslab, pass == 1)) changed = true;
    }
    // The $MOS directory: the MOS's own space as of the last pass.
    const totals = this.mos.space();
    const mosRecord = this.mosDir;
    mosRecord.used = totals.used;
    mosRecord.compressed = totals.compressed;
    mosRecord.uncompressed = totals.uncompressed;
    mosRecord.usedByHead = totals.used;
    if (this.writeRecord(ids.mosDir, mosRecord)) changed = true;
    // The written dataset's directory and those above it, each moved from its opened figures by
    // what changed since (the dataset's head, then each child's share, as dsl_dir_diduse_space).
    const head = this.head;
    let used = <i64>(head.used - this.headBase.used);
    const compressed = <i64>(head.compressed - this.headBase.compressed);
    const uncompressed = <i64>(head.uncompressed - this.headBase.uncompressed);
    let share = used;
    for (let i = this.lowerDirs.length - 1; i >= 0; i--) {
      const dir = this.lowerDirs[i];
      const base = this.lowerBases[i];
      moveDir(dir, base, share, used, compressed, uncompressed, i == this.lowerDirs.length - 1);
      if (this.writeRecord(this.lowerIds[i], dir)) changed = true;
      // What its parent counts of it: its used, or its reservation while that is more.
      share = <i64>(max<u64>(dir.used, dir.reserved) - max<u64>(base.used, base.reserved));
      used = <i64>(dir.used - base.used);
    }
    const root = this.rootDir;
    moveDir(root, this.rootBase, share, used, compressed, uncompressed, this.lowerDirs.length == 0);
    // The MOS is the root's child too ($MOS, without a reservation).
    const mosUsed = totals.used - this.mosBase.used;
    root.used += mosUsed;
    root.compressed += totals.compressed - this.mosBase.compressed;
    root.uncompressed += totals.uncompressed - this.mosBase.uncompressed;
    root.usedByChildren += mosUsed;
    if (this.writeRecord(ids.rootDir, root)) changed = true;
    return changed;
  }

  /** The MOS's copy of the configuration (packed nvlist, its size in the bonus). */
  private putConfiguration(): void {
    const config = this.mos.object(this.objects.config)!;
    const packed = this.configuration(null).pack();
    const block = new Uint8Array(max(16 << 10, (packed.length + 511) & ~511));
    block.set(packed);
    config.blockSize = block.length;
    config.put(0, block);
    config.bonus = packedSize(packed.length);
  }

  private writeRecord(number: u64, record: DirRecord): bool {
    const object = this.mos.object(number)!;
    const bonus = new Uint8Array(DIR_BONUS_BYTES);
    record.write(bonus);
    if (sameBytes(bonus, object.bonus)) return false;
    object.bonus = bonus;
    object.dirty = true;
    return true;
  }

  /**
   * Puts the metaslab's space map content (log and this txg's entries) into
   * its object; whether anything changed. Only the first pass drops blocks
   * past the end (a condensed map): later passes only grow the object, so
   * that a length wavering across a block boundary cannot keep the passes
   * going (blocks past the header's length are never read).
   */
  private updateSpaceMap(metaslab: Metaslab, mayShrink: bool): bool {
    const map = this.mos.object(metaslab.object)!;
    const content = metaslab.changed ? metaslab.logWithOpenTxg(this.txg) : metaslab.log;
    const header = new Uint8Array(SPACE_MAP_HEADER_BYTES);
    storeLe64(header, 0, metaslab.object);
    storeLe64(header, 8, <u64>content.length);
    storeLe64(header, 16, metaslab.allocatedWithOpenTxg());
    let changed = false;
    const previous = this.mapContents.has(metaslab.index) ? this.mapContents.get(metaslab.index) : new Uint8Array(0);
    const blocks = (content.length + SPACE_MAP_BLOCK - 1) / SPACE_MAP_BLOCK;
    if (mayShrink && <u64>blocks < map.blockCount) {
      // Condensed: the blocks past the new end go.
      map.truncateBlocks(<u64>blocks, this.writer);
      changed = true;
    }
    for (let b = 0; b < blocks; b++) {
      const from = b * SPACE_MAP_BLOCK;
      const to = min(content.length, from + SPACE_MAP_BLOCK);
      if (to <= previous.length && sameRange(content, previous, from, to)) continue;
      const block = new Uint8Array(SPACE_MAP_BLOCK);
      block.set(content.subarray(from, to));
      map.put(<u64>b, block);
      changed = true;
    }
    this.mapContents.set(metaslab.index, content);
    if (!sameBytes(header, map.bonus)) {
      map.bonus = header;
      map.dirty = true;
      changed = true;
    }
    return changed;
  }

  /**
   * A sync failed: the disk still holds the last good txg, but this
   * writer's state is no longer its image, so it writes nothing more
   * (every change answers EIO; unmounting leaves the disk as it is).
   */
  broken: bool = false;

  /**
   * Space freed in the last two txgs is allocatable only once two more
   * have passed: when a change needs it, write those txgs now (even with
   * nothing else to write). Whether any such space was waiting.
   */
  reclaimDeferred(): bool {
    let waiting = false;
    for (let i = 0; i < this.space.metaslabs.length && !waiting; i++) {
      const metaslab = this.space.metaslabs[i];
      if (metaslab.deferred[0].total > 0 || metaslab.deferred[1].total > 0 || metaslab.freed.total > 0) waiting = true;
    }
    if (!waiting || this.broken) return false;
    for (let i = 0; i < 3; i++) {
      this.forceSync = true;
      if (!this.sync()) return false;
    }
    return true;
  }

  /** The next sync writes a txg even if nothing changed (reclaimDeferred). */
  private forceSync: bool = false;

  /** Writes one transaction group; false on error (`error`, `why`), after which the pool is broken. */
  sync(): bool {
    if (this.broken) return this.fail(-EIO, "an earlier sync failed; the pool is left as of txg " + (this.txg - 1).toString());
    const ok = this.syncGroup();
    this.forceSync = false;
    if (!ok) {
      this.broken = true;
      return false;
    }
    return true;
  }

  private syncGroup(): bool {
    // Nothing changed since the last txg: nothing to write (an fsync is then already durable).
    if (!this.forceSync && !this.zpl.needsSync && !this.configDirty && !this.mos.needsSync) return true;
    const writer = this.writer;
    writer.txg = this.txg;
    this.zpl.txg = this.txg;
    // 1. The file system.
    if (this.zpl.needsSync || this.zpl.pointer === null) {
      if (!this.zpl.prepareSync()) return this.fail(-ENOSPC, "a directory has more entries than one ZAP holds");
      const pointer = this.zpl.sync(writer);
      if (pointer === null) return this.fail(writer.error, "writing the file system failed");
      const totals = this.zpl.space();
      const record = this.head;
      record.objset = pointer;
      record.used = totals.used;
      record.compressed = totals.compressed;
      record.uncompressed = totals.uncompressed;
      record.unique = totals.used;
      const object = this.mos.object(this.objects.head)!;
      record.write(object.bonus);
      object.dirty = true;
    }
    // 2. The MOS, in passes until nothing moves.
    if (this.configDirty) this.putConfiguration();
    this.mos.plainMetadata = false;
    let root: Uint8Array | null = null;
    for (let pass = 1; ; pass++) {
      if (pass > MAX_PASSES) return this.fail(-EIO, "the MOS did not settle in " + MAX_PASSES.toString() + " sync passes");
      if (pass >= PLAIN_FROM_PASS) this.mos.plainMetadata = true;
      const changed = this.updateMos(pass);
      if (!changed && !this.mos.needsSync && root !== null) break;
      root = this.mos.sync(writer);
      if (root === null) return this.fail(writer.error, "writing the MOS failed");
    }
    // 3. Barrier, uberblock (and configuration), barrier.
    if (!this.flushAll()) return false;
    if (root === null || !this.writeLabels(root)) return false;
    if (!this.flushAll()) return false;
    for (let i = 0; i < this.space.metaslabs.length; i++) this.space.metaslabs[i].commit(this.txg);
    this.mos.settle();
    this.zpl.settle();
    this.txg++;
    this.measureRoom();
    return true;
  }

  /** Gives the file system the room its dataset has as of the last txg (../space.ts). */
  measureRoom(): void {
    const root = this.rootDir;
    const dirs = new Array<DirSpace>();
    dirs.push(new DirSpace(root.used, root.quota, root.reserved));
    for (let i = 0; i < this.lowerDirs.length; i++) {
      const dir = this.lowerDirs[i];
      dirs.push(new DirSpace(dir.used, dir.quota, dir.reserved));
    }
    this.zpl.room = availableBytes(this.space.capacity, dirs);
  }

  /** The statfs record (../space.ts) at `out`: the dataset as of the last txg, less the data waiting for the next. */
  statfs(out: usize): i32 {
    storeStatfs(out, this.head.used, this.zpl.roomNow, le64(this.head.objset, POINTER_FILL));
    return 0;
  }

  /** Writes the uberblock for this txg into every label's ring on every side (and the configuration first when it changed). */
  private writeLabels(root: Uint8Array): bool {
    const fields = new UberblockFields();
    fields.version = POOL_VERSION;
    fields.txg = this.txg;
    fields.guidSum = this.vdev.guidSum(this.guid);
    fields.timestamp = this.options.time;
    fields.root = root;
    const slotBytes = 1 << min(max(this.options.ashift, SLOT_SHIFT_MIN), SLOT_SHIFT_MAX);
    const slot = <i64>((this.txg % (RING_BYTES / <u64>slotBytes)) * <u64>slotBytes);
    for (let s = 0; s < this.vdev.sides.length; s++) {
      const side = this.vdev.sides[s];
      const config = this.configDirty ? this.configuration(side) : null;
      for (let i = 0; i < LABELS; i++) {
        const label = labelOffset(<i64>side.size, i);
        if (config !== null) {
          const region = configRegion(config, <u64>(label + CONFIG_AT));
          if (region === null) return this.fail(-EINVAL, "the pool configuration does not fit a label");
          if (deviceWrite(side.device, label + CONFIG_AT, region.dataStart, region.length) < 0) return this.fail(-EIO, "writing a label failed");
        }
        const at = label + RING_AT + slot;
        const ub = uberblockSlot(fields, slotBytes, <u64>at);
        if (deviceWrite(side.device, at, ub.dataStart, ub.length) < 0) return this.fail(-EIO, "writing an uberblock failed");
      }
    }
    this.configDirty = false;
    return true;
  }

  /** Marks the pool exported (labels say so at the next sync) and syncs. */
  export(): bool {
    this.state = POOL_STATE_EXPORTED;
    this.configDirty = true;
    return this.sync();
  }
}

function packedSize(length: i32): Uint8Array {
  const bonus = new Uint8Array(8);
  storeLe64(bonus, 0, <u64>length);
  return bonus;
}

function sameBytes(a: Uint8Array, b: Uint8Array): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] != b[i]) return false;
  return true;
}

function sameRange(a: Uint8Array, b: Uint8Array, from: i32, to: i32): bool {
  for (let i = from; i < to; i++) if (a[i] != b[i]) return false;
  return true;
}

/**
 * Sets `dir`'s figures to `base`'s moved by a change below it: `share` more
 * used (what it counts: for a child, its used or its reservation while that
 * is more), of which `used` is really used, and the compressed and
 * uncompressed sizes. `own`: the change is its head dataset's, not a
 * child's.
 */
function moveDir(dir: DirRecord, base: DirRecord, share: i64, used: i64, compressed: i64, uncompressed: i64, own: bool): void {
  dir.used = base.used + <u64>share;
  dir.compressed = base.compressed + <u64>compressed;
  dir.uncompressed = base.uncompressed + <u64>uncompressed;
  dir.usedByHead = base.usedByHead + (own ? <u64>share : 0);
  dir.usedByChildren = base.usedByChildren + (own ? 0 : <u64>used);
  dir.usedByChildReservation = base.usedByChildReservation + (own ? 0 : <u64>(share - used));
}
