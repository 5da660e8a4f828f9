/*
 * aarch64 exception vectors (VBAR_EL1): 16 slots of 0x80 bytes, each reported
 * to the kernel as (slot, ESR_EL1, ELR_EL1, FAR_EL1).
 *
 * Every exception is fatal for now: the kernel prints the report and powers
 * off. Two exceptions belong to powering off itself and are not reported:
 * the semihosting exit call is undefined when QEMU runs without semihosting,
 * which means "fall back to PSCI"; a PSCI call that faults means there is no
 * way left to power off, so the CPU halts.
 *
 * Slots: 0-3 current EL on SP_EL0, 4-7 current EL on SP_EL1, 8-11 lower EL in
 * AArch64, 12-15 lower EL in AArch32; in each group synchronous, IRQ, FIQ,
 * SError.
 */
.section .text

.macro SLOT n
  .balign 0x80
  mov x0, #\n
  b exception_common
.endm

.balign 2048
.globl exception_vectors
exception_vectors:
  SLOT 0
  SLOT 1
  SLOT 2
  SLOT 3
  SLOT 4
  SLOT 5
  SLOT 6
  SLOT 7
  SLOT 8
  SLOT 9
  SLOT 10
  SLOT 11
  SLOT 12
  SLOT 13
  SLOT 14
  SLOT 15

exception_common:
  mrs x1, esr_el1
  mrs x2, elr_el1
  mrs x3, far_el1

  /* An undefined instruction (class 0) at the semihosting exit call. */
  ldr x4, =semihosting_exit_call
  cmp x2, x4
  b.ne 1f
  lsr x4, x1, #26
  cbnz x4, 1f
  b psci_system_off
1:
  /* A fault on a PSCI call itself. */
  ldr x4, =psci_calls_start
  ldr x5, =psci_calls_end
  cmp x2, x4
  b.lo 2f
  cmp x2, x5
  b.hs 2f
  b wisp_halt_forever
2:
  mov x4, sp
  and x4, x4, #~15
  mov sp, x4
  bl wisp_cpu_exception
  b wisp_halt_forever

.ltorg
