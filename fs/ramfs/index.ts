// RAMFS: a writable filesystem in memory, the root when no disk is given
// and /tmp otherwise.
//
//   file data   fs/ramfs/file-data.ts   pages through a doubling chunk index:
//                                       appends are O(1) amortised
//   directories fs/ramfs/directory.ts   hashed by name, listed by creation
//   nodes       fs/ramfs/node.ts        the Vnode methods
//
// Memory comes back as POSIX says it should: an unlinked file's pages when
// its last open file closes, the tail pages on truncate, and everything on
// unmount (the tree's contents end there, as tmpfs's do; mounting again
// starts empty). Whoever made a RamFileSystem frees the object itself once
// it is unmounted.

import { Vnode, TYPE_DIRECTORY } from "../vfs/module";
import { RamVolume, RamNode } from "./node";

export { pagesTaken, slotsCopied, indexMoves, MAX_FILE_SIZE } from "./file-data";

export class RamFileSystem extends RamVolume {
  private top: RamNode | null = null;

  constructor() {
    super("ramfs", false);
  }

  /** The root directory, made empty on first use after creation or unmount. */
  root(): Vnode {
    if (this.top === null) this.top = new RamNode(this, TYPE_DIRECTORY, 0o755);
    return this.top!;
  }

  /** Nodes alive on this volume (the root included). */
  get nodeCount(): u32 {
    return this.liveNodes;
  }

  /**
   * Frees the whole tree, root included (the VFS unmounts only when nothing
   * is in use), a directory at a time without recursion, so that depth
   * costs no stack.
   */
  unmount(): void {
    if (this.top === null) return;
    const top = this.top!;
    this.top = null;
    let node = top;
    while (true) {
      const child = node.type == TYPE_DIRECTORY ? node.entries!.takeAny() : null;
      if (child !== null) {
        const next = changetype<RamNode>(child);
        if (next.type == TYPE_DIRECTORY && next.entries!.count != 0) {
          node = next; // its own entries go first; it comes back here once empty
          continue;
        }
        next.unlinked = true;
        if (next.references == 0) next.destroy();
        continue;
      }
      if (node === top) {
        node.destroy();
        return;
      }
      const up = node.container!;
      node.unlinked = true;
      node.container = null;
      if (node.references == 0) node.destroy();
      node = up;
    }
  }
}
