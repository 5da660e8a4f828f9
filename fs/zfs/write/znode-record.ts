// Writing a znode (znode.ts reads it): the ZPL's bonus record of a file,
// directory or symbolic link, 264 bytes, followed by a short link's target.
// A new object's access control list is the trivial one ZFS derives from
// its mode (six entries: a deny and an allow each for the owner, the group
// and everyone, the "groupmask" rule), stored inline, with the flags ZFS
// gives such objects.
//
//   +0 atime  +16 mtime  +32 ctime  +48 crtime (seconds, nanoseconds)
//   +64 generation  +72 mode  +80 size  +88 parent  +96 links  +104 xattr
//   +112 rdev  +120 flags  +128 uid  +136 gid  +144 zap  +176 ACL:
//   +0 external object  +8 u32 size  +12 u16 version (1)  +14 u16 count
//   +16 entries: u16 type (0 allow, 1 deny), u16 flags (who), u32 access mask

import { le64, storeLe64 } from "../bytes";
import { ZNODE_SIZE } from "../znode";

export const S_IFMT: u64 = 0o170000;
export const S_IFREG: u64 = 0o100000;
export const S_IFDIR: u64 = 0o040000;
export const S_IFLNK: u64 = 0o120000;
/** The longest link target kept in the bonus buffer (320 - 264); longer ones are the object's data. */
export const INLINE_TARGET_MAX: i32 = 56;

const ATIME: i32 = 0;
const MTIME: i32 = 16;
const CTIME: i32 = 32;
const CRTIME: i32 = 48;
const GENERATION: i32 = 64;
const MODE: i32 = 72;
const SIZE: i32 = 80;
const PARENT: i32 = 88;
const LINKS: i32 = 96;
const FLAGS: i32 = 120;
const UID: i32 = 128;
const GID: i32 = 136;
const ACL: i32 = 176;

// Access mask bits (NFSv4 ACL): read, write and append, execute; and what every entry adds.
const ACE_READ: u32 = 0x1;
const ACE_WRITE: u32 = 0x2 | 0x4;
const ACE_EXECUTE: u32 = 0x20;
const OWNER_EXTRA: u32 = 0x10 | 0x100 | 0x40000 | 0x80000;
const EVERYONE_ALLOWED: u32 = 0x8 | 0x80 | 0x20000 | 0x100000;
const EVERYONE_DENIED: u32 = 0x10 | 0x100 | 0x40000 | 0x80000;
const WHO_OWNER: u32 = 0x1000;
const WHO_GROUP: u32 = 0x2000 | 0x40;
const WHO_EVERYONE: u32 = 0x4000;
const ALLOW: u32 = 0;
const DENY: u32 = 1;

// Znode flags: archive, anti-virus modified, trivial ACL; auto-inherit (directories); nobody is denied execute.
const FLAGS_ALWAYS: u64 = 0x0000000800000000 | 0x0000040000000000 | 0x4;
const FLAG_AUTO_INHERIT: u64 = 0x40;
const FLAG_NO_EXECS_DENIED: u64 = 0x100;

/** The rwx bits of one class (shifted to the low three bits) as ACE access bits. */
function access(bits: u64): u32 {
  return ((bits & 4) != 0 ? ACE_READ : 0) | ((bits & 2) != 0 ? ACE_WRITE : 0) | ((bits & 1) != 0 ? ACE_EXECUTE : 0);
}

function putAce(bonus: Uint8Array, index: i32, type: u32, who: u32, mask: u32): void {
  const at = ACL + 16 + index * 8;
  bonus[at] = <u8>type;
  bonus[at + 1] = <u8>(type >> 8);
  bonus[at + 2] = <u8>who;
  bonus[at + 3] = <u8>(who >> 8);
  store<u32>(bonus.dataStart + <usize>(at + 4), mask);
}

const ALL: u32 = ACE_READ | ACE_WRITE | ACE_EXECUTE;

/** Writes the trivial ACL for `mode` and the flags that go with it. */
export function setTrivialAcl(bonus: Uint8Array, mode: u64): void {
  const owner = access((mode >> 6) & 7);
  const group = access((mode >> 3) & 7);
  const other = access(mode & 7);
  storeLe64(bonus, ACL, 0);
  store<u32>(bonus.dataStart + <usize>(ACL + 8), 48);
  bonus[ACL + 12] = 1;
  bonus[ACL + 13] = 0;
  bonus[ACL + 14] = 6;
  bonus[ACL + 15] = 0;
  putAce(bonus, 0, DENY, WHO_OWNER, ALL & ~owner);
  putAce(bonus, 1, ALLOW, WHO_OWNER, owner | OWNER_EXTRA);
  putAce(bonus, 2, DENY, WHO_GROUP, ALL & ~group);
  putAce(bonus, 3, ALLOW, WHO_GROUP, group);
  putAce(bonus, 4, DENY, WHO_EVERYONE, (ALL & ~other) | EVERYONE_DENIED);
  putAce(bonus, 5, ALLOW, WHO_EVERYONE, other | EVERYONE_ALLOWED);
  let flags = FLAGS_ALWAYS;
  if ((mode & S_IFMT) == S_IFDIR) flags |= FLAG_AUTO_INHERIT;
  if ((mode & 0o111) == 0o111) flags |= FLAG_NO_EXECS_DENIED;
  storeLe64(bonus, FLAGS, flags);
}

/** A fresh znode record (with `extra` bytes after it for an inline link target). */
export function newZnode(mode: u64, parent: u64, generation: u64, uid: u64, gid: u64, nanoseconds: i64, extra: i32): Uint8Array {
  const bonus = new Uint8Array(ZNODE_SIZE + extra);
  storeLe64(bonus, MODE, mode);
  storeLe64(bonus, PARENT, parent);
  storeLe64(bonus, GENERATION, generation);
  storeLe64(bonus, LINKS, 1);
  storeLe64(bonus, UID, uid);
  storeLe64(bonus, GID, gid);
  setTime(bonus, ATIME, nanoseconds);
  setTime(bonus, MTIME, nanoseconds);
  setTime(bonus, CTIME, nanoseconds);
  setTime(bonus, CRTIME, nanoseconds);
  setTrivialAcl(bonus, mode);
  return bonus;
}

function setTime(bonus: Uint8Array, at: i32, nanoseconds: i64): void {
  const seconds = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000;
  storeLe64(bonus, at, <u64>seconds);
  storeLe64(bonus, at + 8, <u64>(nanoseconds - seconds * 1_000_000_000));
}

export function znodeMode(bonus: Uint8Array): u64 { return le64(bonus, MODE); }
/** The time at `at` (0 access, 16 modification, 32 change) in nanoseconds. */
export function znodeTime(bonus: Uint8Array, at: i32): i64 { return <i64>le64(bonus, at) * 1_000_000_000 + <i64>le64(bonus, at + 8); }
export function znodeSize(bonus: Uint8Array): u64 { return le64(bonus, SIZE); }
export function znodeLinks(bonus: Uint8Array): u64 { return le64(bonus, LINKS); }
export function znodeParent(bonus: Uint8Array): u64 { return le64(bonus, PARENT); }
export function znodeUid(bonus: Uint8Array): u64 { return le64(bonus, UID); }
export function znodeGid(bonus: Uint8Array): u64 { return le64(bonus, GID); }

export function setZnodeSize(bonus: Uint8Array, size: u64): void { storeLe64(bonus, SIZE, size); }
export function setZnodeLinks(bonus: Uint8Array, links: u64): void { storeLe64(bonus, LINKS, links); }
export function setZnodeParent(bonus: Uint8Array, parent: u64): void { storeLe64(bonus, PARENT, parent); }
export function setZnodeOwner(bonus: Uint8Array, uid: u64, gid: u64): void {
  storeLe64(bonus, UID, uid);
  storeLe64(bonus, GID, gid);
}

/** Sets the permission bits (keeping the file type) and the ACL that follows from them. */
export function setZnodeMode(bonus: Uint8Array, mode: u64): void {
  const full = (le64(bonus, MODE) & S_IFMT) | (mode & 0o7777);
  storeLe64(bonus, MODE, full);
  setTrivialAcl(bonus, full);
}

export function setAccessTime(bonus: Uint8Array, nanoseconds: i64): void { setTime(bonus, ATIME, nanoseconds); }
export function setModifyTime(bonus: Uint8Array, nanoseconds: i64): void { setTime(bonus, MTIME, nanoseconds); }
export function setChangeTime(bonus: Uint8Array, nanoseconds: i64): void { setTime(bonus, CTIME, nanoseconds); }
