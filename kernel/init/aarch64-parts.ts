// The aarch64 kernel's own parts, wired in by its entry point (aarch64.ts):
// the firmware reader, the UART, the CPU exception decoder, the page-table
// format, the interrupt controller, the timer, the clocks, where virtio
// devices are, and (test profile) its self-tests.

import { Handoff } from "../boot/handoff";
import { BootInfo, CONSOLE_PL011 } from "../boot/bootinfo";
import { parseFdt } from "../boot/fdt";
import { useFirmware } from "../platform";
import { useSerialPort } from "../console";
import { useExceptionDecoder } from "../traps/index";
import { ArmExceptionDecoder } from "../traps/aarch64";
import { useEntryFormat } from "../mm/paging/entry";
import { ArmEntryFormat } from "../mm/paging/aarch64";
import { useInterruptController } from "../irq/index";
import { GicController } from "../irq/gic/index";
import { useTimerDevice, useRealTimeClock } from "../time/index";
import { GenericTimer } from "../time/generic-timer";
import { readPl031Clock } from "../time/pl031";
import { registerSelfTest } from "../selftest/index";
import { runMemorySelfTest } from "../selftest/mm";
import { runArmInterruptSelfTest } from "../selftest/irq-arm";
import { Pl011Port } from "../../drivers/uart/pl011";
import { addTransportFinder } from "../../drivers/virtio/index";
import { deviceTreeMmioTransports } from "../../drivers/virtio/finders";
import { findLinkedImage } from "../../fs/rofs/linked-image";
import { WITH_TESTS } from "./profile";

/** Registers the aarch64 kernel's parts (before anything uses them; allocates from the boot arena). */
export function wireAarch64(): void {
  useFirmware("aarch64", readDeviceTree);
  useSerialPort(new Pl011Port(), CONSOLE_PL011);
  useExceptionDecoder(new ArmExceptionDecoder());
  useEntryFormat(new ArmEntryFormat());
  useInterruptController(new GicController());
  useTimerDevice(new GenericTimer());
  useRealTimeClock(readPl031Clock);
  addTransportFinder(deviceTreeMmioTransports);             // virt: "virtio,mmio" nodes
  if (WITH_TESTS) registerSelfTestsAarch64();
}

/** This architecture's self-tests, registered before the others (the test profile). */
export function registerSelfTestsAarch64(): void {
  registerSelfTest("mm", memorySelfTest);
  registerSelfTest("irq", runArmInterruptSelfTest);
}

/** The device tree, and the root image `wisp run` may link after the kernel (fs/rofs/linked-image.ts). */
function readDeviceTree(boot: Handoff, info: BootInfo): i32 {
  const result = parseFdt(<usize>boot.firmwareInfo, info);
  if (result == 0 && info.initrdSize == 0) findLinkedImage(info, boot.imageEnd);
  return result;
}

/** The PL011's registers must be mapped uncached; 0x80000000 holds nothing on QEMU virt. */
function memorySelfTest(): bool {
  return runMemorySelfTest(0x0900_0000, 0x8000_0000);
}
