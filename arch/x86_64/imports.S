/*
 * The arch import list for x86_64 (see arch/index.ts for the contract).
 *
 * wasm2c names each import w2c_arch_<name> and passes an unused instance
 * pointer first, so arguments arrive in %esi/%rsi, %edx/%rdx, %ecx/%rcx.
 * 32-bit arguments are zero-extended before use as addresses.
 */
.section .text

.macro IMPORT name
  .globl w2c_arch_\name
  .type w2c_arch_\name, @function
  .align 16
w2c_arch_\name:
.endm

IMPORT portIn8
  movl %esi, %edx
  xorl %eax, %eax
  inb %dx, %al
  ret

IMPORT portIn16
  movl %esi, %edx
  xorl %eax, %eax
  inw %dx, %ax
  ret

IMPORT portIn32
  movl %esi, %edx
  inl %dx, %eax
  ret

IMPORT portOut8
  movl %edx, %eax
  movl %esi, %edx
  outb %al, %dx
  ret

IMPORT portOut16
  movl %edx, %eax
  movl %esi, %edx
  outw %ax, %dx
  ret

IMPORT portOut32
  movl %edx, %eax
  movl %esi, %edx
  outl %eax, %dx
  ret

IMPORT mmioRead8
  movl %esi, %eax
  movzbl (%rax), %eax
  ret

IMPORT mmioRead16
  movl %esi, %eax
  movzwl (%rax), %eax
  ret

IMPORT mmioRead32
  movl %esi, %eax
  movl (%rax), %eax
  ret

IMPORT mmioWrite8
  movl %esi, %eax
  movb %dl, (%rax)
  ret

IMPORT mmioWrite16
  movl %esi, %eax
  movw %dx, (%rax)
  ret

IMPORT mmioWrite32
  movl %esi, %eax
  movl %edx, (%rax)
  ret

IMPORT memoryBarrier
  mfence
  ret

IMPORT timestamp
  rdtsc
  shlq $32, %rdx
  orq %rdx, %rax
  ret

/* The TSC does not state its own frequency: the kernel works it out. */
IMPORT counterFrequency
  xorl %eax, %eax
  ret

IMPORT cpuid
  pushq %rbx
  movl %ecx, %r8d
  movl %esi, %eax
  movl %edx, %ecx
  cpuid
  movl %eax, 0(%r8)
  movl %ebx, 4(%r8)
  movl %ecx, 8(%r8)
  movl %edx, 12(%r8)
  popq %rbx
  ret

IMPORT readMsr
  movl %esi, %ecx
  rdmsr
  shlq $32, %rdx
  orq %rdx, %rax
  ret

IMPORT writeMsr
  movl %esi, %ecx
  movq %rdx, %rax
  shrq $32, %rdx
  wrmsr
  ret

/* Page tables: the root is a PML4 below 4 GiB; loading CR3 flushes every non-global translation. */
IMPORT setPageTableRoot
  movl %esi, %eax
  movq %rax, %cr3
  ret

/* x86 keeps page-table writes coherent with the walker: only the TLB entry goes. */
IMPORT invalidatePage
  invlpg (%rsi)
  ret

/* Returns whether interrupts were enabled, then enables or disables them. */
IMPORT setInterrupts
  pushfq
  popq %rax
  shrl $9, %eax
  andl $1, %eax
  testl %esi, %esi
  jz 1f
  sti
  ret
1:
  cli
  ret

IMPORT waitForInterrupt
  sti
  hlt
  cli
  ret

/*
 * Power off with a status. On QEMU the isa-debug-exit device (port 0xf4)
 * ends the process with code (value << 1) | 1; writing status + 1 keeps
 * QEMU's own failure code 1 and a reset's code 0 distinct from any status.
 * Without that device, pulse the keyboard controller's reset line, and as a
 * last resort triple-fault with an empty IDT.
 */
IMPORT powerOff
  cli
  leal 1(%rsi), %eax
  movw $0xf4, %dx
  outl %eax, %dx
  movb $0xfe, %al
  outb %al, $0x64
  lidt empty_idt(%rip)
  int3
  jmp wisp_halt_forever

.section .rodata
.align 16
empty_idt:
  .word 0
  .quad 0
