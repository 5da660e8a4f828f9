// Splitting the framed serial line of an app run (kernel option
// console=streams, kernel/console.ts) back into its streams:
//
//   DLE '0' | DLE '1' | DLE '2'   what follows is kernel / app stdout / app stderr
//   DLE DLE                       one data byte 0x10
//   DLE 'x' <decimal> ';'         the app's exit status
//
// Bytes before any selector are the kernel's. The decoder keeps its state
// between chunks, so a frame split across two reads decodes the same.

const DLE = 0x10;

export type StreamSink = (bytes: Uint8Array) => void;

export class StreamDecoder {
  /** The app's own exit status, once the kernel has sent it. */
  exitStatus: number | null = null;
  private stream = 0;
  private escaped = false;
  private statusDigits: string | null = null;

  constructor(private readonly sinks: [kernel: StreamSink, stdout: StreamSink, stderr: StreamSink]) {}

  push(chunk: Uint8Array): void {
    let runStart = 0;
    const flush = (end: number) => {
      if (end > runStart) this.sinks[this.stream](chunk.subarray(runStart, end));
    };
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (this.statusDigits !== null) {
        if (byte === 0x3b) {
          this.exitStatus = Number(this.statusDigits);
          this.statusDigits = null;
        } else {
          this.statusDigits += String.fromCharCode(byte);
        }
        runStart = i + 1;
        continue;
      }
      if (this.escaped) {
        this.escaped = false;
        if (byte === DLE) {
          runStart = i; // the escaped byte itself is data
          continue;
        }
        if (byte >= 0x30 && byte <= 0x32) this.stream = byte - 0x30;
        else if (byte === 0x78) this.statusDigits = "";
        runStart = i + 1;
        continue;
      }
      if (byte === DLE) {
        flush(i);
        this.escaped = true;
        runStart = i + 1;
      }
    }
    if (!this.escaped && this.statusDigits === null) flush(chunk.length);
  }
}
