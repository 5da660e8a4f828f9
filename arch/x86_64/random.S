/*
 * hardwareRandom(out) for x86_64 (contract in arch/index.ts): 8 bytes from
 * RDRAND stored at `out` (the 2nd argument, %esi, zero-extended), 1 on
 * success; 0 when the CPU has no RDRAND (CPUID.1:ECX bit 30) or when it
 * failed 10 times in a row (Intel's advice for a busy generator).
 *
 * CPUID is asked once and the answer kept in `rdrand_state` (0 not yet
 * asked, 1 present, 2 absent): CPUID exits to the hypervisor under KVM and
 * is slow under TCG. An all-ones value with the carry set is treated as a
 * failure too: some AMD parts (family 15h/16h, and Zen 2 before a firmware
 * fix) return that forever while claiming success; a real generator gives
 * it once in 2^64 draws.
 */
#define RDRAND_UNKNOWN 0
#define RDRAND_PRESENT 1
#define RDRAND_ABSENT 2
#define CPUID_ECX_RDRAND 30
#define RDRAND_RETRIES 10

.section .text
.globl w2c_arch_hardwareRandom
.type w2c_arch_hardwareRandom, @function
.align 16
w2c_arch_hardwareRandom:
  movl %esi, %r8d                         /* out, zero-extended */
  movl rdrand_state(%rip), %eax
  cmpl $RDRAND_PRESENT, %eax
  je 2f
  cmpl $RDRAND_ABSENT, %eax
  je 4f
  pushq %rbx                              /* CPUID clobbers %rbx (callee-saved) */
  movl $1, %eax
  xorl %ecx, %ecx
  cpuid
  popq %rbx
  movl $RDRAND_ABSENT, %eax
  btl $CPUID_ECX_RDRAND, %ecx
  jnc 1f
  movl $RDRAND_PRESENT, %eax
1:
  movl %eax, rdrand_state(%rip)
  cmpl $RDRAND_PRESENT, %eax
  jne 4f
2:
  movl $RDRAND_RETRIES, %ecx
3:
  rdrand %rax
  jnc 5f                                  /* no value this time */
  cmpq $-1, %rax
  jne 6f
5:
  decl %ecx
  jnz 3b
4:
  xorl %eax, %eax
  ret
6:
  movq %rax, (%r8)
  movl $1, %eax
  ret
.size w2c_arch_hardwareRandom, . - w2c_arch_hardwareRandom

.section .bss
.balign 4
rdrand_state:
  .long 0
