// Filesystem types by name. Each filesystem registers a maker under its name
// (the composition root, kernel/init/wiring.ts, holds one line per
// filesystem); /etc/fstab finds them here, so adding a filesystem touches no
// list anywhere else.

import { NamedRegistry } from "../../kernel/registry";
import { FileSystem } from "./node";

/** Makes a fresh instance of a filesystem that needs no device (RAMFS, the example). */
export type FileSystemMaker = () => FileSystem;

// Made on first use: nothing may allocate before the runtime is up.
let registry: NamedRegistry<FileSystemMaker> | null = null;

function types(): NamedRegistry<FileSystemMaker> {
  if (registry === null) registry = new NamedRegistry<FileSystemMaker>();
  return registry!;
}

export function registerFileSystem(name: string, make: FileSystemMaker): void {
  types().add(name, make);
}

/** A new instance of filesystem type `name`, or null if no filesystem registered that name. */
export function makeFileSystem(name: string): FileSystem | null {
  const entry = types().find(name);
  return entry === null ? null : entry.item();
}

/** The registered names, in registration order, comma-separated (for messages). */
export function fileSystemNames(): string {
  return types().names();
}

/** Forgets every registration (host tests register afresh). */
export function forgetFileSystems(): void {
  registry = null;
}
