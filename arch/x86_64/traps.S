/*
 * x86_64 trap and interrupt entry: the IDT (all 256 vectors) and the TSS.
 *
 * Vectors 0-31 are CPU exceptions. Each is reported to the kernel as
 * (vector, error code, instruction address, CR2) and is fatal: the kernel
 * prints the report and powers off. The exceptions: a fault in a running
 * application ends the application instead, and a first touch of its memory
 * is cured (the kernel maps the page) and the faulting instruction runs
 * again (exception_common). Vectors that push no error code push a zero so
 * that all frames look alike.
 *
 * Vectors 32-255 are interrupts. Their entry saves every register the System V
 * ABI lets a call clobber (rax, rcx, rdx, rsi, rdi, r8-r11) and the x87/SSE
 * state (fxsave64, 512 bytes, 16-byte aligned), all on the interrupted stack,
 * calls wisp_interrupt(vector), restores and returns with iretq. Nothing of
 * the interrupted state lives anywhere else, because the scheduler may switch
 * threads inside wisp_interrupt and come back to this frame much later, from
 * another thread's stack: the frame has to travel with its stack. For the same
 * reason no interrupt vector uses an IST stack.
 *
 * The double fault (8) and NMI (2) do switch stacks, to IST1, a small stack
 * of their own, and the report needs a stack that works. Both are fatal and
 * never return, so sharing one stack is safe: a second one arriving during
 * the first's report takes the stack over and powers off at once
 * (kernel-instance.c's reporting guard).
 *
 * The page fault (14) switches to IST2, a stack of its own: it is taken at
 * any depth of the app's stack (every first touch of app memory), and the
 * kernel code that maps the page must not run the app's stack into its
 * guard. A thread's stack overflow is a page fault on the guard, reported
 * from IST2 too (CR2 holds the address). A page fault never switches
 * threads, and one inside the page-fault path itself is fatal, so the stack
 * is never in use twice.
 *
 * Interrupt frame, from the top of the interrupted stack down:
 *
 *   ss, rsp, rflags, cs, rip     pushed by the CPU (rsp first aligned to 16)
 *   vector                       pushed by the vector's stub
 *   rax rcx rdx rsi rdi r8-r11   caller-saved registers
 *   rbp                          the entry's frame pointer (callee-saved)
 *   (padding to 16)
 *   512-byte fxsave64 area       <- rsp at the call
 */
.section .text

#define KERNEL_CODE 0x08
#define TSS_SELECTOR 0x18
#define GATE_INTERRUPT 0x8e00       /* present, DPL 0, 64-bit interrupt gate */
#define IST_FATAL 1                 /* IST slot for the double fault and NMI */
#define IST_PAGE_FAULT 2            /* IST slot for the page fault */
#define VECTOR_NMI 2
#define VECTOR_DOUBLE_FAULT 8
#define VECTOR_PAGE_FAULT 14
#define FXSAVE_BYTES 512
#define FATAL_STACK_SIZE 8192
#define PAGE_FAULT_STACK_SIZE 8192
#define TSS_BYTES 104

/*
 * Every stub is smaller than 16 bytes and starts on a 16-byte boundary: stub n
 * is at vectors + 16n. Exception stubs first, then the interrupt stubs (32-255).
 */
.macro VECTOR_NO_ERROR n
  .align 16
  pushq $0
  pushq $\n
  jmp exception_common
.endm

.macro VECTOR_WITH_ERROR n
  .align 16
  pushq $\n
  jmp exception_common
.endm

.align 16
vectors:
  VECTOR_NO_ERROR 0
  VECTOR_NO_ERROR 1
  VECTOR_NO_ERROR 2
  VECTOR_NO_ERROR 3
  VECTOR_NO_ERROR 4
  VECTOR_NO_ERROR 5
  VECTOR_NO_ERROR 6
  VECTOR_NO_ERROR 7
  VECTOR_WITH_ERROR 8
  VECTOR_NO_ERROR 9
  VECTOR_WITH_ERROR 10
  VECTOR_WITH_ERROR 11
  VECTOR_WITH_ERROR 12
  VECTOR_WITH_ERROR 13
  VECTOR_WITH_ERROR 14
  VECTOR_NO_ERROR 15
  VECTOR_NO_ERROR 16
  VECTOR_WITH_ERROR 17
  VECTOR_NO_ERROR 18
  VECTOR_NO_ERROR 19
  VECTOR_NO_ERROR 20
  VECTOR_WITH_ERROR 21
  VECTOR_NO_ERROR 22
  VECTOR_NO_ERROR 23
  VECTOR_NO_ERROR 24
  VECTOR_NO_ERROR 25
  VECTOR_NO_ERROR 26
  VECTOR_NO_ERROR 27
  VECTOR_NO_ERROR 28
  VECTOR_WITH_ERROR 29
  VECTOR_WITH_ERROR 30
  VECTOR_NO_ERROR 31
  .set vector_number, 32
  .rept 224
  .align 16
  pushq $vector_number
  jmp interrupt_common
  .set vector_number, vector_number + 1
  .endr
  .align 16
vectors_end:

/*
 * Exception frame: vector, error code, rip, cs, rflags, rsp, ss, then the
 * registers and x87/SSE state as for an interrupt. The report never
 * returns, except for a fault of the running application: when the kernel
 * cured it (wisp_cpu_exception returns 1) everything is restored and the
 * instruction runs again; when it ends the app (0) the app call is unwound
 * (app.S), leaving this frame behind with interrupts still disabled; the
 * kernel enables them again.
 */
exception_common:
  pushq %rax
  pushq %rcx
  pushq %rdx
  pushq %rsi
  pushq %rdi
  pushq %r8
  pushq %r9
  pushq %r10
  pushq %r11
  pushq %rbp
  movq %rsp, %rbp
  subq $FXSAVE_BYTES, %rsp
  andq $-16, %rsp
  fxsave64 (%rsp)
  movq 80(%rbp), %rdi           /* the vector, above the ten saved registers */
  movq 88(%rbp), %rsi           /* the error code */
  movq 96(%rbp), %rdx           /* rip */
  movq %cr2, %rcx
  cld
  call wisp_cpu_exception
  testl %eax, %eax
  jz wisp_app_fault_return
  fxrstor64 (%rsp)
  movq %rbp, %rsp
  popq %rbp
  popq %r11
  popq %r10
  popq %r9
  popq %r8
  popq %rdi
  popq %rsi
  popq %rdx
  popq %rcx
  popq %rax
  addq $16, %rsp                /* the vector and the error code */
  iretq

interrupt_common:
  pushq %rax
  pushq %rcx
  pushq %rdx
  pushq %rsi
  pushq %rdi
  pushq %r8
  pushq %r9
  pushq %r10
  pushq %r11
  pushq %rbp
  movq %rsp, %rbp
  subq $FXSAVE_BYTES, %rsp
  andq $-16, %rsp
  fxsave64 (%rsp)
  cld
  movq 80(%rbp), %rdi           /* the vector, above the ten saved registers */
  call wisp_interrupt
  fxrstor64 (%rsp)
  movq %rbp, %rsp
  popq %rbp
  popq %r11
  popq %r10
  popq %r9
  popq %r8
  popq %rdi
  popq %rsi
  popq %rdx
  popq %rcx
  popq %rax
  addq $8, %rsp                 /* the vector */
  iretq

/*
 * Fills the IDT with interrupt gates to the 256 stubs, gives the double
 * fault and NMI the IST stack, loads the IDT, then points the GDT's TSS
 * descriptor at the TSS and loads the task register (which marks the
 * descriptor busy: the GDT is in .data for that write).
 */
.globl install_traps
install_traps:
  leaq vectors(%rip), %rax
  leaq idt(%rip), %rdi
  movl $256, %ecx
1:
  movw %ax, 0(%rdi)             /* offset 15:0 */
  movl $(GATE_INTERRUPT << 16 | KERNEL_CODE), 2(%rdi) /* selector; IST 0: stay on the current stack */
  movq %rax, %rdx
  shrq $16, %rdx
  movw %dx, 6(%rdi)             /* offset 31:16 */
  shrq $16, %rdx
  movq %rdx, 8(%rdi)            /* offset 63:32, then the reserved dword's zeros */
  addq $16, %rax
  addq $16, %rdi
  decl %ecx
  jnz 1b
  leaq idt(%rip), %rdi
  movb $IST_FATAL, VECTOR_NMI * 16 + 4(%rdi)
  movb $IST_FATAL, VECTOR_DOUBLE_FAULT * 16 + 4(%rdi)
  movb $IST_PAGE_FAULT, VECTOR_PAGE_FAULT * 16 + 4(%rdi)
  lidt idt_pointer(%rip)

  /* 64-bit TSS descriptor: limit, base 15:0, base 23:16, type, flags, base 31:24, base 63:32. */
  leaq tss(%rip), %rax
  leaq wisp_gdt + TSS_SELECTOR(%rip), %rdi
  movw $TSS_BYTES - 1, 0(%rdi)
  movw %ax, 2(%rdi)
  shrq $16, %rax
  movb %al, 4(%rdi)
  movb $0x89, 5(%rdi)           /* present, DPL 0, available 64-bit TSS */
  movb $0, 6(%rdi)
  movb %ah, 7(%rdi)
  shrq $16, %rax
  movl %eax, 8(%rdi)
  movl $0, 12(%rdi)
  movw $TSS_SELECTOR, %ax
  ltr %ax
  ret

.section .rodata
.align 16
idt_pointer:
  .word 256 * 16 - 1
  .quad idt

/* The TSS: only IST1 and IST2 are used (ring 0 only, no I/O bitmap: its offset is past the limit). */
.section .data
.align 16
tss:
  .long 0
  .quad 0, 0, 0                 /* rsp0-2: no ring changes */
  .quad 0
  .quad fatal_stack_top         /* ist1 */
  .quad page_fault_stack_top    /* ist2 */
  .quad 0, 0, 0, 0, 0           /* ist3-7 */
  .quad 0
  .word 0
  .word TSS_BYTES               /* I/O bitmap offset */
tss_end:
.if tss_end - tss - TSS_BYTES
.error "the TSS must be 104 bytes"
.endif

/* Not cleared at boot (kernel.ld): install_traps writes every IDT byte, and a stack needs no zeroes. */
.section .uninit, "aw", @nobits
.align 16
idt: .skip 256 * 16
.align 16
fatal_stack: .skip FATAL_STACK_SIZE
fatal_stack_top:
.align 16
page_fault_stack: .skip PAGE_FAULT_STACK_SIZE
page_fault_stack_top:
