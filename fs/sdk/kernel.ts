// What the kernel offers a module: the "wisp" imports of docs/modules.md,
// with AssemblyScript-friendly wrappers.

@external("wisp", "device_count") declare function device_count(): i32;
@external("wisp", "device_size") declare function device_size(device: i32): i64;
@external("wisp", "device_read") declare function device_read(device: i32, offset: i64, buffer: usize, length: i32): i32;
@external("wisp", "device_write") declare function device_write(device: i32, offset: i64, buffer: usize, length: i32): i32;
@external("wisp", "device_flush") declare function device_flush(device: i32): i32;
@external("wisp", "log") declare function log_line(text: usize, length: i32): void;
@external("wisp", "time_now") declare function time_now(): i64;

/** How many block devices the VM has. */
export function deviceCount(): i32 {
  return device_count();
}

/** A device's size in bytes, or -errno. */
export function deviceSize(device: i32): i64 {
  return device_size(device);
}

/** Reads `length` bytes (a multiple of 512) at byte `offset` (also) into `buffer`: 0 or -errno. */
export function deviceRead(device: i32, offset: i64, buffer: usize, length: i32): i32 {
  return device_read(device, offset, buffer, length);
}

/** Writes `length` bytes (a multiple of 512) from `buffer` at byte `offset` (also): 0 or -errno (-EROFS on a read-only disk). */
export function deviceWrite(device: i32, offset: i64, buffer: usize, length: i32): i32 {
  return device_write(device, offset, buffer, length);
}

/** Makes every completed write to `device` durable: 0 or -errno. */
export function deviceFlush(device: i32): i32 {
  return device_flush(device);
}

/** Prints one line on the kernel console, prefixed with the module's name. */
export function log(text: string): void {
  const bytes = String.UTF8.encode(text);
  log_line(changetype<usize>(bytes), bytes.byteLength);
}

/** Nanoseconds since the epoch, 0 while the kernel does not know the time. */
export function timeNow(): i64 {
  return time_now();
}

/** AssemblyScript's abort (asc --use abort=fs/sdk/kernel/moduleAbort): log, then trap. */
export function moduleAbort(message: string | null, file: string | null, line: u32, column: u32): void {
  log("abort: " + (message === null ? "" : message!) + " at " + (file === null ? "?" : file!) + ":" + line.toString() + ":" + column.toString());
  unreachable();
}
