// Opening a dataset of an existing pool for writing: the labels and
// uberblock as the reader finds them (pool.ts), then the writer's own state
// from disk: the MOS, the DSL records of the root dataset, of $MOS and of
// each directory down to the dataset's (a child's changes move its parents'
// figures too), its properties (compression, checksum, copies, inherited as
// ZFS inherits them), its file system, and every metaslab's free space from
// its space map. The first sync writes txg (uberblock txg + 1).
//
// A mirror is written on every side (vdev.ts). Refused, with the reason:
// several top-level vdevs, a mirror with a side missing, sectors above 8 KiB (ashift 13), a dataset with
// snapshots or a clone (frees would have to go to dead lists), and anything
// that does not read back as expected. The intent log is not
// replayed: its blocks are freed, and the first sync writes the object set
// without it.

import { openPool } from "../pool";
import { deviceSize, deviceRead } from "../host";
import { BlockPointer, BLOCK_POINTER_SIZE, CHECKSUM_AT } from "../blkptr";
import { logBlockMatches, MATCH, TRAILER, CHECKSUM_FLETCHER2, CHECKSUM_FLETCHER4, CHECKSUM_SHA256 } from "../checksum";
import { EIO, ENOENT, ENOTSUP, EROFS } from "../errno";
import { PoolWriter, PoolOptions, ASHIFT_MIN, ASHIFT_MAX } from "./pool-writer";
import { WrittenVdev, Side } from "./vdev";
import { NvList } from "../nvlist";
import { SpaceTotals } from "./objset";
import { DirRecord, DatasetRecord } from "./dsl-records";
import { readZapEntries } from "./zap-read";
import { ZapEntry } from "./zap";
import { ObjectWriter } from "./object";
import { SPACE_MAP_HEADER_BYTES } from "./space";
import { COMPRESS_LZJB, COMPRESS_ZLE, COMPRESS_GZIP_1, COMPRESS_GZIP_9, DATA_START } from "./blocks";

/** The intent log header's chain in an object set block (zil_header_t at 512: claim txg, replay sequence, then the block pointer). */
const ZIL_LOG_AT: i32 = 512 + 16;
/** A log block ends with its next block's pointer, a used count and the checksum trailer (zil_trailer_t). */
const LOG_TRAILER: i32 = BLOCK_POINTER_SIZE + 8 + TRAILER;
const LOG_CHAIN_MAX: i32 = 4096;

/** ZFS's compression=on, which pools of this version write as lzjb; checksum=on, which is fletcher4. */
const COMPRESS_ON: u32 = 1;
const CHECKSUM_ON: u64 = 1;

/** What openForWriting answers: the pool, or a negative errno and why. */
export class OpenResult {
  pool: PoolWriter | null = null;
  error: i32 = 0;
  why: string = "";
}

function refuse(result: OpenResult, error: i32, why: string): OpenResult {
  result.error = error;
  result.why = why;
  return result;
}

function entryValue(entries: Array<ZapEntry>, name: string): u64 {
  for (let i = 0; i < entries.length; i++) {
    if (entries[i].value.length == 8 && entries[i].nameText == name) return entries[i].number;
  }
  return 0;
}

function totalsOf(used: u64, compressed: u64, uncompressed: u64): SpaceTotals {
  const totals = new SpaceTotals();
  totals.used = used;
  totals.compressed = compressed;
  totals.uncompressed = uncompressed;
  return totals;
}

/** Opens dataset `name` ("POOL", "POOL/CHILD/...", or "" for the only pool's root dataset) for writing. */
export function openForWriting(name: string): OpenResult {
  const result = new OpenResult();
  const slash = name.indexOf("/");
  const found = openPool(slash < 0 ? name : name.substring(0, slash));
  if (found.pool === null) return refuse(result, found.error, "");
  const pool = found.pool!;
  const label = pool.label!;
  if (pool.tops.length != 1 || pool.tops[0] === null) {
    return refuse(result, -EROFS, "pool " + pool.name + " has several top-level vdevs: pools of one device or one mirror are written (mount it read-only)");
  }
  const tree = label.tree;
  const ashift = tree.number("ashift", 9);
  if (ashift < <u64>ASHIFT_MIN || ashift > <u64>ASHIFT_MAX) {
    return refuse(result, -EROFS, "pool " + pool.name + ": sectors of 2^" + ashift.toString() + " bytes are not written (ashift 9 to 13 are)");
  }
  const vdev = writtenVdev(pool.tops[0]!.devices, tree);
  if (vdev === null) {
    return refuse(result, -EROFS, "pool " + pool.name + ": a side of its mirror is missing: every side must be there to be written (mount it read-only)");
  }
  const options = new PoolOptions();
  options.name = pool.name;
  options.path = vdev.sides[0].path;
  options.ashift = <i32>ashift;
  const writer = new PoolWriter(vdev, options, tree.number("asize", 0), <i32>tree.number("metaslab_shift", 0));
  if (writer.space.metaslabs.length == 0) return refuse(result, -EIO, "pool " + pool.name + ": its configuration gives no metaslabs");
  writer.guid = pool.guid;
  writer.txg = pool.uberblock.txg + 1;
  writer.writer.txg = writer.txg;
  writer.zpl.txg = writer.txg;
  writer.objects.metaslabArray = tree.number("metaslab_array", 0);
  writer.datasetPath = slash < 0 ? "" : name.substring(slash + 1);
  const why = loadState(writer, pool.uberblock.root);
  if (why != "") return refuse(result, writer.error < 0 ? writer.error : -EIO, "pool " + pool.name + ": " + why);
  result.pool = writer;
  return result;
}

/** The devices to write, as the top-level vdev's `tree` names them (a mirror's sides in `devices`, in its order); null when a side is missing. */
function writtenVdev(devices: Array<i32>, tree: NvList): WrittenVdev | null {
  for (let i = 0; i < devices.length; i++) if (devices[i] < 0) return null;
  if (tree.text("type") != "mirror") {
    const lone = Side.described(tree, devices[0], <u64>deviceSize(devices[0]));
    return WrittenVdev.single(lone.device, lone.size, lone.guid, lone.path).describedAs(lone);
  }
  const children = tree.lists("children");
  if (children.length != devices.length) return null;
  const vdev = new WrittenVdev();
  vdev.mirror = true;
  vdev.guid = tree.number("guid", 0);
  for (let i = 0; i < children.length; i++) vdev.sides.push(Side.described(children[i], devices[i], <u64>deviceSize(devices[i])));
  return vdev;
}

/** Reads the writer's state from the MOS at `root`; "" or why it cannot be written. */
function loadState(pool: PoolWriter, root: Uint8Array): string {
  const io = pool.writer;
  const mosBlock = io.readBack(root, 2048);
  if (mosBlock === null || !pool.mos.open(root, mosBlock, new SpaceTotals())) return "the MOS is unreadable";
  const ids = pool.objects;
  const directory = pool.mos.object(1);
  const top: Array<ZapEntry> | null = directory === null ? null : readZapEntries(directory, io);
  if (top === null) return "the MOS object directory is unreadable";
  ids.directory = 1;
  ids.rootDir = entryValue(top!, "root_dataset");
  ids.config = entryValue(top!, "config");
  ids.syncBplist = entryValue(top!, "sync_bplist");
  const rootDir = pool.mos.object(ids.rootDir);
  if (rootDir === null || rootDir.bonus.length < 256) return "the root DSL directory is unreadable";
  pool.rootDir = DirRecord.read(rootDir.bonus);
  pool.rootBase = DirRecord.read(rootDir.bonus);
  const children = pool.mos.object(pool.rootDir.childMap);
  const childEntries: Array<ZapEntry> | null = children === null ? null : readZapEntries(children, io);
  if (childEntries === null) return "the root dataset's child map is unreadable";
  ids.mosDir = entryValue(childEntries!, "$MOS");
  const mosDir = pool.mos.object(ids.mosDir);
  if (mosDir === null || mosDir.bonus.length < 256) return "the $MOS directory is unreadable";
  pool.mosDir = DirRecord.read(mosDir.bonus);
  pool.mosBase = totalsOf(pool.mosDir.used, pool.mosDir.compressed, pool.mosDir.uncompressed);
  pool.mos.base = pool.mosBase.copy();
  pool.mos.settle();
  const walked = walkToDataset(pool);
  if (walked != "") return walked;
  const why = readProperties(pool);
  if (why != "") return why;
  const name = datasetName(pool, pool.lowerDirs.length);
  ids.head = pool.lowerDirs.length == 0 ? pool.rootDir.headDataset : pool.lowerDirs[pool.lowerDirs.length - 1].headDataset;
  const head = pool.mos.object(ids.head);
  if (head === null || head.bonus.length < 320) return "the dataset record of " + name + " is unreadable";
  const record = DatasetRecord.read(head.bonus);
  if (record.previousSnapshotTxg > 1 || record.nextSnapshot != 0) {
    pool.error = -EROFS;
    return name + " has snapshots or is a clone, which this writer does not keep (mount it read-only)";
  }
  pool.head = record;
  pool.headBase = totalsOf(record.used, record.compressed, record.uncompressed);
  const zplBlock = io.readBack(record.objset, 2048);
  if (zplBlock === null) return "the object set of " + name + " is unreadable";
  if (!pool.zpl.openExisting(record.objset, zplBlock, pool.headBase)) {
    pool.error = pool.zpl.error == -ENOTSUP ? -EROFS : pool.zpl.error;
    return "the file system of " + name + " is unreadable, or not one (a zvol), or newer than ZPL version 4";
  }
  pool.measureRoom();
  const refused = loadSpaceMaps(pool);
  if (refused == "") dropIntentLog(pool, zplBlock!);
  return refused;
}

/** Follows the dataset's path from the root's DSL directory through the child maps: "" or why not. */
function walkToDataset(pool: PoolWriter): string {
  if (pool.datasetPath == "") return "";
  const names = pool.datasetPath.split("/");
  let dir = pool.rootDir;
  for (let i = 0; i < names.length; i++) {
    const map = pool.mos.object(dir.childMap);
    const entries: Array<ZapEntry> | null = map === null ? null : readZapEntries(map, pool.writer);
    if (entries === null) return "the child list of " + datasetName(pool, i) + " is unreadable";
    const id = names[i].startsWith("$") ? 0 : entryValue(entries!, names[i]);
    if (id == 0) {
      pool.error = -ENOENT;
      return "no dataset " + datasetName(pool, i + 1);
    }
    const object = pool.mos.object(id);
    if (object === null || object.bonus.length < 256) return "the DSL directory of " + datasetName(pool, i + 1) + " is unreadable";
    dir = DirRecord.read(object.bonus);
    pool.lowerDirs.push(dir);
    pool.lowerBases.push(DirRecord.read(object.bonus));
    pool.lowerIds.push(id);
  }
  return "";
}

/**
 * Frees the intent log's blocks: the first sync writes the object set with
 * an empty log header, so the chain it named (at least the block ZFS keeps
 * allocated for the next record) would otherwise leak. The chain is
 * followed while its blocks check out (an unwritten last block ends it);
 * blocks the space maps do not hold allocated are passed over.
 */
function dropIntentLog(pool: PoolWriter, objset: Uint8Array): void {
  if (objset.length < ZIL_LOG_AT + BLOCK_POINTER_SIZE) return;
  let pointer = objset.slice(ZIL_LOG_AT, ZIL_LOG_AT + BLOCK_POINTER_SIZE);
  for (let i = 0; i < LOG_CHAIN_MAX; i++) {
    const bp = new BlockPointer(pointer, 0);
    if (bp.isHole || bp.allocated(0) == 0) return;
    pool.writer.release(pointer);
    const size = bp.physicalSize;
    if (size < LOG_TRAILER) return;
    const block = new Uint8Array(size);
    if (deviceRead(pool.vdev.sides[0].device, DATA_START + <i64>bp.offset(0), block.dataStart, size) < 0) return;
    if (logBlockMatches(block, size, pointer, CHECKSUM_AT) != MATCH) return;
    pointer = block.slice(size - LOG_TRAILER, size - LOG_TRAILER + BLOCK_POINTER_SIZE);
  }
}

/**
 * The written dataset's `compression`, `checksum` and `copies`, each from
 * the nearest DSL directory's props ZAP that sets it (its own, then its
 * parents'), for the file data written from now on. Compression off, lzjb
 * ("on" too), zle or gzip-1..9; checksum fletcher2, fletcher4 ("on") or
 * sha256; copies 1 to 3. Unset, or anything else: no compression,
 * fletcher4, one copy.
 */
function readProperties(pool: PoolWriter): string {
  let compression: u64 = 0;
  let checksum: u64 = 0;
  let copies: u64 = 0;
  for (let i = pool.lowerDirs.length; i >= 0; i--) {
    const dir = i == 0 ? pool.rootDir : pool.lowerDirs[i - 1];
    if (dir.props == 0) continue;
    const props = pool.mos.object(dir.props);
    const entries: Array<ZapEntry> | null = props === null ? null : readZapEntries(props, pool.writer);
    if (entries === null) return "the properties of " + datasetName(pool, i) + " are unreadable";
    if (compression == 0) compression = entryValue(entries!, "compression");
    if (checksum == 0) checksum = entryValue(entries!, "checksum");
    if (copies == 0) copies = entryValue(entries!, "copies");
  }
  const zpl = pool.zpl;
  if (compression == COMPRESS_ON) zpl.dataCompression = COMPRESS_LZJB;
  else if (compression == COMPRESS_LZJB || compression == COMPRESS_ZLE || (compression >= COMPRESS_GZIP_1 && compression <= COMPRESS_GZIP_9)) zpl.dataCompression = <u32>compression;
  if (checksum == CHECKSUM_ON) zpl.dataChecksum = CHECKSUM_FLETCHER4;
  else if (checksum == CHECKSUM_FLETCHER2 || checksum == CHECKSUM_FLETCHER4 || checksum == CHECKSUM_SHA256) zpl.dataChecksum = <u32>checksum;
  if (copies >= 1 && copies <= 3) {
    zpl.dataCopies = <i32>copies;
    zpl.metaCopies = min(<i32>copies + 1, 3);
  }
  return "";
}

/** The name of the dataset whose directory is the `depth`th of the path (0: the pool's root dataset). */
function datasetName(pool: PoolWriter, depth: i32): string {
  if (depth == 0) return pool.name;
  return pool.name + "/" + pool.datasetPath.split("/").slice(0, depth).join("/");
}

/** Every metaslab's free space, from its space map (a metaslab without one is all free). */
function loadSpaceMaps(pool: PoolWriter): string {
  const io = pool.writer;
  const array = pool.mos.object(pool.objects.metaslabArray);
  if (array === null) return "the metaslab array is unreadable";
  const metaslabs = pool.space.metaslabs;
  for (let i = 0; i < metaslabs.length; i++) {
    const block = array.block(<u64>(i / 64), io);
    if (block === null) return "the metaslab array is unreadable";
    const number = load<u64>(block.dataStart + <usize>((i % 64) * 8));
    if (number == 0) continue;
    const map = pool.mos.object(number);
    if (map === null || map.bonus.length < SPACE_MAP_HEADER_BYTES) return "the space map of metaslab " + i.toString() + " is unreadable";
    const length = load<u64>(map.bonus.dataStart + 8);
    const allocated = load<u64>(map.bonus.dataStart + 16);
    const log = readLog(map, length, pool);
    if (log === null) return "the space map of metaslab " + i.toString() + " is unreadable";
    metaslabs[i].object = number;
    if (!metaslabs[i].replay(log, allocated)) return "the space map of metaslab " + i.toString() + " does not add up";
    pool.mapContents.set(i, log);
  }
  return "";
}

function readLog(map: ObjectWriter, length: u64, pool: PoolWriter): Uint8Array | null {
  if (length > <u64>(64 << 20)) return null;
  const log = new Uint8Array(<i32>length);
  const size = map.blockSize;
  for (let at = 0; at < log.length; at += size) {
    const block = map.block(<u64>(at / size), pool.writer);
    if (block === null) return null;
    log.set(block.subarray(0, min(size, log.length - at)), at);
  }
  return log;
}
