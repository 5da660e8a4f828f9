// LZ4 block decompression (the block format, without frame headers), for
// compressed ROFS data blocks.
//
// Guards the kernel against hostile input: every literal run, match offset
// and match length is checked against the source and destination bounds
// before a byte moves, so a corrupt block can only be refused, never write
// outside `destination` or read outside `source`. Each step consumes at
// least one source byte, so the loop ends. The format: a sequence is a token
// (high nibble literal count, low nibble match length - 4; 15 means more
// length bytes follow, each added, until one is not 255), the literals, a
// 2-byte little-endian offset back into the output (1..65535), and the match.
// The last sequence has literals only.

/**
 * Decompresses `sourceLength` bytes at `source` into at most `capacity`
 * bytes at `destination`; returns the bytes produced, or -1 if the block is
 * malformed or would not fit.
 */
export function lz4DecompressBlock(source: usize, sourceLength: usize, destination: usize, capacity: usize): isize {
  let input: usize = 0;
  let output: usize = 0;
  while (true) {
    if (input >= sourceLength) return -1;
    const token = <u32>load<u8>(source + input++);

    let literals = <usize>(token >> 4);
    if (literals == 15) {
      while (true) {
        if (input >= sourceLength) return -1;
        const more = <usize>load<u8>(source + input++);
        literals += more;
        if (more != 255) break;
      }
    }
    if (literals > sourceLength - input || literals > capacity - output) return -1;
    memory.copy(destination + output, source + input, literals);
    input += literals;
    output += literals;
    if (input == sourceLength) return <isize>output;

    if (sourceLength - input < 2) return -1;
    const distance = <usize>load<u16>(source + input);
    input += 2;
    if (distance == 0 || distance > output) return -1;

    let length = <usize>(token & 15);
    if (length == 15) {
      while (true) {
        if (input >= sourceLength) return -1;
        const more = <usize>load<u8>(source + input++);
        length += more;
        if (more != 255) break;
      }
    }
    length += 4;
    if (length > capacity - output) return -1;
    copyMatch(destination + output, distance, length);
    output += length;
  }
}

/**
 * Copies a match of `length` bytes from `distance` bytes back. When the
 * match overlaps its own output it repeats a pattern: each copy takes the
 * bytes already written, so the copied span doubles until it covers length.
 */
@inline
function copyMatch(to: usize, distance: usize, length: usize): void {
  const from = to - distance;
  let done: usize = 0;
  while (done < length) {
    const available = to + done - from;
    const chunk = length - done < available ? length - done : available;
    memory.copy(to + done, from, chunk);
    done += chunk;
  }
}
