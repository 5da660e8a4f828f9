/*
 * The empty PVH kernel: the smallest thing QEMU can boot on x86_64. It
 * reports status 0 through isa-debug-exit as its first act, so booting it
 * measures QEMU, the firmware and the loader, and nothing else. `wisp bench
 * boot` times Wisp against it in the same run.
 */
.section .note.Xen, "a"
  .align 4
  .long 4, 4, 18
  .asciz "Xen"
  .long _start

.section .text
.code32
.globl _start
_start:
  movl $1, %eax          /* status 0, encoded as 0 + 1 */
  movw $0xf4, %dx
  outl %eax, %dx
1:
  hlt
  jmp 1b
