// Byte-level reading and writing of the wasm binary format (core spec 5.1-5.2):
// LEB128 numbers, names and length-prefixed vectors, for the splitter and
// rename-imports.ts.
//
// ByteReader walks a range of one buffer without copying it; ByteWriter grows
// one buffer (doubling), so writing a 30 MB module is a handful of copies, not
// millions of small arrays.

export class SplitFormatError extends Error {}

export class ByteReader {
  offset: number;
  constructor(readonly bytes: Uint8Array, start = 0, readonly end = bytes.length) {
    this.offset = start;
  }

  get done(): boolean {
    return this.offset >= this.end;
  }

  byte(): number {
    if (this.offset >= this.end) throw new SplitFormatError("unexpected end of the module");
    return this.bytes[this.offset++];
  }

  /** An unsigned LEB128 that fits in 32 bits. */
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > 28) throw new SplitFormatError("malformed LEB128 number");
    }
  }

  /** A signed LEB128 that fits in 32 bits. */
  s32(): number {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = this.byte();
      result |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80 && shift < 35);
    return shift < 32 && byte & 0x40 ? result | (-1 << shift) : result;
  }

  /** Steps over one LEB128 number of any size (signed or not). */
  skipLeb(): void {
    while (this.byte() & 0x80) {
      // continuation bytes
    }
  }

  skip(count: number): void {
    if (this.offset + count > this.end) throw new SplitFormatError("unexpected end of the module");
    this.offset += count;
  }

  name(): string {
    const length = this.u32();
    this.skip(length);
    return new TextDecoder().decode(this.bytes.subarray(this.offset - length, this.offset));
  }

  /** The bytes from `start` to the current offset (a view, not a copy). */
  since(start: number): Uint8Array {
    return this.bytes.subarray(start, this.offset);
  }
}

export class ByteWriter {
  private buffer = new Uint8Array(256);
  length = 0;

  private reserve(count: number): void {
    if (this.length + count <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + count) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  byte(value: number): this {
    this.reserve(1);
    this.buffer[this.length++] = value;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
    return this;
  }

  u32(value: number): this {
    this.reserve(5);
    do {
      let byte = value & 0x7f;
      value = Math.floor(value / 128);
      if (value !== 0) byte |= 0x80;
      this.buffer[this.length++] = byte;
    } while (value !== 0);
    return this;
  }

  s32(value: number): this {
    for (;;) {
      const byte = value & 0x7f;
      value >>= 7;
      const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
      this.byte(done ? byte : byte | 0x80);
      if (done) return this;
    }
  }

  name(text: string): this {
    const encoded = new TextEncoder().encode(text);
    return this.u32(encoded.length).bytes(encoded);
  }

  /** A section: id, byte size, then what `contents` wrote. */
  section(id: number, contents: ByteWriter): this {
    return this.byte(id).u32(contents.length).bytes(contents.view());
  }

  view(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}
