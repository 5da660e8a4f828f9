/*
 * App-side string.h. The calls go through the builtins so that clang inlines
 * small constant sizes (-ffreestanding would otherwise keep every call); the
 * calls it keeps resolve to the kernel's implementations (runtime.list).
 */
#ifndef WISP_APP_STRING_H
#define WISP_APP_STRING_H
#include <stddef.h>
void* memcpy(void* dst, const void* src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
void* memset(void* dst, int c, size_t n);
int memcmp(const void* a, const void* b, size_t n);
#define memcpy(d, s, n) __builtin_memcpy(d, s, n)
#define memmove(d, s, n) __builtin_memmove(d, s, n)
#define memset(d, c, n) __builtin_memset(d, c, n)
#define memcmp(a, b, n) __builtin_memcmp(a, b, n)
#endif
