/*
 * x86_64 thread contexts (see switchContext and initContext in arch/index.ts).
 *
 * A context holds what the System V ABI makes callee-saved: rsp, rbx, rbp,
 * r12-r15. The resume address is the return address on the saved stack.
 * MXCSR and the x87 control word are the same for every kernel thread and
 * are not saved. Layout (bytes): 0 rsp, 8 rbx, 16 rbp, 24 r12, 32 r13,
 * 40 r14, 48 r15.
 */
.section .text

/* switchContext(instance, save = %esi, load = %edx) */
.globl w2c_arch_switchContext
.type w2c_arch_switchContext, @function
.align 16
w2c_arch_switchContext:
  movl %esi, %eax
  movq %rsp, 0(%rax)
  movq %rbx, 8(%rax)
  movq %rbp, 16(%rax)
  movq %r12, 24(%rax)
  movq %r13, 32(%rax)
  movq %r14, 40(%rax)
  movq %r15, 48(%rax)
  movl %edx, %eax
  movq 0(%rax), %rsp
  movq 8(%rax), %rbx
  movq 16(%rax), %rbp
  movq 24(%rax), %r12
  movq 32(%rax), %r13
  movq 40(%rax), %r14
  movq 48(%rax), %r15
  ret

/*
 * initContext(instance, context = %esi, stackTop = %edx): the saved stack
 * holds the trampoline's address, so the first switch "returns" into it.
 */
.globl w2c_arch_initContext
.type w2c_arch_initContext, @function
.align 16
w2c_arch_initContext:
  movl %esi, %eax
  movl %edx, %ecx
  leaq thread_trampoline(%rip), %rdx
  movq %rdx, -16(%rcx)
  movq $0, -8(%rcx)
  subq $16, %rcx
  movq %rcx, 0(%rax)
  movq $0, 8(%rax)
  movq $0, 16(%rax)
  movq $0, 24(%rax)
  movq $0, 32(%rax)
  movq $0, 40(%rax)
  movq $0, 48(%rax)
  ret

/* A new thread's first instructions: an aligned stack, then the kernel. */
thread_trampoline:
  xorl %ebp, %ebp
  andq $-16, %rsp
  call wisp_thread_start
  jmp wisp_halt_forever

/* The generic timer exists on aarch64 only. */
.globl w2c_arch_setTimerDeadline
.type w2c_arch_setTimerDeadline, @function
.align 16
w2c_arch_setTimerDeadline:
  jmp wisp_unsupported_import
