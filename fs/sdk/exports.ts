// The ABI's exports (docs/modules.md, version 1), over the volumes the
// module serves. An entry file re-exports them all: `export * from "../sdk/exports"`.
// Names arrive as UTF-8 bytes in the transfer buffer; records are written
// where the kernel asks, in this module's memory.

import { Attributes, DirectoryEntry } from "./volume";
import { addVolume, volumeAt, removeVolume, applySetting, reportLine } from "./volumes";
import { EINVAL, ENOMEM } from "./errno";

const ABI_VERSION: i32 = 1;
const ATTRIBUTES_BYTES: i32 = 64;
const ENTRY_HEADER_BYTES: i32 = 24;

let transfer = new ArrayBuffer(0);
const attributes = new Attributes();
const entry = new DirectoryEntry();

export function wisp_abi_version(): i32 {
  return ABI_VERSION;
}

export function wisp_buffer(length: i32): usize {
  if (length < 0) return 0;
  if (transfer.byteLength < length) transfer = new ArrayBuffer(length);
  return changetype<usize>(transfer);
}

export function fs_mount(source: usize, length: i32, flags: i32): i32 {
  const number = addVolume();
  if (number < 0) return -ENOMEM;
  const result = volumeAt(number)!.mount(String.UTF8.decodeUnsafe(source, length), (flags & 1) != 0);
  if (result < 0) {
    removeVolume(number);
    return result;
  }
  return number;
}

export function fs_unmount(volume: i32): i32 {
  const found = volumeAt(volume);
  if (found === null) return -EINVAL;
  const result = found.unmount();
  removeVolume(volume);
  return result;
}

export function fs_root(volume: i32): i64 {
  const found = volumeAt(volume);
  return found === null ? -EINVAL : found.root();
}

export function fs_lookup(volume: i32, directory: i64, name: usize, length: i32): i64 {
  const found = volumeAt(volume);
  return found === null ? -EINVAL : found.lookup(directory, String.UTF8.decodeUnsafe(name, length));
}

export function fs_getattr(volume: i32, inode: i64, out: usize): i32 {
  const found = volumeAt(volume);
  if (found === null) return -EINVAL;
  const result = found.getattr(inode, attributes);
  if (result < 0) return result;
  memory.fill(out, 0, ATTRIBUTES_BYTES);
  store<u32>(out, attributes.type, 0);
  store<u32>(out, attributes.mode, 4);
  store<u64>(out, attributes.links, 8);
  store<u64>(out, attributes.size, 16);
  store<u64>(out, attributes.blocks, 24);
  store<i64>(out, attributes.accessed, 32);
  store<i64>(out, attributes.modified, 40);
  store<i64>(out, attributes.changed, 48);
  return 0;
}

export function fs_read(volume: i32, inode: i64, offset: i64, buffer: usize, length: i32): i32 {
  const found = volumeAt(volume);
  if (found === null || offset < 0 || length < 0) return -EINVAL;
  return found.read(inode, offset, buffer, length);
}

export function fs_readdir(volume: i32, directory: i64, cookie: i64, out: usize, capacity: i32): i32 {
  const found = volumeAt(volume);
  if (found === null) return -EINVAL;
  const result = found.readdir(directory, cookie, entry);
  if (result <= 0) return result;
  const name = String.UTF8.encode(entry.name);
  if (ENTRY_HEADER_BYTES + name.byteLength > capacity) return -EINVAL;
  store<i64>(out, entry.next, 0);
  store<i64>(out, entry.inode, 8);
  store<u32>(out, entry.type, 16);
  store<u32>(out, <u32>name.byteLength, 20);
  memory.copy(out + ENTRY_HEADER_BYTES, changetype<usize>(name), name.byteLength);
  return 1;
}

export function fs_readlink(volume: i32, inode: i64, buffer: usize, capacity: i32): i32 {
  const found = volumeAt(volume);
  if (found === null) return -EINVAL;
  const target = found.readlink(inode);
  if (target === null) return -EINVAL;
  const bytes = String.UTF8.encode(target!);
  memory.copy(buffer, changetype<usize>(bytes), min<i32>(capacity, bytes.byteLength));
  return bytes.byteLength;
}

export function fs_forget(volume: i32, inode: i64): void {
  const found = volumeAt(volume);
  if (found !== null) found.forget(inode);
}

export function fs_option(key: usize, keyLength: i32, value: usize, valueLength: i32): i32 {
  const taken = applySetting(String.UTF8.decodeUnsafe(key, keyLength), String.UTF8.decodeUnsafe(value, valueLength));
  return taken ? 0 : -EINVAL;
}

export function fs_report(buffer: usize, capacity: i32): i32 {
  const bytes = String.UTF8.encode(reportLine());
  memory.copy(buffer, changetype<usize>(bytes), min<i32>(capacity, bytes.byteLength));
  return bytes.byteLength;
}
