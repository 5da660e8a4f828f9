/*
 * aarch64 exception vectors (VBAR_EL1): 16 slots of 0x80 bytes.
 *
 * Slots: 0-3 current EL on SP_EL0, 4-7 current EL on SP_EL1, 8-11 lower EL in
 * AArch64, 12-15 lower EL in AArch32; in each group synchronous, IRQ, FIQ,
 * SError.
 *
 * The kernel and its threads run at EL1 on SP_EL0 (EL1t). Taking an
 * exception switches to SP_EL1, the per-CPU exception stack the boot stub
 * set up, so a thread that overflows its stack into a guard page is still
 * reported. Everything but one slot is fatal and reported on that stack as
 * (slot, ESR_EL1, ELR_EL1, FAR_EL1); IRQ and FIQ slots report a syndrome
 * of 0, as ESR_EL1 says nothing about them. The exceptions: a fault in a
 * running application ends the application instead, and a first touch of
 * its memory (a translation fault) is cured, the kernel mapping the page,
 * and the instruction runs again; for that every entry saves the whole
 * interrupted state (the frame below) before calling the kernel. Two exceptions belong to
 * powering off itself and are not reported: the semihosting exit call is
 * undefined when QEMU runs without semihosting, which means "fall back to
 * PSCI"; a PSCI call that faults means there is no way left to power off, so
 * the CPU halts.
 *
 * Slot 1, an IRQ while a thread runs (EL1t), is the interrupt path: it goes
 * back to SP_EL0 and saves the interrupted state on the thread's own stack
 * (the scheduler may switch threads inside wisp_interrupt and resume this
 * frame much later), calls wisp_interrupt(~0) so the interrupt controller
 * names the source, restores and returns. The frame holds every register a
 * call may clobber (AAPCS64): x0-x18, x29, x30, all of q0-q31 (only the low
 * halves of v8-v15 survive a call), FPCR and FPSR, and ELR_EL1 and SPSR_EL1.
 * An IRQ anywhere else (on the exception stack, from a lower EL) is a bug.
 */
.section .text

#define FRAME_SIZE 720                  /* 26 x-register slots (208 bytes) + 32 q registers (512) */
#define FRAME_X18_X29 144
#define FRAME_X30_ELR 160
#define FRAME_SPSR_FPSR 176
#define FRAME_FPCR 192
#define FRAME_Q 208

/*
 * The frame every entry saves (FRAME_SIZE bytes at sp, x0 and x1 stored by
 * the slot first): x2-x30, ELR_EL1, SPSR_EL1, FPSR, FPCR and q0-q31.
 */
.macro SAVE_FRAME
  stp x2, x3, [sp, #16]
  stp x4, x5, [sp, #32]
  stp x6, x7, [sp, #48]
  stp x8, x9, [sp, #64]
  stp x10, x11, [sp, #80]
  stp x12, x13, [sp, #96]
  stp x14, x15, [sp, #112]
  stp x16, x17, [sp, #128]
  stp x18, x29, [sp, #FRAME_X18_X29]
  mrs x2, elr_el1
  stp x30, x2, [sp, #FRAME_X30_ELR]
  mrs x2, spsr_el1
  mrs x3, fpsr
  stp x2, x3, [sp, #FRAME_SPSR_FPSR]
  mrs x2, fpcr
  str x2, [sp, #FRAME_FPCR]
  add x2, sp, #FRAME_Q
  stp q0, q1, [x2, #0]
  stp q2, q3, [x2, #32]
  stp q4, q5, [x2, #64]
  stp q6, q7, [x2, #96]
  stp q8, q9, [x2, #128]
  stp q10, q11, [x2, #160]
  stp q12, q13, [x2, #192]
  stp q14, q15, [x2, #224]
  stp q16, q17, [x2, #256]
  stp q18, q19, [x2, #288]
  stp q20, q21, [x2, #320]
  stp q22, q23, [x2, #352]
  stp q24, q25, [x2, #384]
  stp q26, q27, [x2, #416]
  stp q28, q29, [x2, #448]
  stp q30, q31, [x2, #480]
.endm

/* Restores what SAVE_FRAME (and the slot) saved and pops the frame; an eret follows. */
.macro RESTORE_FRAME
  add x0, sp, #FRAME_Q
  ldp q0, q1, [x0, #0]
  ldp q2, q3, [x0, #32]
  ldp q4, q5, [x0, #64]
  ldp q6, q7, [x0, #96]
  ldp q8, q9, [x0, #128]
  ldp q10, q11, [x0, #160]
  ldp q12, q13, [x0, #192]
  ldp q14, q15, [x0, #224]
  ldp q16, q17, [x0, #256]
  ldp q18, q19, [x0, #288]
  ldp q20, q21, [x0, #320]
  ldp q22, q23, [x0, #352]
  ldp q24, q25, [x0, #384]
  ldp q26, q27, [x0, #416]
  ldp q28, q29, [x0, #448]
  ldp q30, q31, [x0, #480]
  ldr x0, [sp, #FRAME_FPCR]
  msr fpcr, x0
  ldp x0, x1, [sp, #FRAME_SPSR_FPSR]
  msr spsr_el1, x0
  msr fpsr, x1
  ldp x30, x0, [sp, #FRAME_X30_ELR]
  msr elr_el1, x0
  ldp x18, x29, [sp, #FRAME_X18_X29]
  ldp x16, x17, [sp, #128]
  ldp x14, x15, [sp, #112]
  ldp x12, x13, [sp, #96]
  ldp x10, x11, [sp, #80]
  ldp x8, x9, [sp, #64]
  ldp x6, x7, [sp, #48]
  ldp x4, x5, [sp, #32]
  ldp x2, x3, [sp, #16]
  ldp x0, x1, [sp, #0]
  add sp, sp, #FRAME_SIZE
.endm

.macro SLOT n
  .balign 0x80
  sub sp, sp, #FRAME_SIZE
  stp x0, x1, [sp, #0]
  mov x0, #\n
  b exception_common
.endm

.macro INTERRUPT_SLOT n
  .balign 0x80
  sub sp, sp, #FRAME_SIZE
  stp x0, x1, [sp, #0]
  mov x0, #\n
  b interrupt_fatal
.endm

.balign 2048
.globl exception_vectors
exception_vectors:
  SLOT 0
  .balign 0x80
  b irq_on_thread_stack
  INTERRUPT_SLOT 2
  SLOT 3
  SLOT 4
  INTERRUPT_SLOT 5
  INTERRUPT_SLOT 6
  SLOT 7
  SLOT 8
  INTERRUPT_SLOT 9
  INTERRUPT_SLOT 10
  SLOT 11
  SLOT 12
  INTERRUPT_SLOT 13
  INTERRUPT_SLOT 14
  SLOT 15

irq_on_thread_stack:
  msr spsel, #0
  sub sp, sp, #FRAME_SIZE
  stp x0, x1, [sp, #0]
  SAVE_FRAME
  add x29, sp, #FRAME_X18_X29 + 8       /* a frame record (x29, x30) for backtraces */

  mov x0, #-1                           /* ~0: the controller names the source */
  bl wisp_interrupt

  RESTORE_FRAME
  eret

/* IRQ or FIQ where none may come: report it with no syndrome. */
interrupt_fatal:
  SAVE_FRAME
  mov x1, xzr
  mrs x2, elr_el1
  mov x3, xzr
  b report_fatal

exception_common:
  SAVE_FRAME
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
  b.lo report_fatal
  cmp x2, x5
  b.hs report_fatal
  b wisp_halt_forever

/*
 * On the exception stack (SP_EL1: exceptions select it on entry), below the
 * saved frame (a multiple of 16 bytes, so sp stays aligned). The report
 * returns only for a fault of the running application: when the kernel
 * cured it (wisp_cpu_exception returns 1: it mapped the app memory page a
 * data abort missed) the frame is restored and the instruction runs again;
 * when it ends the app (0) the exception returns (to EL1t, SP_EL0, with the
 * interrupted PSTATE) at wisp_app_fault_return, which unwinds the app call
 * (app.S). Either way SP_EL1 is back at its top.
 */
report_fatal:
  bl wisp_cpu_exception
  cbz w0, 1f
  RESTORE_FRAME
  eret
1:
  add sp, sp, #FRAME_SIZE
  ldr x0, =wisp_app_fault_return
  msr elr_el1, x0
  eret

.ltorg
