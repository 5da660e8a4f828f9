// The rows the benchmark always has besides Linux, booted exactly as `wisp
// bench boot` and `wisp bench app` boot them (the same qemuCommand):
//
//   empty        the empty PVH kernel (scripts/bench/empty/): QEMU, qboot
//                and the ELF loader, nothing else; every ratio is against it
//   wisp         kernel.elf alone, which boots and powers off with status 0
//   wisp-hello   kernel.elf with the modules/hello-c image as `wisp run`
//                boots an app, its stdout checked for the greeting

import { boot } from "../../run";
import { qemuCommand, QemuOptions, shellQuote } from "../../run/qemu";
import { bootApp } from "../app-boot";
import { BOOT_TIMEOUT_S, failure, howItEnded, Peer } from "./peer";

export const HELLO_GREETING = "Hello from Wisp!";

/**
 * Wisp's kernels run within a few MiB: the smallest RAM is looked for below
 * 8 MiB, to 64 KiB, above 1 MiB (in which qboot hangs: probing it would only
 * wait for the timeout).
 */
const WISP_MEMORY = { lowKib: 1024, highKib: 8192, stepKib: 64 };

type Common = Omit<QemuOptions, "kernel" | "cmdline" | "memory">;

/** A row whose boot counts when the kernel powers off with status 0. */
function statusZeroPeer(name: string, what: string, options: Omit<QemuOptions, "memory">, memoryKib: number): Peer {
  const command = (kib: number) => qemuCommand({ ...options, memory: `${kib}K` });
  return {
    name,
    what,
    files: [options.kernel, ...(options.initrd ? [options.initrd] : [])],
    commandLine: shellQuote(command(memoryKib)),
    memory: WISP_MEMORY,
    async boot(kib = memoryKib) {
      const run = await boot(command(kib), { timeout: BOOT_TIMEOUT_S, stream: false });
      if (run.outcome.kind === "status" && run.outcome.status === 0) return { ok: true, wallMs: run.wallMs };
      return failure("status 0", howItEnded(run), run.output, run.qemuErrors);
    },
  };
}

export function emptyPeer(common: Common, kernel: string, memoryKib: number): Peer {
  return statusZeroPeer("empty", "the empty PVH kernel: QEMU, qboot and the loader only", { ...common, kernel, cmdline: "" }, memoryKib);
}

export function wispPeer(common: Common, kernel: string, memoryKib: number): Peer {
  return statusZeroPeer("wisp", "Wisp's kernel.elf, no app", { ...common, kernel, cmdline: "quiet" }, memoryKib);
}

export function helloPeer(common: Common, kernel: string, image: string, memoryKib: number): Peer {
  const options = { ...common, kernel, initrd: image, rng: true, cmdline: "console=streams quiet" };
  const command = (kib: number) => qemuCommand({ ...options, memory: `${kib}K` });
  return {
    name: "wisp-hello",
    what: "Wisp's kernel.elf with the modules/hello-c app image",
    files: [kernel, image],
    commandLine: shellQuote(command(memoryKib)),
    memory: WISP_MEMORY,
    async boot(kib = memoryKib) {
      const { run, kernel: kernelText, stdout, status } = await bootApp(command(kib), BOOT_TIMEOUT_S);
      if (run.outcome.kind === "status" && status === 0 && stdout.includes(HELLO_GREETING)) return { ok: true, wallMs: run.wallMs };
      return failure(`'${HELLO_GREETING}' and app status 0`, howItEnded(run), kernelText + stdout, run.qemuErrors);
    },
  };
}
