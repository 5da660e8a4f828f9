// Calling into a filesystem module: one operation at a time, through the
// generated glue's entry (scripts/module/glue.ts) with a call record in
// kernel memory, behind a recovery point (arch.callModule).
//
//   record   0 u32 operation   8 u64 the kernel instance (filled natively)
//            16 u64 arguments[6]   64 i64 result
//
// Operation numbers: 0 instantiates the module, 1 frees it, then the exports
// in the order of loader/native/module-abi.list from 2. A trap or a claimed
// fault ends the call: the module is reported, marked broken, and the call
// answers -EIO, as does every later call to it.

import { callModule, setInterrupts } from "../../arch";
import { EIO, ENOSYS } from "../../kernel/errno";
import { FsModule } from "./module";
import { reportModuleTrap } from "./faults";

export const OP_INSTANTIATE: u32 = 0;
export const OP_FREE: u32 = 1;
export const OP_ABI_VERSION: u32 = 2;
export const OP_BUFFER: u32 = 3;
export const OP_MOUNT: u32 = 4;
export const OP_UNMOUNT: u32 = 5;
export const OP_ROOT: u32 = 6;
export const OP_LOOKUP: u32 = 7;
export const OP_GETATTR: u32 = 8;
export const OP_READ: u32 = 9;
export const OP_READDIR: u32 = 10;
export const OP_READLINK: u32 = 11;
export const OP_FORGET: u32 = 12;
export const OP_OPTION: u32 = 13;
export const OP_REPORT: u32 = 14;
// Writing (optional; docs/modules.md, "Writing").
export const OP_MKFS: u32 = 15;
export const OP_CREATE: u32 = 16;
export const OP_SYMLINK: u32 = 17;
export const OP_LINK: u32 = 18;
export const OP_UNLINK: u32 = 19;
export const OP_RENAME: u32 = 20;
export const OP_WRITE: u32 = 21;
export const OP_TRUNCATE: u32 = 22;
export const OP_SETATTR: u32 = 23;
export const OP_SYNC: u32 = 24;
// Space (optional; docs/modules.md, fs_statfs).
export const OP_STATFS: u32 = 25;

/** What the glue answers for an optional export the module does not have. */
export const NOT_EXPORTED: i64 = -(<i64>ENOSYS);

const record = memory.data(72);

let current: FsModule | null = null;

/** The module being called (its runtime's memory and table requests are for it), or null. */
export function calledModule(): FsModule | null {
  return current;
}

/** Calls operation `op` of `module` with up to six arguments; its result, or -EIO when it trapped or is broken. */
export function call(module: FsModule, op: u32, a: u64 = 0, b: u64 = 0, c: u64 = 0, d: u64 = 0, e: u64 = 0, f: u64 = 0): i64 {
  if (module.broken) return -(<i64>EIO);
  store<u32>(record, op, 0);
  store<u64>(record, a, 16);
  store<u64>(record, b, 24);
  store<u64>(record, c, 32);
  store<u64>(record, d, 40);
  store<u64>(record, e, 48);
  store<u64>(record, f, 56);
  store<i64>(record, 0, 64);
  const interrupts = setInterrupts(0);
  setInterrupts(interrupts);
  const outer = current;
  current = module;
  module.calls++;
  const reason = callModule(module.code.entry, record);
  current = outer;
  if (reason == 0) return load<i64>(record, 64);
  setInterrupts(interrupts); // a fault unwinds from an exception, with interrupts off
  module.broken = true;
  reportModuleTrap(module, op);
  return -(<i64>EIO);
}
