/*
 * Entering and leaving an application module (aarch64).
 *
 * wisp_app_call(entry, argument, recovery) records a recovery point (the
 * callee-saved registers x19-x30, d8-d15, FPCR and the stack pointer) and
 * calls entry(argument); it returns 0 when the entry returns.
 * wisp_app_unwind(recovery, reason) goes back to that point from anywhere
 * deeper on the same thread (a WASI proc_exit, a wasm trap): wisp_app_call
 * then returns `reason`. It uses no stack, so it works even when the app's
 * stack pointer sits in a guard page.
 *
 * A fault the kernel claims as the application's returns from the exception
 * (eret, back on the thread's SP_EL0) to wisp_app_fault_return, which
 * unwinds to the record wisp_fault_recovery points at: the app call's or a
 * module call's (app-runtime.c; vectors.S).
 *
 * Recovery record: x19-x28 (80 bytes), x29, x30, sp, d8-d15, FPCR.
 */
.section .text

#define LEFT_BY_FAULT 3

.globl wisp_app_call
wisp_app_call:
  stp x19, x20, [x2, #0]
  stp x21, x22, [x2, #16]
  stp x23, x24, [x2, #32]
  stp x25, x26, [x2, #48]
  stp x27, x28, [x2, #64]
  stp x29, x30, [x2, #80]
  mov x9, sp
  str x9, [x2, #96]
  stp d8, d9, [x2, #104]
  stp d10, d11, [x2, #120]
  stp d12, d13, [x2, #136]
  stp d14, d15, [x2, #152]
  mrs x9, fpcr
  str x9, [x2, #168]
  stp x29, x30, [sp, #-16]!
  mov x29, sp
  mov x9, x0
  mov x0, x1
  blr x9
  ldp x29, x30, [sp], #16
  mov w0, wzr
  ret

.globl wisp_app_unwind
wisp_app_unwind:
  ldp x19, x20, [x0, #0]
  ldp x21, x22, [x0, #16]
  ldp x23, x24, [x0, #32]
  ldp x25, x26, [x0, #48]
  ldp x27, x28, [x0, #64]
  ldp x29, x30, [x0, #80]
  ldr x9, [x0, #96]
  mov sp, x9
  ldp d8, d9, [x0, #104]
  ldp d10, d11, [x0, #120]
  ldp d12, d13, [x0, #136]
  ldp d14, d15, [x0, #152]
  ldr x9, [x0, #168]
  msr fpcr, x9
  mov w0, w1
  ret

.globl wisp_app_fault_return
wisp_app_fault_return:
  adrp x0, wisp_fault_recovery
  ldr x0, [x0, :lo12:wisp_fault_recovery]
  mov w1, #LEFT_BY_FAULT
  b wisp_app_unwind

/*
 * syncInstructionCache(address, length): code the loader wrote through the
 * data side (copied and relocated pages) becomes visible to instruction
 * fetch: clean the data cache to the point of unification by line over the
 * range, then invalidate the whole instruction cache (one CPU).
 */
.globl w2c_arch_syncInstructionCache
w2c_arch_syncInstructionCache:
  cbz x2, 3f
  mrs x3, ctr_el0
  ubfx x3, x3, #16, #4              /* DminLine: log2 of the line in words */
  mov x4, #4
  lsl x4, x4, x3                    /* the smallest data cache line, in bytes */
  sub x5, x4, #1
  bic x0, x1, x5
  add x2, x1, x2
1:
  dc cvau, x0
  add x0, x0, x4
  cmp x0, x2
  b.lo 1b
  dsb ish
  ic iallu
  dsb ish
  isb
3:
  ret
