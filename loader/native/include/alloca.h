/* App-side alloca: the compiler's builtin. */
#ifndef WISP_APP_ALLOCA_H
#define WISP_APP_ALLOCA_H
#define alloca __builtin_alloca
#endif
