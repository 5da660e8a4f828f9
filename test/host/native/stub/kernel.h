/* What arch/common C files need of the generated kernel.h, for building them natively in the host tests. */
#include <stdint.h>
typedef uint32_t u32;
typedef uint64_t u64;
struct w2c_arch;
