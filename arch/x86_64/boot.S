/*
 * x86_64 boot stub: PVH entry to long mode, then into the kernel.
 *
 * QEMU (and any PVH loader) jumps to pvh_start in 32-bit protected mode with
 * paging off and %ebx pointing at the hvm_start_info structure. The stub:
 *   1. stamps the counter and records start_info in the handoff,
 *   2. clears .bss and builds an identity map of the low 4 GiB with 1 GiB
 *      pages where CPUID says the CPU has them (four entries), else 2 MiB
 *      pages (2,048 entries), all writable and executable (page 0 stays mapped: firmware
 *      such as SeaBIOS's PVH loader leaves start_info data there). The
 *      kernel replaces this map with its own once it has read the firmware
 *      data (kernel/mm/paging),
 *   3. turns on no-execute (EFER.NXE) if CPUID says the CPU has it, and says
 *      so in the handoff flags; turns on write protection for ring 0
 *      (CR0.WP, so read-only pages hold against the kernel too), PAE, long
 *      mode, paging and SSE; loads a flat GDT, then the IDT for all 256
 *      vectors and the TSS (traps.S),
 *   4. calls wisp_enter_kernel(&wisp_handoff) on the boot stack.
 */
#include "handoff.h"

#define PTE_PRESENT 0x1
#define PTE_WRITE 0x2
#define PTE_LARGE 0x80
#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define CPUID_EXTENDED_MAX 0x80000000
#define CPUID_EXTENDED_FEATURES 0x80000001
#define CPUID_EDX_NX 20
#define CPUID_EDX_PAGE1GB 26
#define BOOT_STACK_SIZE 16384

/* The PVH entry note: QEMU finds it only inside a PT_NOTE program header. */
.section .note.Xen, "a"
  .align 4
  .long 4                      /* name size: "Xen\0" */
  .long 4                      /* descriptor size */
  .long 18                     /* XEN_ELFNOTE_PHYS32_ENTRY */
  .asciz "Xen"
  .long pvh_start

.section .text.boot, "ax"
.code32
.globl pvh_start
pvh_start:
  rdtsc
  movl %eax, wisp_handoff + HANDOFF_OFF_STAMPS
  movl %edx, wisp_handoff + HANDOFF_OFF_STAMPS + 4
  movl $1, wisp_handoff + HANDOFF_OFF_STAMP_COUNT
  movl %ebx, wisp_handoff + HANDOFF_OFF_FIRMWARE_INFO
  movl $boot_stack_top, %esp

  /* Clear .bss (page aligned at both ends): the PML4 and PDPT live there. */
  movl $__bss_start, %edi
  movl $__bss_end, %ecx
  subl %edi, %ecx
  shrl $2, %ecx
  xorl %eax, %eax
  cld
  rep stosl

  /* No-execute, if the CPU has it: %esi collects the extra EFER bits; %edi is 1 with 1 GiB pages. */
  xorl %esi, %esi
  xorl %edi, %edi
  movl $CPUID_EXTENDED_MAX, %eax
  cpuid
  cmpl $CPUID_EXTENDED_FEATURES, %eax
  jb 3f
  movl $CPUID_EXTENDED_FEATURES, %eax
  cpuid
  btl $CPUID_EDX_PAGE1GB, %edx
  adcl $0, %edi
  btl $CPUID_EDX_NX, %edx
  jnc 3f
  movl $EFER_NXE, %esi
  orl $HANDOFF_FLAG_NX, wisp_handoff + HANDOFF_OFF_FLAGS
3:

  movl $pdpt + (PTE_PRESENT | PTE_WRITE), pml4
  testl %edi, %edi
  jz 4f
  /* pdpt[i] = i GiB, a 1 GiB page, for the four entries (4 GiB). */
  movl $(PTE_PRESENT | PTE_WRITE | PTE_LARGE), pdpt
  movl $(0x40000000 | PTE_PRESENT | PTE_WRITE | PTE_LARGE), pdpt + 8
  movl $(0x80000000 | PTE_PRESENT | PTE_WRITE | PTE_LARGE), pdpt + 16
  movl $(0xc0000000 | PTE_PRESENT | PTE_WRITE | PTE_LARGE), pdpt + 24
  jmp 5f
4:
  /* pml4[0] -> pdpt; pdpt[0..3] -> the four page directories. */
  movl $pd + (PTE_PRESENT | PTE_WRITE), %eax
  xorl %ecx, %ecx
1:
  movl %eax, pdpt(, %ecx, 8)
  addl $4096, %eax
  incl %ecx
  cmpl $4, %ecx
  jb 1b

  /* pd[i] = i * 2 MiB, a large page, for all 2048 entries (4 GiB). */
  xorl %ecx, %ecx
2:
  movl %ecx, %eax
  shll $21, %eax
  orl $(PTE_PRESENT | PTE_WRITE | PTE_LARGE), %eax
  movl %eax, pd(, %ecx, 8)
  movl $0, pd + 4(, %ecx, 8)
  incl %ecx
  cmpl $2048, %ecx
  jb 2b
5:

  movl %cr4, %eax
  orl $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
  movl %eax, %cr4
  movl $pml4, %eax
  movl %eax, %cr3
  movl $MSR_EFER, %ecx
  rdmsr
  orl $EFER_LME, %eax
  orl %esi, %eax
  wrmsr
  movl %cr0, %eax
  andl $~CR0_EM, %eax
  orl $(CR0_PG | CR0_WP | CR0_MP | CR0_PE), %eax
  movl %eax, %cr0

  lgdt gdt_pointer
  ljmp $0x08, $long_mode

.code64
long_mode:
  movw $0x10, %ax
  movw %ax, %ds
  movw %ax, %es
  movw %ax, %ss
  movw %ax, %fs
  movw %ax, %gs
  movq $boot_stack_top, %rsp
  fninit

  rdtsc
  shlq $32, %rdx
  orq %rdx, %rax
  movq %rax, wisp_handoff + HANDOFF_OFF_STAMPS + 8
  movl $2, wisp_handoff + HANDOFF_OFF_STAMP_COUNT

  call install_traps
  leaq wisp_handoff(%rip), %rdi
  call wisp_enter_kernel
.globl wisp_halt_forever
wisp_halt_forever:
  cli
  hlt
  jmp wisp_halt_forever

/*
 * Flat 64-bit GDT: null, kernel code (0x08), kernel data (0x10), and the
 * 16-byte TSS descriptor (0x18) that install_traps (traps.S) fills in. It is
 * in .data because loading the task register writes the descriptor's busy
 * bit. The code and data descriptors are marked accessed already, so segment
 * loads write nothing.
 */
.section .data
.align 16
.globl wisp_gdt
wisp_gdt:
  .quad 0
  .quad 0x00af9b000000ffff
  .quad 0x00cf93000000ffff
  .quad 0, 0
gdt_end:

.section .rodata
.align 16
gdt_pointer:
  .word gdt_end - wisp_gdt - 1
  .long wisp_gdt

.section .data
.align 8
.globl wisp_handoff
wisp_handoff:
  .long HANDOFF_MAGIC
  .long HANDOFF_ARCH_X86_64
  .quad 0                       /* firmware_info */
  .quad __image_start
  .quad __text_end
  .quad __rodata_end
  .quad __image_end
  .long 0                       /* stamp_count */
  .long 0                       /* flags: HANDOFF_FLAG_NX set above if the CPU has it */
  .fill HANDOFF_MAX_STAMPS, 8, 0

.section .bss
.align 4096
pml4: .skip 4096
pdpt: .skip 4096

/* Not cleared (kernel.ld): every page directory entry is written in full, and a stack needs no zeroes. */
.section .uninit, "aw", @nobits
.align 4096
pd: .skip 4 * 4096
.align 16
boot_stack: .skip BOOT_STACK_SIZE
.globl boot_stack_top
boot_stack_top:
