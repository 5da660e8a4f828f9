/*
 * x86_64 exception entry: the 32 architectural vectors, each reported to the
 * kernel as (vector, error code, instruction address, fault address).
 *
 * Every exception is fatal for now: the kernel prints the report and powers
 * off. Vectors that push no error code push a zero so that all frames look
 * alike.
 */
.section .text

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
exception_vectors:
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

/* Frame: vector, error code, rip, cs, rflags, rsp, ss. */
exception_common:
  movq 0(%rsp), %rdi
  movq 8(%rsp), %rsi
  movq 16(%rsp), %rdx
  movq %cr2, %rcx
  andq $-16, %rsp
  call wisp_cpu_exception
  jmp wisp_halt_forever

/* Fill the IDT with interrupt gates to the 32 stubs (16 bytes apart) and load it. */
.globl install_idt
install_idt:
  leaq exception_vectors(%rip), %rax
  leaq idt(%rip), %rdi
  movl $32, %ecx
1:
  movw %ax, 0(%rdi)             /* offset 15:0 */
  movw $0x08, 2(%rdi)           /* kernel code selector */
  movw $0x8e00, 4(%rdi)         /* present, DPL 0, 64-bit interrupt gate */
  movq %rax, %rdx
  shrq $16, %rdx
  movw %dx, 6(%rdi)             /* offset 31:16 */
  shrq $16, %rdx
  movl %edx, 8(%rdi)            /* offset 63:32 */
  movl $0, 12(%rdi)
  addq $16, %rax
  addq $16, %rdi
  decl %ecx
  jnz 1b
  lidt idt_pointer(%rip)
  ret

.section .rodata
.align 16
idt_pointer:
  .word 32 * 16 - 1
  .quad idt

.section .bss
.align 16
idt: .skip 32 * 16
