/*
 * Entering and leaving an application module (x86_64).
 *
 * wisp_app_call(entry, argument, recovery) records a recovery point (the
 * callee-saved registers and the stack pointer) and calls entry(argument);
 * it returns 0 when the entry returns. wisp_app_unwind(recovery, reason)
 * goes back to that point from anywhere deeper on the same thread (a WASI
 * proc_exit, a wasm trap, a fault handler on the IST stack): wisp_app_call
 * then returns `reason`. Nothing here touches the stack after unwinding
 * starts, so it works even when the app's stack pointer sits in a guard page.
 * wisp_app_fault_return is where the exception entry goes when the kernel
 * claimed a fault as the application's or a module's (traps.S): it unwinds
 * to the record wisp_fault_recovery points at (app-runtime.c).
 *
 * Recovery record: rbx, rbp, r12, r13, r14, r15, rsp (the stack pointer at
 * entry, pointing at the return address), MXCSR and the x87 control word.
 */
.section .text

#define LEFT_BY_FAULT 3

.globl wisp_app_call
wisp_app_call:
  movq %rbx, 0(%rdx)
  movq %rbp, 8(%rdx)
  movq %r12, 16(%rdx)
  movq %r13, 24(%rdx)
  movq %r14, 32(%rdx)
  movq %r15, 40(%rdx)
  movq %rsp, 48(%rdx)
  stmxcsr 56(%rdx)
  fnstcw 60(%rdx)
  movq %rdi, %rax
  movq %rsi, %rdi
  subq $8, %rsp                 /* the call site must have a 16-byte aligned stack */
  call *%rax
  addq $8, %rsp
  xorl %eax, %eax
  ret

.globl wisp_app_unwind
wisp_app_unwind:
  movq 0(%rdi), %rbx
  movq 8(%rdi), %rbp
  movq 16(%rdi), %r12
  movq 24(%rdi), %r13
  movq 32(%rdi), %r14
  movq 40(%rdi), %r15
  movq 48(%rdi), %rsp
  ldmxcsr 56(%rdi)
  fldcw 60(%rdi)
  movl %esi, %eax
  ret

.globl wisp_app_fault_return
wisp_app_fault_return:
  movq wisp_fault_recovery(%rip), %rdi
  movl $LEFT_BY_FAULT, %esi
  jmp wisp_app_unwind

/* syncInstructionCache(address, length): x86 keeps instruction fetch coherent with stores; nothing to do. */
.globl w2c_arch_syncInstructionCache
w2c_arch_syncInstructionCache:
  ret
