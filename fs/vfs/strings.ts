// Strings the VFS and filesystems own: fresh copies and their release.
//
// The kernel frees memory explicitly (docs/runtime.md), and AssemblyScript's
// own substring and slice sometimes hand back the very string they were
// given or a static literal. A string that will be freed later must be one
// of ours: every function here returns a fresh block (even for ""), which
// freeString gives back.

/** A fresh copy of text[start, end) in UTF-16 units. */
export function ownedSlice(text: string, start: i32, end: i32): string {
  const units = end > start ? end - start : 0;
  const copy = __new(<usize>units << 1, idof<string>());
  memory.copy(copy, changetype<usize>(text) + (<usize>start << 1), <usize>units << 1);
  return changetype<string>(copy);
}

/** A fresh copy of the whole of `text`. */
export function ownedString(text: string): string {
  return ownedSlice(text, 0, text.length);
}

/** A fresh string a + b. */
export function ownedConcat(a: string, b: string): string {
  const joined = __new(<usize>(a.length + b.length) << 1, idof<string>());
  memory.copy(joined, changetype<usize>(a), <usize>a.length << 1);
  memory.copy(joined + (<usize>a.length << 1), changetype<usize>(b), <usize>b.length << 1);
  return changetype<string>(joined);
}

/** Gives back a string from this file (or any other fresh one); never a literal. */
export function freeString(text: string): void {
  heap.free(changetype<usize>(text));
}

/** Bytes text[start, end) takes in UTF-8 (a lone surrogate counts as 3, as the encoder writes it). */
export function utf8Length(text: string, start: i32, end: i32): i32 {
  let bytes = 0;
  for (let i = start; i < end; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < end && (text.charCodeAt(i + 1) & 0xfc00) == 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** A 32-bit FNV-1a hash of a whole string's UTF-16 units. */
export function hashString(text: string): u32 {
  let hash: u32 = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = (hash ^ <u32>text.charCodeAt(i)) * 0x01000193;
  }
  return hash;
}
