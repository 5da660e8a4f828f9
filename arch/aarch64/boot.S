/*
 * aarch64 boot stub: QEMU direct kernel boot to the kernel.
 *
 * QEMU (-M virt -kernel wisp.elf) jumps to _start with the MMU and caches off,
 * at EL1, at EL2 with virtualization=on, or at EL3 with secure=on. For an ELF
 * image x0 is 0 and the device tree sits at the start of RAM; a Linux-style
 * loader passes it in x0 instead. The stub:
 *   1. stamps the counter, drops to non-secure EL1, enables FP/SIMD,
 *   2. turns on the MMU and caches with a static identity map of the low
 *      4 GiB (1 GiB blocks: device memory below RAM, normal memory from it);
 *      the kernel replaces it with its own tables once it has read the
 *      device tree (kernel/mm/paging), keeping MAIR_EL1 and TCR_EL1,
 *   3. clears .bss, records the device tree and its PSCI conduit,
 *   4. installs the exception vectors and calls wisp_enter_kernel(&wisp_handoff)
 *      on the boot stack in SP_EL0 (EL1t, SPSel = 0: the kernel's threads run
 *      so too); SP_EL1 holds the exception stack, which every exception
 *      switches to on entry, so a fault on a thread stack is still reported.
 */
#include "handoff.h"

#define RAM_BASE 0x40000000
#define FDT_MAGIC 0xd00dfeed
#define BOOT_STACK_SIZE 16384
#define EXCEPTION_STACK_SIZE 8192

/* QEMU virt's GIC distributor, set up at EL3 (secure=on) before the kernel can read the device tree. */
#define QEMU_VIRT_GICD 0x08000000
#define GICD_TYPER 0x004
#define GICD_IGROUPR 0x080
#define QEMU_VIRT_GICC 0x08010000
#define GICC_PMR 0x004

/* Lower levels non-secure, AArch64, HVC allowed (bits 5:4 are RES1). */
#define SCR_EL3_VALUE ((1 << 0) | (3 << 4) | (1 << 8) | (1 << 10))
#define HCR_EL2_RW (1 << 31)              /* EL1 runs AArch64 */
#define CPTR_EL2_NO_TRAPS 0x33ff          /* RES1 bits only: FP/SIMD not trapped */
#define SPSR_EL1H_MASKED 0x3c5            /* EL1 on SP_EL1, D, A, I, F masked */
#define SPSR_EL2H_MASKED 0x3c9            /* EL2 on SP_EL2, D, A, I, F masked */
#define CPACR_EL1_FPEN (3 << 20)          /* FP/SIMD not trapped at EL1 */

/* MAIR_EL1: index 0 device-nGnRE, index 1 normal write-back read/write-allocate. */
#define MAIR_VALUE 0xff04
#define ATTR_DEVICE (0 << 2)
#define ATTR_NORMAL (1 << 2)

/* Level 1 block descriptor bits. */
#define BLOCK 0x1
#define BLOCK_INNER_SHAREABLE (3 << 8)
#define BLOCK_ACCESSED (1 << 10)
#define BLOCK_NEVER_EXECUTE ((1 << 53) | (1 << 54))
#define DEVICE_BLOCK (BLOCK | ATTR_DEVICE | BLOCK_ACCESSED | BLOCK_NEVER_EXECUTE)
#define NORMAL_BLOCK (BLOCK | ATTR_NORMAL | BLOCK_INNER_SHAREABLE | BLOCK_ACCESSED)

/*
 * TCR_EL1: 39-bit addresses (512 GiB) through TTBR0, so the walk starts at
 * level 1 with 512 entries: the low 4 GiB for the kernel's identity map, the
 * rest for application regions. 4 KiB granule, walks cacheable and inner
 * shareable; TTBR1 walks off. IPS is filled in from the CPU's physical
 * address size.
 */
#define TCR_T0SZ 25
#define TCR_WALK_CACHED ((1 << 8) | (1 << 10) | (3 << 12))
#define TCR_T1SZ (32 << 16)
#define TCR_EPD1 (1 << 23)
#define TCR_TG1_4K (2 << 30)
#define TCR_VALUE (TCR_T0SZ | TCR_WALK_CACHED | TCR_T1SZ | TCR_EPD1 | TCR_TG1_4K)

/* SCTLR_EL1: RES1 bits, MMU, data and instruction caches, SP alignment checks; A = 0. */
#define SCTLR_RES1 0x30d00800
#define SCTLR_VALUE (SCTLR_RES1 | (1 << 0) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 12))

/* Device tree structure tokens and what the PSCI lookup compares, as little-endian words. */
#define FDT_BEGIN_NODE 1
#define FDT_PROP 3
#define FDT_END 9
#define WORD_PSCI 0x69637370              /* "psci" */
#define WORD_METHOD 0x00646f6874656d      /* "method\0" (7 bytes) */
#define WORD_HVC 0x00637668               /* "hvc\0" */
#define WORD_SMC 0x00636d73               /* "smc\0" */

/* The PSCI conduit values; imports.S reads psci_conduit. */
#define PSCI_NONE 0
#define PSCI_HVC 1
#define PSCI_SMC 2

.section .image_header, "ax"
/*
 * The arm64 Image header (Linux's booting.rst), so the same bytes also boot
 * as a flat image (build/aarch64/kernel.img): QEMU loads such an image at
 * RAM base + text_offset, and only for one does it load an initrd and name
 * it in the device tree. It lies just below the wasm static data (kernel.ld),
 * where the flat image starts; as an ELF it is simply a branch to the code.
 */
.globl _start
_start:
  b image_entry                         /* code0 */
  .long 0                               /* code1 */
  .quad __text_offset                   /* where in RAM the image must lie */
  .quad __image_size                    /* bytes from the start to the end of .bss */
  .quad 0x2                             /* little endian, 4 KiB pages, placed exactly */
  .quad 0, 0, 0
  .byte 0x41, 0x52, 0x4d, 0x64           /* magic: "ARM\x64" */
  .long 0

.section .text.boot, "ax"
image_entry:
  mrs x19, cntvct_el0                   /* stamp 0, kept until .bss is clear */
  mov x20, x0                           /* device tree from a Linux-style loader, or 0 */
  msr daifset, #0xf
  mrs x0, CurrentEL
  lsr x0, x0, #2
  cmp x0, #2
  b.lo at_el1
  b.eq at_el2

  /*
   * EL3: hand every interrupt of QEMU virt's GICv2 to the non-secure side
   * (group 1), as firmware does for a non-secure kernel, and open the
   * priority mask: a non-secure write cannot lower it from its reset value.
   */
  ldr x3, =QEMU_VIRT_GICD
  ldr w4, [x3, #GICD_TYPER]
  and w4, w4, #0x1f                     /* ITLinesNumber: N + 1 words of group bits */
  add x5, x3, #GICD_IGROUPR
  mov w6, #-1
1:
  str w6, [x5], #4
  subs w4, w4, #1
  b.ge 1b
  ldr x3, =QEMU_VIRT_GICC
  mov w4, #0xff
  str w4, [x3, #GICC_PMR]

  /* No FP/SIMD traps; go on at EL2 if the CPU has it, else at EL1. */
  mov x0, #SCR_EL3_VALUE
  msr scr_el3, x0
  msr cptr_el3, xzr
  mrs x0, id_aa64pfr0_el1
  ubfx x0, x0, #8, #4                   /* EL2 field: 0 = not implemented */
  mov x1, #SPSR_EL1H_MASKED
  mov x2, #SPSR_EL2H_MASKED
  cmp x0, #0
  csel x1, x1, x2, eq
  msr spsr_el3, x1
  adr x1, at_el1
  adr x2, at_el2
  csel x1, x1, x2, eq
  msr elr_el3, x1
  eret

at_el2:
  /* Let EL1 run AArch64 with FP/SIMD, and enter it. */
  mov x0, #HCR_EL2_RW
  msr hcr_el2, x0
  mov x0, #CPTR_EL2_NO_TRAPS
  msr cptr_el2, x0
  mov x0, #SPSR_EL1H_MASKED
  msr spsr_el2, x0
  adr x0, at_el1
  msr elr_el2, x0
  eret

at_el1:
  mov x0, #CPACR_EL1_FPEN
  msr cpacr_el1, x0
  isb
  msr fpcr, xzr                         /* round to nearest, no flush to zero */

  ldr x0, =MAIR_VALUE
  msr mair_el1, x0
  ldr x0, =TCR_VALUE
  mrs x1, id_aa64mmfr0_el1
  bfi x0, x1, #32, #3                   /* IPS = PARange */
  msr tcr_el1, x0
  ldr x0, =boot_l1_table
  msr ttbr0_el1, x0
  tlbi vmalle1
  dsb nsh
  isb
  ldr x0, =SCTLR_VALUE
  msr sctlr_el1, x0
  isb
  mrs x21, cntvct_el0                   /* stamp 1: MMU on */

  ldr x0, =exception_stack_top
  mov sp, x0                            /* SP_EL1: we run on it until SPSel = 0 */
  ldr x0, =boot_stack_top
  msr sp_el0, x0
  msr spsel, #0                         /* from here on sp is SP_EL0 */
  ldr x0, =__bss_start
  ldr x1, =__bss_end
1:
  cmp x0, x1
  b.hs 2f
  stp xzr, xzr, [x0], #16
  b 1b
2:

  /* No device tree in x0: take the one QEMU puts at the start of RAM. */
  cbnz x20, 3f
  mov x0, #RAM_BASE
  ldr w1, [x0]
  rev w1, w1
  ldr w2, =FDT_MAGIC
  cmp w1, w2
  b.ne 3f
  mov x20, x0
3:
  ldr x0, =wisp_handoff
  str x20, [x0, #HANDOFF_OFF_FIRMWARE_INFO]
  stp x19, x21, [x0, #HANDOFF_OFF_STAMPS]
  mov w1, #2
  str w1, [x0, #HANDOFF_OFF_STAMP_COUNT]

  mov x0, x20
  bl find_psci_conduit
  ldr x1, =psci_conduit
  str w0, [x1]

  ldr x0, =exception_vectors
  msr vbar_el1, x0
  isb
  ldr x0, =wisp_handoff
  bl wisp_enter_kernel
.globl wisp_halt_forever
wisp_halt_forever:
  msr daifset, #0xf
  wfi
  b wisp_halt_forever

/*
 * w0 = the PSCI conduit the device tree at x0 names: the "method" property of
 * the node called psci ("hvc" or "smc"), else PSCI_NONE. Properties precede
 * subnodes, so a property belongs to the node opened last. The tree comes from
 * the loader and is only read; the kernel checks it fully later.
 */
find_psci_conduit:
  mov x9, x0
  mov w0, #PSCI_NONE
  cbz x9, 9f
  ldr w1, [x9]
  rev w1, w1
  ldr w2, =FDT_MAGIC
  cmp w1, w2
  b.ne 9f
  ldr w1, [x9, #8]                      /* off_dt_struct */
  rev w1, w1
  add x10, x9, x1                       /* x10: the next token */
  ldr w1, [x9, #36]                     /* size_dt_struct */
  rev w1, w1
  add x11, x10, x1                      /* x11: end of the structure block */
  ldr w1, [x9, #12]                     /* off_dt_strings */
  rev w1, w1
  add x12, x9, x1                       /* x12: strings block */
  mov x13, xzr                          /* x13: name of the node opened last */
next_token:
  cmp x10, x11
  b.hs 9f
  ldr w1, [x10], #4
  rev w1, w1
  cmp w1, #FDT_BEGIN_NODE
  b.eq begin_node
  cmp w1, #FDT_PROP
  b.eq property
  cmp w1, #FDT_END
  b.eq 9f
  b next_token                          /* END_NODE, NOP */
begin_node:
  mov x13, x10
1:
  ldrb w1, [x10], #1
  cbnz w1, 1b
  add x10, x10, #3
  and x10, x10, #~3
  b next_token
property:
  ldr w1, [x10]                         /* value length */
  rev w1, w1
  ldr w2, [x10, #4]                     /* name offset */
  rev w2, w2
  add x3, x10, #8                       /* value */
  add x10, x3, x1
  add x10, x10, #3
  and x10, x10, #~3
  cbz x13, next_token
  ldr w4, [x13]
  ldr w5, =WORD_PSCI
  cmp w4, w5
  b.ne next_token
  ldr x4, [x12, x2]
  and x4, x4, #0x00ffffffffffffff
  ldr x5, =WORD_METHOD
  cmp x4, x5
  b.ne next_token
  ldr w4, [x3]
  ldr w5, =WORD_HVC
  cmp w4, w5
  mov w0, #PSCI_HVC
  b.eq 9f
  ldr w5, =WORD_SMC
  cmp w4, w5
  mov w0, #PSCI_SMC
  b.eq 9f
  mov w0, #PSCI_NONE
9:
  ret

.ltorg

/* The identity map: one level 1 table of four 1 GiB blocks; the rest of 512 GiB unmapped. */
.section .rodata
.balign 4096
boot_l1_table:
  .quad 0x00000000 | DEVICE_BLOCK       /* flash, GIC, UART, virtio-mmio, PCIe */
  .quad 0x40000000 | NORMAL_BLOCK       /* RAM from here on */
  .quad 0x80000000 | NORMAL_BLOCK
  .quad 0xc0000000 | NORMAL_BLOCK
  .fill 508, 8, 0

.section .data
.balign 8
.globl wisp_handoff
wisp_handoff:
  .long HANDOFF_MAGIC
  .long HANDOFF_ARCH_AARCH64
  .quad 0                               /* firmware_info */
  .quad __image_start
  .quad __text_end
  .quad __rodata_end
  .quad __image_end
  .long 0                               /* stamp_count */
  .long HANDOFF_FLAG_NX                 /* flags: execute-never always exists */
  .fill HANDOFF_MAX_STAMPS, 8, 0

.section .bss
.balign 4
.globl psci_conduit
psci_conduit: .skip 4

/* Not cleared at boot (kernel.ld): a stack needs no zeroes. */
.section .uninit, "aw", %nobits
.balign 16
boot_stack: .skip BOOT_STACK_SIZE
.globl boot_stack_top
boot_stack_top:
.balign 16
exception_stack: .skip EXCEPTION_STACK_SIZE
.globl exception_stack_top
exception_stack_top:
