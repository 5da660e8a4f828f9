// One function body as a list of instructions with their labels resolved:
// every block, loop and if gets a label number (0 is the function's own),
// every branch names the labels it targets by number instead of by relative
// depth, and every `end` names the label it closes. The rewriter (rewrite.ts)
// moves code between labels, so it needs branches by label, not by depth.

import { ByteReader, SplitFormatError } from "../split/bytes";
import { skipLocals, stepInstruction } from "../split/instructions";

export const [BLOCK, LOOP, IF, ELSE, END, BR, BR_IF, BR_TABLE] = [0x02, 0x03, 0x04, 0x05, 0x0b, 0x0c, 0x0d, 0x0e];
export const VOID_BLOCK = 0x40;

export interface Instruction {
  /** Its bytes in the module: [start, end). */
  start: number;
  end: number;
  op: number;
  /** block, loop, if: the label it opens; end: the label it closes. */
  label: number;
  /** br, br_if: [target]; br_table: the entries, then the default. As label numbers. */
  targets: number[] | null;
}

export interface DecodedBody {
  /** The local declarations: their count of groups, the groups' bytes, and the locals they declare. */
  localGroups: number;
  locals: Uint8Array;
  localCount: number;
  instructions: Instruction[];
  /** Labels opened, including the function's own (label 0). */
  labels: number;
  /** Which labels are void `block`s (no parameters or results). */
  voidBlocks: Set<number>;
}

const NO_USES = { func() {}, data() {}, element() {} };

/** The deepest nesting of blocks, loops and ifs in a body (the function's own level is 0). */
export function nestingDepth(bytes: Uint8Array, start: number, end: number): number {
  const r = new ByteReader(bytes, start, end);
  skipLocals(r);
  let depth = 0;
  let deepest = 0;
  while (depth >= 0) {
    depth += stepInstruction(r, r.byte(), NO_USES);
    if (depth > deepest) deepest = depth;
  }
  return deepest;
}

/** Decodes the body in bytes [start, end). */
export function decodeBody(bytes: Uint8Array, start: number, end: number): DecodedBody {
  const groups = new ByteReader(bytes, start, end);
  const localGroups = groups.u32();
  const r = new ByteReader(bytes, start, end);
  const localCount = skipLocals(r);
  const locals = r.since(groups.offset);
  const instructions: Instruction[] = [];
  const open = [0];
  const voidBlocks = new Set<number>();
  let labels = 1;
  const target = (depth: number) => {
    if (depth >= open.length) throw new SplitFormatError(`a branch at byte ${r.offset} names label depth ${depth} of ${open.length}`);
    return open[open.length - 1 - depth];
  };
  while (open.length > 0) {
    const at = r.offset;
    const op = r.byte();
    let label = -1;
    let targets: number[] | null = null;
    if (op === BR || op === BR_IF) targets = [target(r.u32())];
    else if (op === BR_TABLE) {
      targets = [];
      for (let n = r.u32() + 1; n > 0; n--) targets.push(target(r.u32()));
    } else {
      stepInstruction(r, op, NO_USES);
      if (op === BLOCK || op === LOOP || op === IF) {
        label = labels++;
        open.push(label);
        if (op === BLOCK && bytes[at + 1] === VOID_BLOCK) voidBlocks.add(label);
      } else if (op === END) label = open.pop()!;
    }
    instructions.push({ start: at, end: r.offset, op, label, targets });
  }
  if (r.offset !== end) throw new SplitFormatError(`a function body has ${end - r.offset} bytes after its last end`);
  return { localGroups, locals, localCount, instructions, labels, voidBlocks };
}
