/*
 * aarch64 thread contexts (see switchContext and initContext in arch/index.ts).
 *
 * A context holds what AAPCS64 makes callee-saved: x19-x28, the frame
 * pointer x29, the link register x30 (the resume address), sp, and the low
 * halves of v8-v15 (d8-d15). Kernel threads run on SP_EL0 (EL1t), so `sp`
 * here is SP_EL0; exceptions use SP_EL1. Layout (bytes): 0 x19 ... 72 x28,
 * 80 x29, 88 x30, 96 sp, 104 d8 ... 160 d15.
 */
.section .text

/* switchContext(instance, save = w1, load = w2) */
.globl w2c_arch_switchContext
.type w2c_arch_switchContext, %function
.balign 16
w2c_arch_switchContext:
  mov w1, w1
  mov w2, w2
  stp x19, x20, [x1, #0]
  stp x21, x22, [x1, #16]
  stp x23, x24, [x1, #32]
  stp x25, x26, [x1, #48]
  stp x27, x28, [x1, #64]
  stp x29, x30, [x1, #80]
  mov x9, sp
  str x9, [x1, #96]
  stp d8, d9, [x1, #104]
  stp d10, d11, [x1, #120]
  stp d12, d13, [x1, #136]
  stp d14, d15, [x1, #152]
  ldp x19, x20, [x2, #0]
  ldp x21, x22, [x2, #16]
  ldp x23, x24, [x2, #32]
  ldp x25, x26, [x2, #48]
  ldp x27, x28, [x2, #64]
  ldp x29, x30, [x2, #80]
  ldr x9, [x2, #96]
  mov sp, x9
  ldp d8, d9, [x2, #104]
  ldp d10, d11, [x2, #120]
  ldp d12, d13, [x2, #136]
  ldp d14, d15, [x2, #152]
  ret

/* initContext(instance, context = w1, stackTop = w2): resume at the trampoline. */
.globl w2c_arch_initContext
.type w2c_arch_initContext, %function
.balign 16
w2c_arch_initContext:
  mov w1, w1
  mov w2, w2
  mov x9, #0
1:
  str xzr, [x1, x9]
  add x9, x9, #8
  cmp x9, #168
  b.lo 1b
  adr x9, thread_trampoline
  str x9, [x1, #88]
  str x2, [x1, #96]
  ret

thread_trampoline:
  mov x29, #0
  bl wisp_thread_start
  b wisp_halt_forever

/* setTimerDeadline(instance, deadline = x1): CNTV_CVAL_EL0, then enable (or disable for 0). */
.globl w2c_arch_setTimerDeadline
.type w2c_arch_setTimerDeadline, %function
.balign 16
w2c_arch_setTimerDeadline:
  cbz x1, 1f
  msr cntv_cval_el0, x1
  mov x9, #1                            /* ENABLE, interrupt not masked */
  msr cntv_ctl_el0, x9
  isb
  ret
1:
  msr cntv_ctl_el0, xzr
  isb
  ret
