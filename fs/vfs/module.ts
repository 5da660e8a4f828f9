// The front door for filesystem authors: what a filesystem implements and
// the few VFS utilities it may use. Callers of the VFS use fs/vfs/index.ts.
// fs/README.md walks through writing a filesystem with fs/example/.

export {
  Vnode, FileSystem, Stat, SpaceStat, DirEntry, VnodeResult, TextResult,
  TYPE_FILE, TYPE_DIRECTORY, TYPE_SYMLINK, NAME_MAX, TIME_UNCHANGED,
} from "./node";
export { ownedString, ownedSlice, freeString, hashString } from "./strings";
export { fileTime, fileTimeIfKnown, FILE_TIME_PENDING } from "./time";
