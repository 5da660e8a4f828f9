// hello-as: an AssemblyScript Wisp app. Speaks WASI preview 1 directly
// (fd_write, args_sizes_get/args_get, proc_exit) instead of a shim, greets,
// then computes something small and checkable: the primes below 10000 with a
// sieve, and their count and sum.
//
// Build: asc hello.ts --exportStart _start --runtime stub -O3 --noAssert
//        --use abort=hello/abortApp   (abort must not import "env")

@external("wasi_snapshot_preview1", "fd_write")
declare function fd_write(fd: u32, iovs: usize, iovsLength: u32, written: usize): u16;

@external("wasi_snapshot_preview1", "args_sizes_get")
declare function args_sizes_get(count: usize, bufferSize: usize): u16;

@external("wasi_snapshot_preview1", "args_get")
declare function args_get(pointers: usize, buffer: usize): u16;

@external("wasi_snapshot_preview1", "proc_exit")
declare function proc_exit(code: u32): void;

const STDOUT: u32 = 1;
const STDERR: u32 = 2;

/** Writes a string to a stream as UTF-8. */
function write(fd: u32, text: string): void {
  const bytes = String.UTF8.encode(text);
  const iov = memory.data(8);
  const written = memory.data(4);
  store<u32>(iov, changetype<usize>(bytes));
  store<u32>(iov, <u32>bytes.byteLength, 4);
  fd_write(fd, iov, 1, written);
}

function print(text: string): void {
  write(STDOUT, text + "\n");
}

/** The program's arguments, through args_sizes_get + args_get. */
function argumentsOf(): string[] {
  const sizes = memory.data(8);
  if (args_sizes_get(sizes, sizes + 4) != 0) return [];
  const count = load<u32>(sizes);
  const pointers = new ArrayBuffer(<i32>count * 4);
  const buffer = new ArrayBuffer(<i32>load<u32>(sizes, 4));
  if (args_get(changetype<usize>(pointers), changetype<usize>(buffer)) != 0) return [];
  const result = new Array<string>();
  for (let i: u32 = 0; i < count; i++) {
    const start = load<u32>(changetype<usize>(pointers) + i * 4);
    let end = start;
    while (load<u8>(end) != 0) end++;
    result.push(String.UTF8.decodeUnsafe(start, end - start));
  }
  return result;
}

/** Count and sum of the primes below `limit` (sieve of Eratosthenes). */
function primesBelow(limit: i32): u64[] {
  const composite = new Uint8Array(limit);
  let count: u64 = 0;
  let sum: u64 = 0;
  for (let n = 2; n < limit; n++) {
    if (composite[n]) continue;
    count++;
    sum += <u64>n;
    for (let multiple = n * n; multiple < limit; multiple += n) composite[multiple] = 1;
  }
  return [count, sum];
}

/** Replaces AssemblyScript's default abort (an "env" import Wisp does not provide). */
export function abortApp(message: string | null, file: string | null, line: u32, column: u32): void {
  write(STDERR, "abort: " + (message ? message : "") + " at " + (file ? file : "?") + ":" + line.toString() + ":" + column.toString() + "\n");
  proc_exit(134);
}

print("Hello from Wisp, in AssemblyScript!");
const args = argumentsOf();
print("arguments: " + args.length.toString());
for (let i = 0; i < args.length; i++) print("  " + i.toString() + ": " + args[i]);
const primes = primesBelow(10000);
print("primes below 10000: " + primes[0].toString() + ", summing to " + primes[1].toString());
