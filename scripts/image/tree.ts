// The tree an image is built from: directories, files and symlinks with the
// attributes ROFS stores. The manifest (manifest.ts) builds one from host
// files; tests build them directly.

export interface Attributes {
  /** Permission bits (0o7777 at most). */
  mode: number;
  /** Seconds since the Unix epoch (0 .. 2^32 - 1). */
  mtime: number;
}

export interface DirectoryNode extends Attributes {
  type: "directory";
  children: Map<string, TreeNode>;
}

export interface FileNode extends Attributes {
  type: "file";
  data: Uint8Array;
}

export interface SymlinkNode extends Attributes {
  type: "symlink";
  target: string;
}

export type TreeNode = DirectoryNode | FileNode | SymlinkNode;

export const DIRECTORY_MODE = 0o755;
export const SYMLINK_MODE = 0o777;

export function directory(mtime = 0, mode = DIRECTORY_MODE): DirectoryNode {
  return { type: "directory", mode, mtime, children: new Map() };
}

/** Names in the order ROFS keeps directory entries: by their UTF-8 bytes. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

export function sortedNames(node: DirectoryNode): string[] {
  return [...node.children.keys()].sort(compareNames);
}
