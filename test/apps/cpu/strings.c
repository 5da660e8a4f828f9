// strings: byte-at-a-time parsing. A generated CSV text of about 1 MiB
// (lines of integers, signed decimals, words and quoted fields with commas
// and doubled quotes inside) is tokenized field by field, again and again:
// numbers are parsed by hand (decimals as fixed point, no floats), words and
// quoted fields hashed byte by byte. Between passes one digit of the text
// changes, so every pass parses a slightly different text. The checksum
// folds each pass's sums, counts and hashes.
//
// Part of the CPU suite: usage, size argument and output are in kernel.h.
#define RANDOM_SEED 0x510e527fade682d1ull
#include "kernel.h"

#define TEXT_BYTES (1u << 20)
#define FIELDS_PER_LINE 8
#define BASE_PASSES 130

/* ---- generating the text ---- */

struct writer {
  char* text;
  uint32_t length, capacity;
};

static void put(struct writer* w, char c) {
  if (w->length < w->capacity) w->text[w->length++] = c;
}

static void put_digits(struct writer* w, uint64_t value) {
  char digits[20];
  int count = 0;
  do digits[count++] = (char)('0' + value % 10);
  while ((value /= 10) != 0);
  while (count) put(w, digits[--count]);
}

static void put_field(struct writer* w) {
  uint64_t bits = next_random();
  switch (bits % 4) {
    case 0: /* an integer, sometimes negative */
      if (bits & 0x10) put(w, '-');
      put_digits(w, (bits >> 8) % 1000000);
      break;
    case 1: /* a decimal with 1-4 fraction digits */
      if (bits & 0x10) put(w, '-');
      put_digits(w, (bits >> 8) % 10000);
      put(w, '.');
      for (uint64_t i = 0, n = 1 + (bits >> 40) % 4; i < n; i++) put(w, (char)('0' + (bits >> (44 + 3 * i)) % 10));
      break;
    case 2: /* a word */
      for (uint64_t i = 0, n = 2 + (bits >> 8) % 9; i < n; i++) put(w, (char)('a' + (bits >> (12 + 2 * i)) % 26));
      break;
    default: /* a quoted field with a comma and sometimes a doubled quote */
      put(w, '"');
      for (uint64_t i = 0, n = 3 + (bits >> 8) % 8; i < n; i++) {
        uint64_t pick = (bits >> (12 + 3 * i)) % 8;
        if (pick == 0) put(w, ',');
        else if (pick == 1 && (bits & 0x20)) put(w, '"'), put(w, '"');
        else put(w, (char)('A' + pick * 3 + i % 3));
      }
      put(w, '"');
      break;
  }
}

static uint32_t generate_text(char* text) {
  struct writer w = {text, 0, TEXT_BYTES - 256};
  while (w.length < w.capacity) {
    for (int field = 0; field < FIELDS_PER_LINE; field++) {
      if (field) put(&w, ',');
      put_field(&w);
    }
    put(&w, '\n');
  }
  while (w.length && w.text[w.length - 1] != '\n') w.length--; /* whole lines only */
  return w.length;
}

/* ---- parsing it ---- */

struct totals {
  uint64_t lines, fields, integers, decimals, words, quoted;
  uint64_t integer_sum, decimal_sum_e4, text_hash;
};

/** Parses one field starting at text[at]; returns the index of its delimiter (',' or '\n'). */
static uint32_t parse_field(const char* text, uint32_t at, struct totals* totals) {
  totals->fields++;
  if (text[at] == '"') {
    uint64_t hash = 0xcbf29ce484222325ull;
    at++;
    for (;;) {
      char c = text[at++];
      if (c == '"') {
        if (text[at] != '"') break;
        at++;
      }
      hash = (hash ^ (uint8_t)c) * 0x100000001b3ull;
    }
    totals->quoted++;
    totals->text_hash = mix(totals->text_hash, hash);
    return at;
  }
  int negative = text[at] == '-';
  uint32_t digits_start = at + (uint32_t)negative;
  uint32_t i = digits_start;
  uint64_t whole = 0;
  while (text[i] >= '0' && text[i] <= '9') whole = whole * 10 + (uint64_t)(text[i++] - '0');
  if (i > digits_start && (text[i] == ',' || text[i] == '\n')) {
    totals->integers++;
    totals->integer_sum += negative ? 0 - whole : whole;
    return i;
  }
  if (i > digits_start && text[i] == '.') {
    uint64_t fraction = 0, scale = 10000;
    for (i++; text[i] >= '0' && text[i] <= '9'; i++) {
      scale /= 10;
      fraction += (uint64_t)(text[i] - '0') * scale;
    }
    uint64_t value = whole * 10000 + fraction;
    totals->decimals++;
    totals->decimal_sum_e4 += negative ? 0 - value : value;
    return i;
  }
  uint64_t hash = 0xcbf29ce484222325ull;
  while (text[at] != ',' && text[at] != '\n') hash = (hash ^ (uint8_t)text[at++]) * 0x100000001b3ull;
  totals->words++;
  totals->text_hash = mix(totals->text_hash, hash);
  return at;
}

static uint64_t parse_text(const char* text, uint32_t length) {
  struct totals totals = {0};
  uint32_t at = 0;
  while (at < length) {
    at = parse_field(text, at, &totals);
    if (text[at] == '\n') totals.lines++;
    at++;
  }
  uint64_t hash = mix(totals.lines, totals.fields);
  hash = mix(hash, totals.integers);
  hash = mix(hash, totals.decimals);
  hash = mix(hash, totals.words);
  hash = mix(hash, totals.quoted);
  hash = mix(hash, totals.integer_sum);
  hash = mix(hash, totals.decimal_sum_e4);
  return mix(hash, totals.text_hash);
}

/** Bumps the first digit at or after `from` (cyclically 0-9), leaving the text's shape unchanged. */
static void change_a_digit(char* text, uint32_t length, uint32_t from) {
  for (uint32_t i = from % length; i < length; i++)
    if (text[i] >= '0' && text[i] <= '9') {
      text[i] = text[i] == '9' ? '0' : (char)(text[i] + 1);
      return;
    }
}

int main(int argc, char** argv) {
  uint64_t passes = scaled(BASE_PASSES, size_argument(argc, argv));
  double start = now_ms();
  char* text = malloc(TEXT_BYTES);
  uint32_t length = generate_text(text);
  uint64_t checksum = mix(0xcbf29ce484222325ull, length);
  for (uint64_t pass = 0; pass < passes; pass++) {
    checksum = mix(checksum, parse_text(text, length));
    change_a_digit(text, length, (uint32_t)(pass * 7919));
  }
  free(text);
  report(checksum, now_ms() - start);
  return 0;
}
