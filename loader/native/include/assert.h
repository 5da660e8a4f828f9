/* App-side assert: generated code asserts only on instantiation paths, which the glue guarantees. */
#ifndef WISP_APP_ASSERT_H
#define WISP_APP_ASSERT_H
#define assert(x) ((void)0)
#endif
