// The module's whole boundary with the kernel: the "wisp" imports of
// docs/modules.md (ABI v1) that this module uses, a `log` that takes a
// string, and the handler asc's `abort` is routed to (asc --use
// abort=fs/zfs/host/abortHandler), which logs and traps, so that the kernel
// marks the module broken instead of the module importing `env.abort`.

@external("wisp", "device_count")
export declare function deviceCount(): i32;

/** A device's size in bytes, or -errno. */
@external("wisp", "device_size")
export declare function deviceSize(device: i32): i64;

/** Reads `length` bytes at byte `offset` (both multiples of 512) into `buffer`: 0 or -errno. */
@external("wisp", "device_read")
export declare function deviceRead(device: i32, offset: i64, buffer: usize, length: i32): i32;

@external("wisp", "log")
declare function hostLog(text: usize, length: i32): void;

/** One line on the console, prefixed by the kernel with the module's name. */
export function log(text: string): void {
  const bytes = String.UTF8.encode(text);
  hostLog(changetype<usize>(bytes), bytes.byteLength);
}

/** asc's abort (a failed assertion, an out-of-range index): say where, then trap. */
export function abortHandler(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = "abort: " + (message !== null ? message : "assertion failed");
  if (fileName !== null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  log(text);
  unreachable();
}
