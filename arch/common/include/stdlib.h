/* Freestanding stdlib.h: nothing; present so generated code includes resolve. */
#ifndef WISP_STDLIB_H
#define WISP_STDLIB_H
#include <stddef.h>
#endif
