// The root filesystem at boot: where it comes from, and what else is mounted.
//
// root=SOURCE on the kernel command line chooses (default auto):
//   initrd  the initrd holds a ROFS image, used in place (the fastest boot:
//           no disk I/O, no copy);
//   disk    the first virtio-blk disk holding a ROFS image;
//   ramfs   an empty RAMFS;
//   auto    the initrd if there is one, else an empty RAMFS (no disk is
//           probed: booting from a disk is asked for with root=disk);
//   TYPE:SOURCE  a filesystem served by a module (docs/modules.md), e.g.
//           root=zfs:tank/root: the initrd's ROFS is mounted first, the
//           module is loaded from its /lib/modules/TYPE.so and mounts
//           SOURCE, which then replaces the initrd as the root.
// Then /etc/fstab on the root, if present, names further mounts, one per
// line: `TYPE [SOURCE] PATH [ro|rw]`, TYPE a filesystem registered by name
// (fs/vfs/filesystems.ts: ramfs, 9p, ...), SOURCE what it mounts if it
// needs anything (9p: its device's mount tag); `#` starts a comment. Without an
// fstab, a read-only root gets a RAMFS on /tmp when it has that directory,
// so there is always somewhere to write.

import { BootInfo } from "../kernel/boot/bootinfo";
import { declareText, KernelOption } from "../kernel/options";
import { fail, withContext, failureDetail, lastFailure } from "../kernel/failure";
import { EINVAL, ENODEV } from "../kernel/errno";
import { MemoryBlockDevice, BlockDevice, disks as registeredDisks } from "../drivers/block/index";
import { probeVirtio } from "../drivers/virtio/index";
import { mountRofs, RofsMount } from "./rofs/index";
import { RamFileSystem } from "./ramfs/index";
import {
  FileSystem, Stat, TYPE_DIRECTORY, AT_FDCWD, O_RDONLY, mountRoot, mount, unmount, open, read, close, stat, makeFileSystem, isFileSystem, fileSystemNames,
} from "./vfs/index";

const FSTAB = "/etc/fstab";
const FSTAB_MAX_BYTES: usize = 4096;

/** What was mounted, for the banner and reports. */
export let rootDescription: string = "";
/** The device the root image is on (the initrd or a disk), null for a RAMFS root. */
export let rootDevice: BlockDevice | null = null;
let rootReadOnly = false;

/** Where root=SOURCE may take the root from. */
const ROOT_SOURCES: StaticArray<string> = ["auto", "initrd", "disk", "ramfs"];
let rootOption: KernelOption | null = null;

function checkRootSource(source: string): i32 {
  if (ROOT_SOURCES.includes(source) || moduleRootType(source).length > 0) return 0;
  return fail(EINVAL, "root=SOURCE needs one of: " + ROOT_SOURCES.join(", ") + ", or TYPE:SOURCE for a filesystem module (root=zfs:tank)");
}

/** The TYPE of a root=TYPE:SOURCE (a filesystem module's type: a-z, 0-9, _ and -), or "". */
function moduleRootType(source: string): string {
  // The name's characters up to the colon, in one pass.
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c == 0x3a) return i > 0 ? source.substring(0, i) : "";
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x5f || c == 0x2d)) return "";
  }
  return "";
}

/** Declares root=SOURCE (before the command line is read). */
export function declareRootOption(): void {
  rootOption = declareText("root", "root=SOURCE: the root filesystem: auto (default: the initrd if there is one, else RAMFS), initrd, disk (the first virtio-blk disk holding ROFS), ramfs, or TYPE:SOURCE served by a filesystem module from the initrd's /lib/modules (root=zfs:tank)", checkRootSource);
}

/** Mounts the root root=SOURCE names and the fstab's mounts; 0, or -errno with what went wrong (kernel/failure.ts). */
export function mountFileSystems(info: BootInfo): i32 {
  const option = rootOption;
  const source = option !== null && option.given ? option.value : "auto";
  const result = mountRootFrom(info, source);
  if (result < 0) return result;
  return mountFstab();
}

function mountRootFrom(info: BootInfo, source: string): i32 {
  const haveInitrd = info.initrdSize != 0;
  const type = moduleRootType(source);
  if (type.length > 0) return mountModuleRoot(info, type, source.substring(type.length + 1));
  if (source == "initrd" || (source == "auto" && haveInitrd)) {
    if (!haveInitrd) return fail(ENODEV, "root=initrd, but the machine was booted without an initrd");
    const device = new MemoryBlockDevice("initrd", <usize>info.initrdBase, info.initrdSize);
    return mountRofsRoot(device, "initrd");
  }
  if (source == "disk") {
    probeVirtio();
    const disks = registeredDisks();
    if (disks.length == 0) return fail(ENODEV, "root=disk, but no virtio-blk disk was found");
    let firstError = 0;
    let firstDetail = "";
    for (let i = 0; i < disks.length; i++) {
      const result = mountRofsRoot(disks[i], disks[i].name);
      if (result == 0) return 0;
      if (firstError == 0) {
        firstError = result;
        firstDetail = failureDetail(result);
      }
    }
    return fail(-firstError, firstDetail);
  }
  return useRoot(new RamFileSystem(), "ramfs");
}

/** root=TYPE:SOURCE: the module comes from the initrd, whose root the filesystem it mounts then replaces. */
function mountModuleRoot(info: BootInfo, type: string, source: string): i32 {
  if (info.initrdSize == 0) return fail(ENODEV, "root=" + type + ":" + source + " loads the " + type + " module from the initrd, but the machine was booted without one");
  const initrd = mountRofsRoot(new MemoryBlockDevice("initrd", <usize>info.initrdBase, info.initrdSize), "initrd");
  if (initrd < 0) return initrd;
  if (!isFileSystem(type)) return fail(ENODEV, "root=" + type + ":" + source + ": the initrd has no /lib/modules/" + type + ".so");
  const fs = makeFileSystem(type, source, false);
  if (fs === null) return withContext("root=" + type + ":" + source + ": ", lastFailure());
  const released = unmount(AT_FDCWD, "/");
  if (released < 0) return fail(-released, "root=" + type + ":" + source + ": the initrd's root is still in use (errno " + (-released).toString() + ")");
  rootDevice = null;
  return useRoot(fs!, type + " " + source);
}

function mountRofsRoot(device: BlockDevice, name: string): i32 {
  const mounted = new RofsMount();
  const result = mountRofs(device, mounted);
  if (result < 0) return withContext("root on " + name + ": ", result);
  rootDevice = device;
  return useRoot(mounted.fs!, "rofs on " + name);
}

function useRoot(fs: FileSystem, description: string): i32 {
  const result = mountRoot(fs);
  if (result < 0) return fail(-result, "mounting the root failed (errno " + (-result).toString() + ")");
  rootDescription = description;
  rootReadOnly = fs.readOnly;
  return 0;
}

function mountFstab(): i32 {
  const fd = open(AT_FDCWD, FSTAB, O_RDONLY, 0);
  if (fd < 0) return defaultMounts();
  const buffer = heap.alloc(FSTAB_MAX_BYTES);
  const length = read(fd, buffer, FSTAB_MAX_BYTES);
  close(fd);
  if (length < 0) {
    heap.free(buffer);
    return fail(<i32>-length, FSTAB + ": read failed (errno " + (-length).toString() + ")");
  }
  const text = String.UTF8.decodeUnsafe(buffer, <usize>length);
  heap.free(buffer);
  const fields: string[] = [];
  let lineNumber = 0;
  for (let start = 0; start < text.length; ) {
    let end = start;
    while (end < text.length && text.charCodeAt(end) != 0x0a) end++; // (String#indexOf compares at every position)
    lineNumber++;
    splitFields(text, start, end, fields);
    start = end + 1;
    if (fields.length == 0) continue;
    if (fields.length < 2 || fields.length > 4) {
      return fail(EINVAL, fstabLineName(lineNumber) + "expected 'TYPE [SOURCE] PATH [ro|rw]', got '" + fields.join(" ") + "'");
    }
    const result = mountLine(fields);
    if (result < 0) return withContext(fstabLineName(lineNumber), result);
  }
  return 0;
}

function fstabLineName(number: i32): string {
  return FSTAB + " line " + number.toString() + ": ";
}

/** The fields of text[start, end) into `fields` (emptied first): runs between spaces, tabs and CRs, up to a `#`. */
function splitFields(text: string, start: i32, end: i32, fields: string[]): void {
  fields.length = 0;
  let at = start;
  while (at < end) {
    const c = text.charCodeAt(at);
    if (c == 0x23) return; // '#': a comment to the end of the line
    if (isFieldEnd(c)) {
      at++;
      continue;
    }
    const fieldStart = at;
    while (at < end && !isFieldEnd(text.charCodeAt(at))) at++;
    fields.push(text.substring(fieldStart, at));
  }
}

/** A space, tab, CR or `#`. */
function isFieldEnd(c: i32): bool {
  return c == 0x20 || c == 0x09 || c == 0x0d || c == 0x23;
}

/** One fstab line's fields: TYPE PATH, TYPE SOURCE PATH, or TYPE SOURCE PATH OPTIONS (ro or rw). */
function mountLine(fields: string[]): i32 {
  const type = fields[0];
  const source = fields.length >= 3 ? fields[1] : "";
  const path = fields.length >= 3 ? fields[2] : fields[1];
  const options = fields.length == 4 ? fields[3] : "rw";
  if (options != "ro" && options != "rw") return fail(EINVAL, "unknown mount options '" + options + "' (ro or rw)");
  if (!isFileSystem(type)) {
    return fail(ENODEV, "unknown filesystem type '" + type + "' (known: " + fileSystemNames() + ", and modules in /lib/modules/)");
  }
  const fs = makeFileSystem(type, source, options == "ro");
  if (fs === null) return lastFailure();
  const result = mount(AT_FDCWD, path, fs!);
  if (result < 0) return fail(-result, "mounting " + type + " on " + path + " failed (errno " + (-result).toString() + ")");
  return 0;
}

function defaultMounts(): i32 {
  if (!rootReadOnly) return 0;
  const status = new Stat();
  const found = stat(AT_FDCWD, "/tmp", status) == 0 && status.type == TYPE_DIRECTORY;
  heap.free(changetype<usize>(status));
  if (!found) return 0;
  const result = mount(AT_FDCWD, "/tmp", new RamFileSystem());
  return result < 0 ? fail(-result, "mounting ramfs on /tmp failed (errno " + (-result).toString() + ")") : 0;
}
