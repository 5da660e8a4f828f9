/*
 * The empty aarch64 kernel: reports status 0 (exit code 3) through
 * semihosting as its first act, so booting it measures QEMU and its loader
 * only. `wisp bench boot --arch aarch64` times Wisp against it.
 */
.section .text
.globl _start
_start:
  adr x1, exit_block
  mov w0, #0x18          /* SYS_EXIT */
  hlt #0xf000
1:
  wfi
  b 1b

.align 3
exit_block:
  .quad 0x20026          /* ADP_Stopped_ApplicationExit */
  .quad 3                /* exit code for status 0 */
