// The boot story, one step per line. The architecture's entry point
// (x86_64.ts, aarch64.ts) calls startKernel with the handoff its boot stub
// filled and the function that wires in its own parts; everything after that
// is the same on every architecture.
//
// kernel/init is the composition root: the only code that imports upward
// (arch < kernel core < drivers < fs < loader < kernel/init), because it is
// where the layers are put together.

import { Handoff, HANDOFF_STAMP_NAMES } from "../boot/handoff";
import { BootInfo } from "../boot/bootinfo";
import { failureDetail } from "../failure";
import { ENOENT } from "../errno";
import { arena } from "../rt/arena";
import { heapInit, heapSetEnd } from "../rt/index";
import { readFirmware, heapLimit } from "../platform";
import { initConsole, useFramedStreams, reportAppExitStatus, printLine } from "../console";
import { readOptions } from "../options";
import { stamp, recordStamp, printBootChart } from "../bootchart";
import { counterHz, counterSourceName } from "../clock/index";
import { panic, shutdown } from "../panic";
import { finishFileSystems } from "../../fs/vfs/index";
import { printBanner, printMemoryMap, refuseCommandLine, printCpuTime } from "../reports";
import { crash } from "../crash";
import { initMemory } from "../mm/index";
import { initPaging } from "../mm/paging/index";
import { printMemoryInfo } from "../mm/meminfo";
import { initInterrupts } from "../irq/index";
import { initScheduler } from "../sched/index";
import { initTime } from "../time/index";
import { BOOT_ARENA_BYTES, PANIC_STATUS, MAX_EXIT_STATUS, APP_REFUSED_STATUS } from "../params";
import { timestamp } from "../../arch";
import { mountFileSystems } from "../../fs/root";
import { readImageApp, runImageApp, printBootChartAtAppStart } from "../../loader/index";
import { printModuleReport } from "../../loader/modules/index";
import { printNetworkReport, lingerNetwork } from "../net/index";
import { AppManifest, addListenPorts } from "../../loader/manifest";
import { BootOptions } from "./options";
import { wireKernel } from "./wiring";
import { runSelfTestAndBenchmarks } from "./tests";

/** How long the app's last answers may take to be delivered and acknowledged before the power goes off. */
const LINGER_NS: u64 = 2_000_000_000;

/**
 * Boots the kernel built for `arch` (ARCH_*): `wireArchitecture` registers
 * that architecture's parts; apps are ELF modules for `appMachine` (EM_*).
 */
export function startKernel(handoffAddress: usize, arch: u32, appMachine: u16, wireArchitecture: () => void): void {
  const boot = Handoff.at(handoffAddress);
  if (!boot.isValid(arch)) return shutdown(PANIC_STATUS);  // no console to complain on yet
  recordStubStamps(boot);                                  // first instruction, paging on, runtime ready
  heapInit(<usize>boot.imageEnd, <usize>boot.imageEnd + BOOT_ARENA_BYTES);
  wireArchitecture();                                      // firmware reader, UART, interrupt controller, timer, paging format
  const options = new BootOptions();                       // the options boot itself reads...
  wireKernel(appMachine);                                  // ...and every registered part: drivers, filesystems, their options

  const info = new BootInfo();
  const firmware = readFirmware(boot, info);               // PVH start_info or device tree
  initConsole(info);                                       // serial: 16550 or PL011
  stamp("console");
  if (firmware < 0) return panic("firmware handoff: " + failureDetail(firmware));
  const limit = heapLimit(info, boot.imageEnd);
  if (limit == 0) return panic("the kernel image does not sit in usable RAM");
  if (limit < <u64>arena.top) return panic("boot allocations ran past the end of usable RAM");
  heapSetEnd(<usize>limit);                                 // the boot arena may now use the rest of its RAM range
  const allocators = initMemory(info, <usize>boot.imageEnd); // page allocator and slabs; the runtime moves to malloc
  if (allocators < 0) return panic("memory: " + failureDetail(allocators));
  stamp("memory");
  const tables = initPaging(boot);                          // the kernel's own page tables: page 0 unmapped, image W^X
  if (tables < 0) return panic("paging: " + failureDetail(tables));
  stamp("paging");
  initInterrupts(info);                                     // the controller is set up when first needed
  initTime(info);                                           // clocks and timers, measured when first needed
  initScheduler();                                          // the boot thread becomes thread 1, "main"
  stamp("scheduler");

  const accepted = readOptions(info.commandLine);
  if (options.console.given) useFramedStreams();            // wisp run: app stdout/stderr apart from kernel messages
  stamp("options");
  if (accepted < 0) return refuseCommandLine(failureDetail(accepted));
  const mounted = mountFileSystems(info);                   // root (initrd, disk or RAMFS), then /etc/fstab
  if (mounted < 0) return panic("filesystems: " + failureDetail(mounted));
  stamp("root");

  if (!options.quiet.given) printBanner(boot, info);
  if (options.memmap.given) printMemoryMap(info);
  stamp("kernel-ready");

  const app = new AppManifest();
  let found = options.app.given ? -ENOENT : readImageApp(app); // the image's run manifest (/etc/app), if any
  if (found == 0 && options.listen.given) found = addListenPorts(app, options.listen.value); // wisp run --listen
  const hasApp = found != -ENOENT;
  const appRefusal = found < 0 && hasApp ? failureDetail(found) : "";
  if (options.bootchart.given && hasApp) printBootChartAtAppStart(); // the chart then ends at _start
  else if (options.bootchart.given) printBootChart(counterHz(), counterSourceName());
  runSelfTestAndBenchmarks();                               // test profile: selftest=NAME, *-bench=N
  if (options.meminfo.given && !hasApp) printMemoryInfo();  // with an app: after it, so that the high-water mark covers it
  if (options.meminfo.given && !hasApp) printModuleReport(); // the filesystem modules loaded, their calls and state
  const message = options.panicMessage();
  if (message !== null) return panic(message!);
  if (options.hang.given) idleForever();
  if (options.crash.given) crash(options.crash.value);
  if (appRefusal.length) return refuseApp(appRefusal);       // a manifest the kernel cannot use
  if (hasApp) return runTheApp(app, appMachine, options.meminfo.given);            // the image's app, to its end: its status is the VM's
  finishFileSystems();                                       // filesystems on disks leave them whole
  shutdown(options.exit.number);
}

/** Runs the image's app (loader/) and powers off with its exit status. */
function runTheApp(app: AppManifest, machine: u16, report: bool): void {
  const status = runImageApp(app, machine);
  finishFileSystems();                                       // filesystems on disks leave them whole (ZFS exports its pools)
  lingerNetwork(LINGER_NS);                                  // what the app sent before it ended reaches its peers
  if (report) printMemoryInfo();                             // meminfo: where memory went, the app's peak included
  if (report) printModuleReport();                           // meminfo: and the filesystem modules' calls
  if (report) printNetworkReport();                          // meminfo: what the network held and dropped
  if (report) printCpuTime();                                // meminfo: and what the CPU did meanwhile
  if (status < 0) return refuseApp(failureDetail(status));
  reportAppExitStatus(<u32>status);
  shutdown(min<u32>(<u32>status, MAX_EXIT_STATUS));
}

function refuseApp(why: string): void {
  printLine("app: " + why);
  shutdown(APP_REFUSED_STATUS);
}

/** Spins forever without enabling interrupts: the `hang` option, for testing host timeouts. */
function idleForever(): void {
  while (true) timestamp();
}

function recordStubStamps(boot: Handoff): void {
  const count = min<u32>(boot.stampCount, <u32>HANDOFF_STAMP_NAMES.length);
  for (let i: u32 = 0; i < count; i++) recordStamp(HANDOFF_STAMP_NAMES[i], boot.stamp(i));
}
