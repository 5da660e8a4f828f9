// The dispatcher's table: one entry per interrupt line, made when the
// controller is set up (MAX_LINES entries, 8 KiB).
//
//   LineEntry (8 bytes)
//    0 +----------------------------+
//      | handler  u32               |  the InterruptHandler's function reference, 0 for none
//    4 | taken    u32               |  interrupts taken on the line since boot
//    8 +----------------------------+

@unmanaged
export class LineEntry {
  handler: u32;
  taken: u32;
}

/** The entry for `line` in the table at `table`. */
// @ts-ignore: decorator
@inline export function lineEntry(table: usize, line: u32): LineEntry {
  return changetype<LineEntry>(table + <usize>line * offsetof<LineEntry>());
}

/** Bytes of a table of `lines` entries. */
// @ts-ignore: decorator
@inline export function lineTableBytes(lines: u32): usize {
  return <usize>lines * offsetof<LineEntry>();
}
