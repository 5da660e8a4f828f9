// The boot story's own kernel options: what to report, how to end, and the
// console's framing. Each subsystem declares the options it reads next to
// its code (root= in fs/root.ts, selftest= in kernel/selftest, ...); these
// are the ones only the story itself reads.

import { declareFlag, declareText, declareNumber, KernelOption } from "../options";
import { CRASH_KINDS, isCrashKind } from "../crash";
import { MAX_EXIT_STATUS } from "../params";
import { fail } from "../failure";
import { EINVAL } from "../errno";
import { AppManifest, addListenPorts } from "../../loader/manifest";

export class BootOptions {
  bootchart: KernelOption = declareFlag("bootchart", "print the boot chart (counter stamps from the first instruction) before powering off");
  memmap: KernelOption = declareFlag("memmap", "print the firmware memory map");
  meminfo: KernelOption = declareFlag("meminfo", "print where memory went (pages per use, slab classes, high-water mark) before powering off");
  panic: KernelOption = declareText("panic", "panic=MESSAGE: panic with MESSAGE once boot is done (tests the failure path)");
  exit: KernelOption = declareNumber("exit", MAX_EXIT_STATUS, "exit=N: power off with status N (0..126) instead of 0");
  quiet: KernelOption = declareFlag("quiet", "print nothing but errors and requested reports");
  console: KernelOption = declareText("console", "console=streams: frame the serial line so the host can tell the app's stdout and stderr from kernel messages (wisp run sets it for apps)", checkConsole);
  app: KernelOption = declareText("app", "app=none: do not run the image's app (/etc/app) after boot", checkApp);
  hang: KernelOption = declareFlag("hang", "never power off after boot (tests the host's timeout handling)");
  listen: KernelOption = declareText("listen", "listen=PORT[,PORT...]: give the image's app a listening TCP socket on each port (fd 3 onward, with LISTEN_FDS; wisp run --listen sets it)", checkPorts);
  crash: KernelOption = declareText("crash", "crash=KIND: fail on purpose after boot: unreachable, divide-by-zero, out-of-memory, null-read, write-text or stack-overflow (tests failure reports)", checkCrash);

  /** panic=MESSAGE's message, or null. */
  panicMessage(): string | null {
    if (!this.panic.given) return null;
    return this.panic.value.length ? this.panic.value : "requested on the command line";
  }
}

function checkConsole(value: string): i32 {
  return value == "streams" ? 0 : fail(EINVAL, "console=" + value + ": the only console mode is 'streams'");
}

function checkApp(value: string): i32 {
  return value == "none" ? 0 : fail(EINVAL, "app=" + value + ": only app=none is understood (the image's /etc/app names the app)");
}

function checkPorts(value: string): i32 {
  const scratch = new AppManifest();
  const result = addListenPorts(scratch, value);
  heap.free(changetype<usize>(scratch)); // (its lists are small and left: the check runs once)
  return result;
}

function checkCrash(value: string): i32 {
  return isCrashKind(value) ? 0 : fail(EINVAL, "crash=KIND needs one of: " + CRASH_KINDS.join(", "));
}
