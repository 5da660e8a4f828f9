/*
 * The arch import list for aarch64 (see arch/index.ts for the contract).
 *
 * wasm2c names each import w2c_arch_<name> and passes an unused instance
 * pointer first, so arguments arrive in w1/x1, w2/x2, w3/x3. 32-bit
 * arguments are zero-extended before use as addresses.
 *
 * Port I/O, CPUID and MSRs do not exist here: those imports stop the kernel
 * through wisp_unsupported_import, which reports and never returns.
 */
#define SEMIHOSTING_SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define PSCI_SYSTEM_OFF 0x84000008
#define PSCI_HVC 1                        /* psci_conduit values, see boot.S */
#define PSCI_SMC 2

.section .text

.macro IMPORT name
  .globl w2c_arch_\name
  .type w2c_arch_\name, %function
  .balign 16
w2c_arch_\name:
.endm

IMPORT portIn8
  b wisp_unsupported_import
IMPORT portIn16
  b wisp_unsupported_import
IMPORT portIn32
  b wisp_unsupported_import
IMPORT portOut8
  b wisp_unsupported_import
IMPORT portOut16
  b wisp_unsupported_import
IMPORT portOut32
  b wisp_unsupported_import
IMPORT cpuid
  b wisp_unsupported_import
IMPORT readMsr
  b wisp_unsupported_import
IMPORT writeMsr
  b wisp_unsupported_import

/*
 * MMIO: one access of the stated width to device memory. The barriers order
 * device accesses against normal memory (DMA buffers): earlier stores are
 * visible before a register write, and a register read completes before
 * later loads and stores.
 */
IMPORT mmioRead8
  mov w1, w1
  ldrb w0, [x1]
  dmb oshld
  ret

IMPORT mmioRead16
  mov w1, w1
  ldrh w0, [x1]
  dmb oshld
  ret

IMPORT mmioRead32
  mov w1, w1
  ldr w0, [x1]
  dmb oshld
  ret

IMPORT mmioWrite8
  mov w1, w1
  dmb oshst
  strb w2, [x1]
  ret

IMPORT mmioWrite16
  mov w1, w1
  dmb oshst
  strh w2, [x1]
  ret

IMPORT mmioWrite32
  mov w1, w1
  dmb oshst
  str w2, [x1]
  ret

/* The isb keeps the read from being taken early, ahead of the code before it. */
IMPORT memoryBarrier
  dmb ish
  ret

IMPORT timestamp
  isb
  mrs x0, cntvct_el0
  ret

IMPORT counterFrequency
  mrs x0, cntfrq_el0
  ret

/*
 * Page tables. The DSB ISHST makes earlier table writes visible to the walker
 * before the switch or invalidation; the ISB makes later instructions use the
 * result. TLB maintenance is for this CPU only (the kernel runs on one).
 */
IMPORT setPageTableRoot
  mov w1, w1
  dsb ishst
  msr ttbr0_el1, x1
  isb
  tlbi vmalle1
  dsb nsh
  isb
  ret

/* TLBI VAAE1 takes VA[55:12] and drops the entry at every level, for any ASID. */
IMPORT invalidatePage
  lsr x1, x1, #12
  dsb ishst
  tlbi vaae1, x1
  dsb nsh
  isb
  ret

/* Returns whether IRQs were enabled (DAIF.I clear), then enables or disables them. */
IMPORT setInterrupts
  mrs x2, daif
  ubfx w0, w2, #7, #1
  eor w0, w0, #1
  cbz w1, 1f
  msr daifclr, #2
  ret
1:
  msr daifset, #2
  ret

/*
 * WFI wakes on a pending IRQ even while IRQs are masked, so wait first and
 * unmask after: the interrupt is taken at the isb, and one arriving just
 * before the wfi cannot be missed.
 */
IMPORT waitForInterrupt
  dsb sy
  wfi
  msr daifclr, #2
  isb
  msr daifset, #2
  ret

/*
 * Power off with a status. With QEMU semihosting, SYS_EXIT ends the process
 * with code 2 * status + 3, as x86_64's isa-debug-exit gives (status + 1) << 1 | 1.
 * Without semihosting the hlt is undefined and the exception path comes to
 * psci_system_off (vectors.S); so does a semihosting call that returns.
 */
IMPORT powerOff
  msr daifset, #0xf
  mov w2, #3
  add w2, w2, w1, lsl #1
  ldr x1, =ADP_STOPPED_APPLICATION_EXIT
  stp x1, x2, [sp, #-16]!               /* the SYS_EXIT block: reason, exit code */
  mov x1, sp
  mov w0, #SEMIHOSTING_SYS_EXIT
.globl semihosting_exit_call
semihosting_exit_call:
  hlt #0xf000

/* PSCI SYSTEM_OFF through the conduit the device tree names; halt if it fails. */
.globl psci_system_off
psci_system_off:
  ldr x1, =psci_conduit
  ldr w1, [x1]
  ldr w0, =PSCI_SYSTEM_OFF
  cmp w1, #PSCI_HVC
  b.eq 1f
  cmp w1, #PSCI_SMC
  b.eq 2f
  b wisp_halt_forever
.globl psci_calls_start
psci_calls_start:
1:
  hvc #0
  b wisp_halt_forever
2:
  smc #0
.globl psci_calls_end
psci_calls_end:
  b wisp_halt_forever

.ltorg
