// Finding and opening a pool: every device's best label is read, the ones
// naming the pool (or the only pool, for an empty name) are grouped by the
// pool's guid, the top-level vdevs are rebuilt from their vdev trees (a
// disk or file is one device; a mirror's children are found on other
// devices by guid), and the newest valid uberblock across all their label
// rings gives the root of everything: the MOS block pointer.
//
// Refused with a logged reason: no such pool, several pools for an empty
// name, a pool version above 23 (naming its features for read), vdev types
// other than disk, file and mirror, a big-endian pool.

import { deviceCount, log } from "./host";
import { bestLabel, Label, RingScan, scanRings, Uberblock } from "./label";
import { NvList } from "./nvlist";
import { BlockCache } from "./cache";
import { ReadAhead } from "./readahead";
import { cacheBytes } from "./settings";
import { Stats } from "./stats";
import { EINVAL, EIO, ENOENT, ENOTSUP } from "./errno";

export const MAX_POOL_VERSION: u64 = 23;
const MAX_TOP_VDEVS: i32 = 64;
const MAX_CHILDREN: i32 = 16;
const STATE_DESTROYED: u64 = 2;

/** A top-level vdev: the devices holding identical copies of it (one, or a mirror's children; -1 for one missing). */
export class TopVdev {
  id: i32 = 0;
  devices: Array<i32> = new Array<i32>();
}

export class Pool {
  name: string = "";
  guid: u64 = 0;
  tops: Array<TopVdev | null> = new Array<TopVdev | null>();
  uberblock: Uberblock = new Uberblock();
  stats: Stats = new Stats();
  cache: BlockCache = new BlockCache(cacheBytes);
  /** The last run of device bytes read around a small block (readahead.ts). */
  readAhead: ReadAhead = new ReadAhead();
  /** The newest label of the pool's devices (its configuration: the vdev tree, metaslab array and size). */
  label: Label | null = null;
  /** Bytes the pool can allocate: its metaslabs' total (space.ts). */
  bytes: u64 = 0;
  /** Set once a refusal has been logged for a block kind, so a damaged pool does not flood the console. */
  loggedRefusal: bool = false;

  top(id: u32): TopVdev | null {
    return id < <u32>this.tops.length ? this.tops[id] : null;
  }
}

/** What openPool answers: the pool, or a negative errno. */
export class PoolResult {
  pool: Pool | null = null;
  error: i32 = 0;
}

function refuse(result: PoolResult, error: i32, why: string): PoolResult {
  log(why);
  result.error = error;
  return result;
}

function deviceWithGuid(labels: Array<Label>, guid: u64): i32 {
  for (let i = 0; i < labels.length; i++) if (labels[i].guid == guid) return labels[i].device;
  return -1;
}

/** Adds the top-level vdev described by `tree` (from one device's label) to `pool`; "" or why it is refused. */
function addTop(pool: Pool, labels: Array<Label>, tree: NvList): string {
  const id = <i32>tree.number("id", 0xffffffff);
  if (id < 0 || id >= MAX_TOP_VDEVS) return "pool " + pool.name + ": top-level vdev id " + id.toString() + " is out of range";
  while (pool.tops.length <= id) pool.tops.push(null);
  if (pool.tops[id] !== null) return "";
  const type = tree.text("type");
  const top = new TopVdev();
  top.id = id;
  if (type == "disk" || type == "file") {
    top.devices.push(deviceWithGuid(labels, tree.number("guid", 0)));
  } else if (type == "mirror" || type == "replacing" || type == "spare") {
    const children = tree.lists("children");
    if (children.length > MAX_CHILDREN) return "pool " + pool.name + ": a mirror of " + children.length.toString() + " devices";
    for (let i = 0; i < children.length; i++) {
      const childType = children[i].text("type");
      if (childType != "disk" && childType != "file") return "pool " + pool.name + ": a mirror of '" + childType + "' vdevs is not supported";
      top.devices.push(deviceWithGuid(labels, children[i].number("guid", 0)));
    }
  } else {
    return "pool " + pool.name + ": vdev type '" + type + "' is not supported (disk, file and mirror are)";
  }
  pool.tops[id] = top;
  return "";
}

/** Each top-level vdev's whole metaslabs (its asize rounded down to the metaslab size), summed. */
function metaslabBytes(labels: Array<Label>): u64 {
  const counted = new Array<u64>();
  let total: u64 = 0;
  for (let i = 0; i < labels.length; i++) {
    const tree = labels[i].tree;
    const id = tree.number("id", 0xffffffff);
    const shift = tree.number("metaslab_shift", 0);
    if (counted.includes(id) || shift == 0 || shift >= 64) continue;
    counted.push(id);
    total += (tree.number("asize", 0) >> shift) << shift;
  }
  return total;
}

function features(config: NvList): string {
  const lists = config.lists("features_for_read");
  if (lists.length == 0) return "";
  const names = new Array<string>();
  for (let i = 0; i < lists[0].pairs.length; i++) names.push(lists[0].pairs[i].name);
  return names.length > 0 ? " (features for read: " + names.join(", ") + ")" : "";
}

/** Opens the pool called `name` ("" for the only pool on the devices). */
export function openPool(name: string): PoolResult {
  const result = new PoolResult();
  const stats = new Stats();
  const all = new Array<Label>();
  const count = deviceCount();
  for (let device = 0; device < count; device++) {
    const label = bestLabel(device, stats);
    if (label !== null && label.state != STATE_DESTROYED && label.name != "") all.push(label);
  }
  if (name == "") {
    const names = new Array<string>();
    for (let i = 0; i < all.length; i++) if (!names.includes(all[i].name)) names.push(all[i].name);
    if (names.length != 1) {
      return refuse(result, names.length == 0 ? -ENOENT : -EINVAL,
        names.length == 0 ? "no pool on " + count.toString() + " devices" : "several pools (" + names.join(", ") + "): name one");
    }
    name = names[0];
  }
  let newest: Label | null = null;
  for (let i = 0; i < all.length; i++) {
    if (all[i].name == name && (newest === null || all[i].txg > newest.txg)) newest = all[i];
  }
  if (newest === null) return refuse(result, -ENOENT, "no pool named '" + name + "' on " + count.toString() + " devices");
  const pool = new Pool();
  pool.name = name;
  pool.guid = newest.poolGuid;
  pool.stats = stats;
  if (newest.version > MAX_POOL_VERSION) {
    return refuse(result, -ENOTSUP, "pool " + name + " has version " + newest.version.toString() + ", this reader knows up to " +
      MAX_POOL_VERSION.toString() + features(newest.config));
  }
  const labels = new Array<Label>();
  for (let i = 0; i < all.length; i++) if (all[i].name == name && all[i].poolGuid == pool.guid) labels.push(all[i]);
  for (let i = 0; i < labels.length; i++) {
    const why = addTop(pool, labels, labels[i].tree);
    if (why != "") return refuse(result, -ENOTSUP, why);
  }
  pool.bytes = metaslabBytes(labels);
  const scan = new RingScan();
  for (let i = 0; i < labels.length; i++) scanRings(labels[i].device, labels[i].tree.number("ashift", 9), scan, stats);
  const uberblock = scan.newest();
  if (uberblock === null) {
    return scan.bigEndian ? refuse(result, -ENOTSUP, "pool " + name + " was written big-endian, which this reader does not read")
      : refuse(result, -EIO, "pool " + name + ": no uberblock with a valid checksum");
  }
  pool.uberblock = uberblock;
  pool.label = newest;
  if (pool.uberblock.version > MAX_POOL_VERSION) {
    return refuse(result, -ENOTSUP, "pool " + name + ": uberblock version " + pool.uberblock.version.toString() + " is newer than " + MAX_POOL_VERSION.toString());
  }
  result.pool = pool;
  return result;
}
