// Filesystem types by name. Each filesystem registers a maker under its name
// (the composition root, kernel/init/wiring.ts, holds one line per
// filesystem); /etc/fstab finds them here, so adding a filesystem touches no
// list anywhere else.

import { NamedRegistry } from "../../kernel/registry";
import { fail } from "../../kernel/failure";
import { EINVAL } from "../../kernel/errno";
import { FileSystem } from "./node";

/**
 * Makes a fresh instance of a filesystem: `source` is what fstab names
 * before the path ("" when it names nothing: RAMFS and the example need
 * nothing; 9p needs its device's mount tag), `readOnly` whether it was
 * mounted `ro`. Returns null, with the reason recorded by fail()
 * (kernel/failure.ts), when it cannot.
 */
export type FileSystemMaker = (source: string, readOnly: bool) => FileSystem | null;

/**
 * Where filesystem types the kernel does not carry come from: modules in
 * the image (loader/modules). Asked only for names no maker is registered
 * under, outside the VFS lock (it may read files).
 */
export abstract class FileSystemProvider {
  /** Whether it can make type `name` (a file for it exists, or it is loaded). */
  abstract provides(name: string): bool;
  /** A new instance of type `name`, or null with the reason recorded (fail()). */
  abstract make(name: string, source: string, readOnly: bool): FileSystem | null;
}

let provider: FileSystemProvider | null = null;

/** Types no maker is registered for are asked of `source` (one provider). */
export function useFileSystemProvider(source: FileSystemProvider): void {
  provider = source;
}

// Made on first use: nothing may allocate before the runtime is up.
let registry: NamedRegistry<FileSystemMaker> | null = null;

function types(): NamedRegistry<FileSystemMaker> {
  if (registry === null) registry = new NamedRegistry<FileSystemMaker>();
  return registry!;
}

export function registerFileSystem(name: string, make: FileSystemMaker): void {
  types().add(name, make);
}

/** Whether a filesystem registered the type `name`, or the provider can make it. */
export function isFileSystem(name: string): bool {
  return types().find(name) !== null || (provider !== null && provider!.provides(name));
}

/** A new instance of filesystem type `name` (isFileSystem), or null with the maker's reason. */
export function makeFileSystem(name: string, source: string, readOnly: bool): FileSystem | null {
  const entry = types().find(name);
  if (entry !== null) return entry.item(source, readOnly);
  return provider === null ? null : provider!.make(name, source, readOnly);
}

/** The registered names, in registration order, comma-separated (for messages). */
export function fileSystemNames(): string {
  return types().names();
}

/** Forgets every registration (host tests register afresh). */
export function forgetFileSystems(): void {
  registry = null;
  provider = null;
}

/**
 * For makers of filesystems that take no source and are always writable:
 * true (with the reason recorded) when fstab gave `type` a source or `ro`.
 */
export function refusesSource(type: string, source: string, readOnly: bool): bool {
  if (source.length != 0) fail(EINVAL, type + " takes no source ('" + type + " PATH'), not '" + source + "'");
  else if (readOnly) fail(EINVAL, type + " cannot be mounted read-only");
  else return false;
  return true;
}
