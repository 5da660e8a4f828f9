// The devices a pool is written to: one disk or file, or the sides of a
// two- (or more) way mirror, each of which takes every block, every label
// and every flush. The configuration each label carries is built here: the
// top-level vdev's tree (a mirror with its children), and which side the
// label is on.

import { NvWriter } from "../nvlist-write";
import { NvList } from "../nvlist";

/** One device: a disk or file, alone or a side of a mirror. */
export class Side {
  /** The device number (host.ts), its size in bytes. */
  device: i32 = 0;
  size: u64 = 0;
  guid: u64 = 0;
  id: u64 = 0;
  type: string = "file";
  path: string = "";
  /** The MOS object of its dirty time log (a mirror side; 0: none), and whether it is a whole disk (-1: not said). */
  dtl: u64 = 0;
  wholeDisk: i64 = -1;
  createTxg: u64 = 0;

  /** A side as an existing pool's vdev tree describes it, on `device`. */
  static described(tree: NvList, device: i32, size: u64): Side {
    const side = new Side();
    side.device = device;
    side.size = size;
    side.guid = tree.number("guid", 0);
    side.id = tree.number("id", 0);
    side.type = tree.text("type");
    side.path = tree.text("path");
    side.dtl = tree.number("DTL", 0);
    side.wholeDisk = tree.has("whole_disk") ? <i64>tree.number("whole_disk", 0) : -1;
    side.createTxg = tree.number("create_txg", 0);
    return side;
  }

  /** Its entry among a mirror's children. */
  tree(): NvWriter {
    const tree = new NvWriter().string("type", this.type).uint64("id", this.id).uint64("guid", this.guid).string("path", this.path);
    if (this.wholeDisk >= 0) tree.uint64("whole_disk", <u64>this.wholeDisk);
    if (this.dtl != 0) tree.uint64("DTL", this.dtl);
    if (this.createTxg != 0) tree.uint64("create_txg", this.createTxg);
    return tree;
  }
}

/** The top-level vdev: its sides (one unless it is a mirror) and its guid (a lone device's own). */
export class WrittenVdev {
  sides: Array<Side> = new Array<Side>();
  mirror: bool = false;
  guid: u64 = 0;

  /** One device alone. */
  static single(device: i32, size: u64, guid: u64, path: string): WrittenVdev {
    const vdev = new WrittenVdev();
    const side = new Side();
    side.device = device;
    side.size = size;
    side.guid = guid;
    side.path = path;
    vdev.sides.push(side);
    vdev.guid = guid;
    return vdev;
  }

  /** Takes `side`'s description (its type, whole_disk) for the lone device. */
  describedAs(side: Side): WrittenVdev {
    this.sides[0] = side;
    return this;
  }

  get devices(): Array<i32> {
    const devices = new Array<i32>();
    for (let i = 0; i < this.sides.length; i++) devices.push(this.sides[i].device);
    return devices;
  }

  /** What the uberblock's guid sum adds up: the pool's guid and every vdev's under it. */
  guidSum(poolGuid: u64): u64 {
    let sum = poolGuid + (this.mirror ? this.guid : 0);
    for (let i = 0; i < this.sides.length; i++) sum += this.sides[i].guid;
    return sum;
  }

  /**
   * The top-level vdev's tree: `fields` (its space: metaslab array and
   * shift, ashift, asize, ...) under a lone device's type, guid and path, or
   * under the mirror's, with its sides as children.
   */
  tree(fields: NvWriter): NvWriter {
    if (!this.mirror) {
      const side = this.sides[0];
      const tree = new NvWriter().string("type", side.type).uint64("id", 0).uint64("guid", this.guid).string("path", side.path);
      if (side.wholeDisk >= 0) tree.uint64("whole_disk", <u64>side.wholeDisk);
      return tree.merge(fields);
    }
    const children = new Array<NvWriter>();
    for (let i = 0; i < this.sides.length; i++) children.push(this.sides[i].tree());
    return new NvWriter().string("type", "mirror").uint64("id", 0).uint64("guid", this.guid).merge(fields).lists("children", children);
  }
}
