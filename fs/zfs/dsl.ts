// From the MOS to a dataset's object set. The MOS's object directory
// (object 1) names the root DSL directory; each DSL directory's bonus
// buffer names its head dataset and a ZAP of its children (so
// "tank/a/b" is root → "a" → "b"); a dataset's bonus buffer holds the block
// pointer of its object set.
//
//   dsl_dir bonus:      +8 u64 head dataset  +32 u64 child directory ZAP
//                       (+40 used, +64 quota, +72 reservation: space.ts)
//   dsl_dataset bonus:  +72 referenced (space.ts)  +128 blkptr of the object set

import { BlockPointer } from "./blkptr";
import { le64 } from "./bytes";
import { Dnode } from "./dnode";
import { Objset, objsetError, openObjset } from "./objset";
import { openZap, zapError } from "./zap";
import { EIO } from "./errno";
import { DatasetSpace, DirSpace, DIR_USED, DIR_QUOTA, DIR_RESERVED, DATASET_REFERENCED, POINTER_FILL } from "./space";

const OBJECT_DIRECTORY: u64 = 1;
const TYPE_DSL_DIR: u32 = 12;
const TYPE_DSL_DATASET: u32 = 16;
const DIR_HEAD: i32 = 8;
const DIR_CHILDREN: i32 = 32;
const DATASET_BLOCK: i32 = 128;
const DATASET_BONUS: i32 = 256;

/** Why datasetObjset failed: a negative errno, and what to log. */
export let dslError: i32 = 0;
export let dslWhy: string = "";

function fail(error: i32, why: string): Objset | null {
  dslError = error < 0 ? error : -EIO;
  dslWhy = why;
  return null;
}

/** The bonus buffer of `object` in the MOS if it has `type` and at least `length` bytes, else null. */
function bonus(mos: Objset, object: u64, type: u32, length: i32): Uint8Array | null {
  const dnode: Dnode | null = mos.dnode(object);
  if (dnode === null) return null;
  if (dnode.bonusType != type || dnode.bonusLength < length) return null;
  return dnode.data.subarray(dnode.bonusAt, dnode.bonusAt + dnode.bonusLength);
}

/**
 * The object set of dataset `names` (the path below the pool: [] for the
 * pool's root dataset); `space`, when given, gets the dataset's space
 * figures on the way.
 */
export function datasetObjset(mos: Objset, names: Array<string>, space: DatasetSpace | null = null): Objset | null {
  const directory = openZap(mos, OBJECT_DIRECTORY);
  if (directory === null) return fail(zapError, "the MOS object directory is unreadable");
  if (directory.lookup("root_dataset") < 0) return fail(-EIO, "the MOS names no root dataset");
  let dir = directory.value;
  let path = mos.pool.name;
  for (let i = 0; i <= names.length; i++) {
    const record = bonus(mos, dir, TYPE_DSL_DIR, DIR_RESERVED + 8);
    if (record === null) return fail(objsetError < 0 ? objsetError : -EIO, "the DSL directory of " + path + " is unreadable");
    if (space !== null) space.dirs.push(new DirSpace(le64(record, DIR_USED), le64(record, DIR_QUOTA), le64(record, DIR_RESERVED)));
    if (i == names.length) {
      const dataset = bonus(mos, le64(record, DIR_HEAD), TYPE_DSL_DATASET, DATASET_BONUS);
      if (dataset === null) return fail(-EIO, "the dataset record of " + path + " is unreadable");
      if (space !== null) {
        space.referenced = le64(dataset, DATASET_REFERENCED);
        space.objects = le64(dataset, DATASET_BLOCK + POINTER_FILL);
      }
      const objset = openObjset(mos.pool, new BlockPointer(dataset, DATASET_BLOCK));
      if (objset === null) return fail(objsetError, "the object set of " + path + " is unreadable");
      return objset;
    }
    const children = openZap(mos, le64(record, DIR_CHILDREN));
    if (children === null) return fail(zapError, "the child list of " + path + " is unreadable");
    const found = children.lookup(names[i]);
    path += "/" + names[i];
    if (found < 0) return fail(found, "no dataset " + path);
    dir = children.value;
  }
  return fail(-EIO, "unreachable");
}
