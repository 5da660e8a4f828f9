/* Freestanding assert: generated code only asserts on instantiation paths. */
#ifndef WISP_ASSERT_H
#define WISP_ASSERT_H
#define assert(x) ((void)0)
#endif
