// The randomness self-test (`selftest=random`): every source the machine
// has, read straight, then the generator kernel/random.ts builds on them.
//
// Prints, for the host to read (test/boot/random.test.ts):
//
//   random-virtio <transport>|none        the virtio entropy device found
//   random-virtio-error -5 after N requests   the device failed (its deadline passed)
//   random-hardware yes|no                whether the CPU generator answers
//   random-source virtio-rng|hardware|none    what seeded the generator
//   random-enosys                         (only with no source) getRandom said -ENOSYS
//   random-cost 16 bytes: generator N ns, source M ns    what a small request costs (information)
//
// Checks, per source present: two reads differ and neither is one byte
// repeated. A device that fails is reported, not a failed check (the
// generator must then go on with the CPU's generator, or say -ENOSYS). For the generator: the same, a 64 KiB read holding every byte
// value, odd lengths at odd addresses leaving the bytes around them alone,
// a zero length, many small reads. With no source at all, the check is
// that getRandom says -ENOSYS and leaves the buffer untouched.

import { hardwareRandom } from "../../arch";
import { printLine } from "../../kernel/console";
import { ENOSYS } from "../../kernel/errno";
import { now } from "../../kernel/time/index";
import { getRandom, readEntropy, randomSourceName, randomSeeds } from "../../kernel/random";
import { beginSelfTest, check, endSelfTest } from "../../kernel/selftest/check";
import { probeProblems } from "./index";
import { virtioRngDevice } from "./rng";

const SAMPLE_BYTES: usize = 64;
const LARGE_BYTES: usize = 65536;
const SMALL_READS: i32 = 1000;
const COST_READS: i32 = 200;
const GUARD: u8 = 0xa5;

export function runRandomSelfTest(): bool {
  beginSelfTest();
  const first = heap.alloc(LARGE_BYTES);
  const second = heap.alloc(LARGE_BYTES);

  // Reading entropy probes the virtio device (once).
  const entropy = readEntropy(first, SAMPLE_BYTES);
  const problems = probeProblems();
  for (let i = 0; i < problems.length; i++) printLine("random: " + problems[i]);
  const device = virtioRngDevice();
  printLine("random-virtio " + (device !== null ? device!.name : "none"));
  if (device !== null) {
    let result = device!.read(first, SAMPLE_BYTES);
    if (result == 0) result = device!.read(second, SAMPLE_BYTES);
    if (result == 0) checkSamples("random: virtio-rng", first, second, SAMPLE_BYTES);
    else printLine("random-virtio-error " + result.toString() + " after " + device!.requests.toString() + " requests");
  }
  const hardware = hardwareRandom(first) != 0 && hardwareRandom(second) != 0;
  printLine("random-hardware " + (hardware ? "yes" : "no"));
  if (hardware) checkSamples("random: hardware", first, second, 8);

  if (device === null && !hardware) {
    check("random: readEntropy without a source is -ENOSYS", entropy == -ENOSYS);
    memory.fill(first, GUARD, SAMPLE_BYTES);
    const result = getRandom(first, SAMPLE_BYTES);
    check("random: getRandom without a source is -ENOSYS", result == -ENOSYS);
    check("random: a refused request leaves the buffer alone", allEqual(first, SAMPLE_BYTES, GUARD));
    printLine("random-source " + randomSourceName());
    if (result == -ENOSYS) printLine("random-enosys");
  } else {
    check("random: readEntropy with a source", entropy == 0);
    testGenerator(first, second);
    printCosts(first);
    printLine("random-source " + randomSourceName());
  }
  heap.free(first);
  heap.free(second);
  return endSelfTest("random");
}

function testGenerator(first: usize, second: usize): void {
  check("random: getRandom reads", getRandom(first, SAMPLE_BYTES) == 0 && getRandom(second, SAMPLE_BYTES) == 0);
  checkSamples("random: generator", first, second, SAMPLE_BYTES);
  check("random: zero bytes", getRandom(first, 0) == 0);

  check("random: a 64 KiB read", getRandom(first, LARGE_BYTES) == 0);
  check("random: a 64 KiB read holds every byte value", everyByteValue(first, LARGE_BYTES));

  // Odd lengths at odd addresses touch exactly their own bytes.
  let bounded = true;
  for (let length: usize = 1; length <= 37; length += 6) {
    memory.fill(second, GUARD, 64);
    if (getRandom(second + 3, length) != 0) bounded = false;
    if (load<u8>(second + 2) != GUARD || load<u8>(second + 3 + length) != GUARD) bounded = false;
  }
  check("random: odd lengths stay inside their buffer", bounded);

  // Many small reads (hash seeds, nonces): all succeed, and no two neighbours repeat.
  let ok = true;
  let previous: u64 = 0;
  for (let i = 0; i < SMALL_READS; i++) {
    if (getRandom(first, 8) != 0) ok = false;
    const value = load<u64>(first);
    if (i > 0 && value == previous) ok = false;
    previous = value;
  }
  check("random: 1000 small reads", ok);
}

/** What a 16-byte request costs from the generator and straight from the source (information, not a check). */
function printCosts(buffer: usize): void {
  now(); // the clock's first reading may measure its frequency first
  let start = now();
  for (let i = 0; i < COST_READS; i++) getRandom(buffer, 16);
  const generator = (now() - start) / <u64>COST_READS;
  start = now();
  for (let i = 0; i < COST_READS; i++) readEntropy(buffer, 16);
  const source = (now() - start) / <u64>COST_READS;
  printLine("random-cost 16 bytes: generator " + generator.toString() + " ns, source " + source.toString() + " ns; " + randomSeeds().toString() + " seeds");
}

/** Two samples of `length` bytes differ, and neither is one byte repeated. */
function checkSamples(name: string, first: usize, second: usize, length: usize): void {
  check(name + " reads differ", memory.compare(first, second, length) != 0);
  check(name + " bytes are not all equal", !allEqual(first, length, load<u8>(first)) && !allEqual(second, length, load<u8>(second)));
}

function allEqual(buffer: usize, length: usize, value: u8): bool {
  for (let i: usize = 0; i < length; i++) if (load<u8>(buffer + i) != value) return false;
  return true;
}

function everyByteValue(buffer: usize, length: usize): bool {
  const seen = new StaticArray<bool>(256);
  for (let i: usize = 0; i < length; i++) seen[<i32>load<u8>(buffer + i)] = true;
  for (let i = 0; i < 256; i++) if (!seen[i]) return false;
  return true;
}
