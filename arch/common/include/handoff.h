/*
 * The boot handoff: what the arch boot stub tells the kernel.
 *
 * The stub fills one of these in its own .data before any other code runs and
 * passes its address to kmain. The kernel reads it through the same layout in
 * kernel/boot/handoff.ts; change both together.
 *
 *   0 +-------------------+
 *     | magic 'WISP'      |  0x50534957
 *   4 | arch              |  1 = x86_64, 2 = aarch64
 *   8 | firmware_info     |  PVH start_info (x86_64) or device tree (aarch64)
 *  16 | image_start       |  first byte of the loaded kernel image (text starts here)
 *  24 | text_end          |  end of text, start of rodata (page aligned)
 *  32 | rodata_end        |  end of rodata, start of data and bss (page aligned)
 *  40 | image_end         |  first free byte after the image (page aligned)
 *  48 | stamp_count       |  how many stamps below are valid
 *  52 | flags             |  HANDOFF_FLAG_*
 *  56 | stamps[8]         |  counter readings taken before kmain, in order:
 *     |                   |  0 first instruction, 1 paging on, 2 runtime ready
 * 120 +-------------------+
 */
#ifndef WISP_HANDOFF_H
#define WISP_HANDOFF_H

#define HANDOFF_MAGIC 0x50534957
#define HANDOFF_ARCH_X86_64 1
#define HANDOFF_ARCH_AARCH64 2
#define HANDOFF_STAMP_FIRST_INSTRUCTION 0
#define HANDOFF_STAMP_PAGING_ON 1
#define HANDOFF_STAMP_RUNTIME_READY 2
#define HANDOFF_MAX_STAMPS 8

/* Non-executable mappings are enforced: x86_64 turned EFER.NXE on; always set on aarch64. */
#define HANDOFF_FLAG_NX 0x1

/* Offsets for the assembly stubs. */
#define HANDOFF_OFF_MAGIC 0
#define HANDOFF_OFF_ARCH 4
#define HANDOFF_OFF_FIRMWARE_INFO 8
#define HANDOFF_OFF_IMAGE_START 16
#define HANDOFF_OFF_TEXT_END 24
#define HANDOFF_OFF_RODATA_END 32
#define HANDOFF_OFF_IMAGE_END 40
#define HANDOFF_OFF_STAMP_COUNT 48
#define HANDOFF_OFF_FLAGS 52
#define HANDOFF_OFF_STAMPS 56

#ifndef __ASSEMBLER__
#include <stdint.h>
struct handoff {
  uint32_t magic;
  uint32_t arch;
  uint64_t firmware_info;
  uint64_t image_start;
  uint64_t text_end;
  uint64_t rodata_end;
  uint64_t image_end;
  uint32_t stamp_count;
  uint32_t flags;
  uint64_t stamps[HANDOFF_MAX_STAMPS];
};
_Static_assert(sizeof(struct handoff) == 120, "handoff layout");
_Static_assert(__builtin_offsetof(struct handoff, stamps) == HANDOFF_OFF_STAMPS, "handoff stamps offset");
_Static_assert(__builtin_offsetof(struct handoff, flags) == HANDOFF_OFF_FLAGS, "handoff flags offset");
#endif

#endif
