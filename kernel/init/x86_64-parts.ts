// The x86_64 kernel's own parts, wired in by its entry point (x86_64.ts):
// the firmware reader, the UART, the CPU exception decoder, the page-table
// format, the interrupt controller, the timer, the clocks, where virtio
// devices are, and (test profile) its self-tests.

import { Handoff } from "../boot/handoff";
import { BootInfo, CONSOLE_NS16550_PORT } from "../boot/bootinfo";
import { parsePvh } from "../boot/pvh";
import { useFirmware } from "../platform";
import { useSerialPort } from "../console";
import { useExceptionDecoder } from "../traps/index";
import { X86ExceptionDecoder } from "../traps/x86_64";
import { useEntryFormat } from "../mm/paging/entry";
import { X86EntryFormat } from "../mm/paging/x86_64";
import { useInterruptController } from "../irq/index";
import { X86InterruptController } from "../irq/x86/index";
import { LocalApicTimer } from "../time/local-apic-timer";
import { useTimerDevice, useRealTimeClock } from "../time/index";
import { readCmosClock } from "../time/rtc-cmos";
import { useFrequencyFinder } from "../clock/index";
import { findTscFrequency } from "../clock/x86";
import { registerSelfTest } from "../selftest/index";
import { runMemorySelfTest } from "../selftest/mm";
import { runX86InterruptSelfTest } from "../selftest/irq-x86";
import { Ns16550Port } from "../../drivers/uart/ns16550";
import { addTransportFinder } from "../../drivers/virtio/index";
import { commandLineMmioTransports, pciTransports } from "../../drivers/virtio/finders";
import { declareMmioDeviceOption } from "../../drivers/virtio/mmio-devices";
import { WITH_TESTS } from "./profile";

/** Registers the x86_64 kernel's parts (before anything uses them; allocates from the boot arena). */
export function wireX86_64(): void {
  useFirmware("x86_64", readStartInfo);
  useSerialPort(new Ns16550Port(), CONSOLE_NS16550_PORT);
  useExceptionDecoder(new X86ExceptionDecoder());
  useEntryFormat(new X86EntryFormat());
  useInterruptController(new X86InterruptController());
  useTimerDevice(new LocalApicTimer());
  useFrequencyFinder(findTscFrequency);
  useRealTimeClock(readCmos);
  addTransportFinder(commandLineMmioTransports);            // microvm: virtio_mmio.device= options
  addTransportFinder(pciTransports);                        // q35: virtio-pci functions
  declareMmioDeviceOption();
  if (WITH_TESTS) registerSelfTestsX86_64();
}

/** This architecture's self-tests, registered before the others (the test profile). */
export function registerSelfTestsX86_64(): void {
  registerSelfTest("mm", memorySelfTest);
  registerSelfTest("irq", runX86InterruptSelfTest);
}

function readStartInfo(boot: Handoff, info: BootInfo): i32 {
  return parsePvh(<usize>boot.firmwareInfo, info);
}

function readCmos(info: BootInfo): i64 {
  return readCmosClock();
}

/** The LAPIC's registers must be mapped uncached; 0xd0000000 is device space without a device. */
function memorySelfTest(): bool {
  return runMemorySelfTest(0xfee0_0000, 0xd000_0000);
}
