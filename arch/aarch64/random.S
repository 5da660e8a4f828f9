/*
 * hardwareRandom(out) for aarch64 (contract in arch/index.ts): 8 bytes from
 * RNDR (FEAT_RNG) stored at `out` (the 2nd argument, w1, zero-extended),
 * 1 on success; 0 when the CPU has no RNDR (ID_AA64ISAR0_EL1.RNDR, bits
 * 63:60, is 0) or when it failed 10 times in a row. RNDR reports a failure
 * by setting PSTATE.Z (and returning 0); success clears NZCV.
 *
 * The ID register is read once and the answer kept in `rndr_state` (0 not
 * yet asked, 1 present, 2 absent): under KVM, ID register reads trap to the
 * hypervisor. RNDR is written by its system-register encoding
 * (S3_3_C2_C4_0) so that no assembler feature flag is needed.
 */
#define RNDR_UNKNOWN 0
#define RNDR_PRESENT 1
#define RNDR_ABSENT 2
#define RNDR_RETRIES 10

.section .text
.globl w2c_arch_hardwareRandom
.type w2c_arch_hardwareRandom, %function
.balign 16
w2c_arch_hardwareRandom:
  mov w11, w1                             /* out, zero-extended into x11 */
  adrp x12, rndr_state
  ldr w9, [x12, :lo12:rndr_state]
  cmp w9, #RNDR_PRESENT
  b.eq 2f
  cmp w9, #RNDR_ABSENT
  b.eq 4f
  mrs x9, id_aa64isar0_el1
  lsr x9, x9, #60
  mov w10, #RNDR_ABSENT
  cbz x9, 1f
  mov w10, #RNDR_PRESENT
1:
  str w10, [x12, :lo12:rndr_state]
  cmp w10, #RNDR_PRESENT
  b.ne 4f
2:
  mov w10, #RNDR_RETRIES
3:
  mrs x9, s3_3_c2_c4_0                    /* RNDR */
  b.ne 5f                                 /* Z clear: a value */
  subs w10, w10, #1
  b.ne 3b
4:
  mov w0, #0
  ret
5:
  str x9, [x11]
  mov w0, #1
  ret
.size w2c_arch_hardwareRandom, . - w2c_arch_hardwareRandom

.section .bss
.balign 4
rndr_state:
  .long 0
