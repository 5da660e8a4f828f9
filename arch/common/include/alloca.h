/* Freestanding alloca: the compiler's builtin. */
#ifndef WISP_ALLOCA_H
#define WISP_ALLOCA_H
#define alloca __builtin_alloca
#endif
