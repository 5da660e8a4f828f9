// In-kernel self-tests by name, run after boot with selftest=NAME. Each test
// registers itself here (registerSelfTest; the test profile's wiring in
// kernel/init does it), and declareSelfTestOption makes selftest=NAME an
// option once there is something to run. A kernel built without self-tests
// (the default profile) carries none of this code and knows no such option.

import { declareText, KernelOption } from "../options";
import { NamedRegistry } from "../registry";
import { fail } from "../failure";
import { EINVAL } from "../errno";

/** Runs a self-test; true if every check passed. */
export type SelfTest = () => bool;

// Made on first use: nothing may allocate before the runtime is up.
let tests: NamedRegistry<SelfTest> | null = null;
let option: KernelOption | null = null;

function registry(): NamedRegistry<SelfTest> {
  if (tests === null) tests = new NamedRegistry<SelfTest>();
  return tests!;
}

/** Forgets every registration (host tests register afresh). */
export function forgetSelfTests(): void {
  tests = null;
  option = null;
}

export function registerSelfTest(name: string, run: SelfTest): void {
  registry().add(name, run);
}

/** The registered names in registration order, comma-separated. */
export function selfTestNames(): string {
  return registry().names();
}

function checkName(name: string): i32 {
  return registry().find(name) !== null ? 0 : fail(EINVAL, "selftest=NAME needs one of: " + selfTestNames());
}

/** Declares selftest=NAME (after the tests registered). */
export function declareSelfTestOption(): void {
  option = declareText("selftest", "selftest=NAME: run an in-kernel self-test after boot: " + selfTestNames(), checkName);
}

/** The self-test selftest=NAME asked for, or null. */
export function requestedSelfTest(): string | null {
  const chosen = option;
  return chosen !== null && chosen.given ? chosen.value : null;
}

/** Runs self-test `name`; true if it exists and every check passed. */
export function runSelfTest(name: string): bool {
  const entry = registry().find(name);
  return entry !== null && entry.item();
}
