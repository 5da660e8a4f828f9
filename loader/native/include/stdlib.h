/* App-side stdlib.h: empty; present so that generated code's includes resolve. */
#ifndef WISP_APP_STDLIB_H
#define WISP_APP_STDLIB_H
#include <stddef.h>
#endif
