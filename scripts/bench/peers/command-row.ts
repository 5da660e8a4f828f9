// Rows the user adds: --peer NAME='QEMU COMMAND', a whole shell command line
// run with sh -c (shell-run.ts) and timed from the shell's spawn to its exit.
//
// A boot counts when the command exits with status 0 (what QEMU does after
// -no-reboot catches a reset, or a guest powers off through ACPI), or, with
// --expect NAME=TEXT, when TEXT appears in its output and it exits before the
// timeout, whatever its status (isa-debug-exit and semihosting make QEMU exit
// with the guest's own code).
//
// Image size: the files after -kernel and -initrd, when they exist. Smallest
// RAM: only for a command with a plain `-m SIZE` (64M, 512K, 128): SIZE is
// replaced by each probe's size, with SIZE itself as the upper bound;
// otherwise the row says why it was skipped.

import { existsSync } from "node:fs";
import { parseMemorySize } from "../../run/memory-size";
import { UsageError } from "../../cli/errors";
import type { MemorySearch } from "./memory";
import { BOOT_TIMEOUT_S, failure, Peer } from "./peer";
import { runShell } from "./shell-run";

export interface CommandPeerSpec {
  name: string;
  command: string;
  expect?: string;
}

const MEMORY_OPTION = /(^|\s)-m\s+(\S+)/;
const NAME = /^[A-Za-z0-9][\w.+-]*$/;

/** Splits NAME=VALUE as given to --peer or --expect; a bad one is a UsageError naming the option. */
export function splitNamed(text: string, option: string): { name: string; value: string } {
  const at = text.indexOf("=");
  const name = at < 0 ? "" : text.slice(0, at);
  const value = at < 0 ? "" : text.slice(at + 1);
  if (!NAME.test(name) || value.trim() === "") {
    throw new UsageError(`--${option} needs NAME=${option === "peer" ? "'QEMU COMMAND'" : "TEXT"} with a name of letters, digits, '.', '_', '+' or '-', not '${text}'`);
  }
  return { name, value };
}

/** The user's rows from every --peer and --expect; names must be new and each --expect must name a --peer. */
export function commandPeerSpecs(peers: string[], expects: string[], taken: readonly string[]): CommandPeerSpec[] {
  const specs: CommandPeerSpec[] = [];
  for (const text of peers) {
    const { name, value } = splitNamed(text, "peer");
    if (taken.includes(name) || specs.some((spec) => spec.name === name)) {
      throw new UsageError(`--peer ${name} names a row twice (the built-in rows are ${taken.join(", ")})`);
    }
    specs.push({ name, command: value });
  }
  for (const text of expects) {
    const { name, value } = splitNamed(text, "expect");
    const spec = specs.find((candidate) => candidate.name === name);
    if (spec === undefined) throw new UsageError(`--expect ${name} names no --peer`);
    spec.expect = value;
  }
  return specs;
}

/** Where to look for the smallest RAM of `command`, or why not. */
export function commandMemorySearch(command: string): MemorySearch | { skipped: string } {
  const match = MEMORY_OPTION.exec(command);
  if (!match) return { skipped: "the command has no -m SIZE" };
  let highKib: number;
  try {
    highKib = parseMemorySize(match[2]);
  } catch {
    return { skipped: `-m ${match[2]} is not a plain size` };
  }
  return { lowKib: 1024, highKib, stepKib: highKib <= 64 << 10 ? 64 : 1024 };
}

/** `command` with its -m SIZE replaced by `kib` KiB. */
export function withMemory(command: string, kib: number): string {
  return command.replace(MEMORY_OPTION, (_, before: string) => `${before}-m ${kib}K`);
}

/** The existing files named after -kernel and -initrd in `command`. */
export function commandFiles(command: string): string[] {
  return ["-kernel", "-initrd"].flatMap((option) => {
    const match = new RegExp(`(^|\\s)${option}\\s+(\\S+)`).exec(command);
    const file = match?.[2].replace(/^(['"])(.*)\1$/, "$2");
    return file !== undefined && existsSync(file) ? [file] : [];
  });
}

export function commandPeer(spec: CommandPeerSpec): Peer {
  const memory = commandMemorySearch(spec.command);
  return {
    name: spec.name,
    what: spec.expect === undefined ? "the user's command, checked by exit status 0" : `the user's command, checked for '${spec.expect}'`,
    files: commandFiles(spec.command),
    commandLine: spec.command,
    memory,
    async boot(kib?: number) {
      const command = kib === undefined ? spec.command : withMemory(spec.command, kib);
      const run = await runShell(command, BOOT_TIMEOUT_S);
      const ok = spec.expect === undefined ? run.status === 0 : !run.timedOut && run.output.includes(spec.expect);
      if (ok) return { ok: true, wallMs: run.wallMs };
      const ended = run.timedOut ? `was killed after ${BOOT_TIMEOUT_S} s` : `exited with status ${run.status}`;
      return failure(spec.expect === undefined ? "exit status 0" : `'${spec.expect}' in its output`, ended, run.output, run.errors);
    },
  };
}
