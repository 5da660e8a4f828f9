// The aarch64 interrupt controller: a GICv2 (QEMU virt's default,
// "arm,cortex-a15-gic", or "arm,gic-400"), found in the device tree.
//
// initController leaves the distributor forwarding and the CPU interface
// signalling, with every SPI and PPI masked and nothing pending: all
// interrupts in group 0 (signalled as IRQ, FIQEn stays 0). A line gets one
// middle priority and, for an SPI, level-sensitive triggering and this CPU
// (CPU0) as target when it is first unmasked. A source is a GIC INTID and its line is
// the same number. The kernel runs at non-secure EL1. On a GIC without the
// Security Extensions (QEMU virt with secure=off, the default) group 0 is
// everything and is signalled as IRQ. On one with them (secure=on) the
// non-secure side sees only group 1: its writes to the group 0 bits below
// are ignored, and the boot stub, at EL3, has already put every interrupt in
// group 1 and opened the priority mask, as firmware does for a non-secure
// kernel. A GICv3 is refused.
//
// acknowledge reads GICC_IAR (INTIDs 1020-1023 mean nothing to take: SPURIOUS);
// endOfInterrupt writes the same IAR value back to GICC_EOIR.

import { fail } from "../../failure";
import { BootInfo, INTERRUPT_CONTROLLER_GIC_V2, INTERRUPT_CONTROLLER_GIC_V3 } from "../../boot/bootinfo";
import { EINVAL, ENODEV } from "../../errno";
import { InterruptController, SPURIOUS } from "../controller";
import { mmioRead32, mmioWrite32 } from "../../../arch";
import {
  GICD_CTLR, GICD_TYPER, GICD_IGROUPR, GICD_ISENABLER, GICD_ICENABLER, GICD_ISPENDR, GICD_ICPENDR,
  GICD_IPRIORITYR, GICD_ITARGETSR, GICD_ICFGR, GICD_TYPER_LINES_MASK,
  GICC_CTLR, GICC_PMR, GICC_IAR, GICC_EOIR, GICC_PMR_OPEN, GICC_IAR_INTID_MASK,
  FIRST_PPI, FIRST_SPI, FIRST_SPECIAL_INTID,
} from "./registers";

/**
 * GICD_CTLR.EnableGrp0 and GICC_CTLR.EnableGrp0: everything the kernel uses is group 0.
 * (The non-secure view of a GIC with the Security Extensions calls the same bit EnableGrp1.)
 */
const ENABLE_GROUP0: u32 = 1;
/** Every interrupt's priority: the middle of the range, so a later need for higher or lower fits. */
const DEFAULT_PRIORITY: u32 = 0xa0;
/** The EL1 virtual timer's INTID on QEMU virt (PPI 11), when the device tree does not say. */
const DEFAULT_VIRTUAL_TIMER_INTID: u32 = 27;

let distributor: usize = 0;
let cpuInterface: usize = 0;
let lines: u32 = 0;
let lastAcknowledged: u32 = 0;
let virtualTimerIntid: u32 = DEFAULT_VIRTUAL_TIMER_INTID;
/** This CPU's bit in GICD_ITARGETSR (0 on a uniprocessor GIC, whose targets are fixed). */
let thisCpu: u32 = 0;
/** A bit per INTID: configured (configureLine) since initController. */
const CONFIGURED_BYTES: usize = <usize>((FIRST_SPECIAL_INTID + 31) >> 5) << 2;
const configured = memory.data(<i32>CONFIGURED_BYTES);

/** Sets up the GIC the device tree names; returns 0 or -errno with why it cannot be used. */
export function initController(info: BootInfo): i32 {
  if (info.interruptControllerKind == INTERRUPT_CONTROLLER_GIC_V3) {
    return fail(ENODEV, "the GIC is a GICv3 (arm,gic-v3), which Wisp does not drive: run QEMU virt with gic-version=2");
  }
  if (info.interruptControllerKind != INTERRUPT_CONTROLLER_GIC_V2) {
    return fail(ENODEV, "the device tree names no GICv2 (arm,cortex-a15-gic or arm,gic-400)");
  }
  if (info.gicCpuInterfaceBase == 0) return fail(ENODEV, "the GIC's device tree reg has no CPU interface");
  if (info.gicDistributorBase >= 0x1_0000_0000 || info.gicCpuInterfaceBase >= 0x1_0000_0000) {
    return fail(ENODEV, "the GIC's registers lie above 4 GiB");
  }
  const gicd = <usize>info.gicDistributorBase;
  const typer = mmioRead32(gicd + GICD_TYPER);
  distributor = gicd;
  cpuInterface = <usize>info.gicCpuInterfaceBase;
  lines = min<u32>(((typer & GICD_TYPER_LINES_MASK) + 1) << 5, FIRST_SPECIAL_INTID);
  if (info.timerInterrupt >= FIRST_PPI && info.timerInterrupt < FIRST_SPI) virtualTimerIntid = info.timerInterrupt;

  mmioWrite32(gicd + GICD_CTLR, 0);
  // One bit per INTID: group 0, masked, nothing pending. Word 0 (SGIs, PPIs) is this CPU's bank;
  // SGIs stay enabled where the GIC lets them be masked at all.
  const bitWords = <usize>(lines >> 5);
  for (let word: usize = 0; word < bitWords; word++) {
    const offset = word << 2;
    mmioWrite32(gicd + GICD_IGROUPR + offset, 0);
    mmioWrite32(gicd + GICD_ICENABLER + offset, word == 0 ? 0xffff_0000 : 0xffff_ffff);
    mmioWrite32(gicd + GICD_ICPENDR + offset, word == 0 ? 0xffff_0000 : 0xffff_ffff);
  }
  // A line's priority, target and trigger are set when it is first unmasked (configureLine):
  // a masked line's matter to nothing, and QEMU virt's GIC has 288.
  thisCpu = mmioRead32(gicd + GICD_ITARGETSR) & 0xff; // ITARGETSR0 reads as this CPU's own bit
  memory.fill(configured, 0, CONFIGURED_BYTES);
  mmioWrite32(gicd + GICD_CTLR, ENABLE_GROUP0);

  mmioWrite32(cpuInterface + GICC_PMR, GICC_PMR_OPEN);
  mmioWrite32(cpuInterface + GICC_CTLR, ENABLE_GROUP0);
  return 0;
}

/** The line for INTID `source`: the INTID itself, or -1 beyond the GIC's lines. */
export function lineOf(source: u32): i32 {
  return source < lines ? <i32>source : -1;
}

/**
 * Gives INTID `source` the default priority and, for an SPI, this CPU as
 * its target and level-sensitive triggering (PPIs keep their fixed
 * configuration), once. Byte fields are read, changed and written back as
 * words, as every GICv2 allows.
 */
function configureLine(source: u32): void {
  const word = configured + (<usize>(source >> 5) << 2);
  const bit: u32 = 1 << (source & 31);
  const seen = load<u32>(word);
  if ((seen & bit) != 0) return;
  store<u32>(word, seen | bit);
  setByteField(GICD_IPRIORITYR, source, DEFAULT_PRIORITY);
  if (source < FIRST_SPI) return;
  if (thisCpu != 0) setByteField(GICD_ITARGETSR, source, thisCpu);
  const trigger = distributor + GICD_ICFGR + (<usize>(source >> 4) << 2);
  mmioWrite32(trigger, mmioRead32(trigger) & ~(<u32>2 << ((source & 15) << 1))); // 0: level-sensitive
}

/** Sets INTID `source`'s byte in the distributor's byte-per-INTID registers at `registers` to `value`. */
function setByteField(registers: usize, source: u32, value: u32): void {
  const word = distributor + registers + (<usize>(source >> 2) << 2);
  const shift = (source & 3) << 3;
  mmioWrite32(word, (mmioRead32(word) & ~(<u32>0xff << shift)) | (value << shift));
}

/** Unmasks INTID `source` (GICD_ISENABLER); -EINVAL beyond the GIC's lines. */
export function unmask(source: u32): i32 {
  if (source >= lines) return -EINVAL;
  configureLine(source);
  mmioWrite32(distributor + GICD_ISENABLER + (<usize>(source >> 5) << 2), 1 << (source & 31));
  return 0;
}

/** Masks INTID `source` (GICD_ICENABLER). */
export function mask(source: u32): void {
  if (source >= lines) return;
  mmioWrite32(distributor + GICD_ICENABLER + (<usize>(source >> 5) << 2), 1 << (source & 31));
}

/** Takes the highest-priority pending interrupt: its INTID, or SPURIOUS if there is none. */
export function acknowledge(): u32 {
  const iar = mmioRead32(cpuInterface + GICC_IAR);
  const intid = iar & GICC_IAR_INTID_MASK;
  if (intid >= FIRST_SPECIAL_INTID) return SPURIOUS;
  lastAcknowledged = iar;
  return intid;
}

/** Ends the interrupt on `line`, the one acknowledge returned last. */
export function endOfInterrupt(line: u32): void {
  const value = (lastAcknowledged & GICC_IAR_INTID_MASK) == line ? lastAcknowledged : line;
  mmioWrite32(cpuInterface + GICC_EOIR, value);
}

/** The GICv2 as kernel/irq sees it. */
export class GicController extends InterruptController {
  start(info: BootInfo): i32 {
    return initController(info);
  }
  lineOf(source: u32): i32 {
    return lineOf(source);
  }
  unmask(source: u32): i32 {
    return unmask(source);
  }
  mask(source: u32): void {
    mask(source);
  }
  acknowledge(vector: u32): u32 {
    return acknowledge();
  }
  endOfInterrupt(line: u32): void {
    endOfInterrupt(line);
  }
}

// --- For the timer and the self-test ---

/** INTIDs the distributor implements (0 before initController). */
export function gicLines(): u32 {
  return lines;
}

/** The EL1 virtual timer's INTID: the device tree's, else QEMU virt's 27. */
export function virtualTimerInterrupt(): u32 {
  return virtualTimerIntid;
}

/** Makes INTID `source` pending as if its device had raised it (GICD_ISPENDR). */
export function setPending(source: u32): void {
  if (source >= lines) return;
  mmioWrite32(distributor + GICD_ISPENDR + (<usize>(source >> 5) << 2), 1 << (source & 31));
}

/** Drops a pending INTID `source` (GICD_ICPENDR). */
export function clearPending(source: u32): void {
  if (source >= lines) return;
  mmioWrite32(distributor + GICD_ICPENDR + (<usize>(source >> 5) << 2), 1 << (source & 31));
}

/** True if INTID `source` is pending (GICD_ISPENDR reads the pending bits). */
export function isPending(source: u32): bool {
  if (source >= lines) return false;
  return (mmioRead32(distributor + GICD_ISPENDR + (<usize>(source >> 5) << 2)) & (1 << (source & 31))) != 0;
}
