// Rewriting a body so no chain (chains.ts) nests deeper than a jump tree
// (jump-tree.ts). A chain becomes
//
//   state = 0
//   block EXIT
//     loop DISPATCH
//       jump tree on `state` whose places are S_0 … S_{K-1}, in order
//     end
//   end
//
// and inside it a branch to B_j (j < K) becomes `state = j; br DISPATCH`,
// to B_K `br EXIT`; a br_if to B_j the same under an `if`; a br_table naming
// some B_j becomes a jump tree on its index whose places are those branches,
// except the common one a C switch makes, whose entry i names B_{i+c} of one
// chain: its index plus c is the state itself (directTable).
// A segment falling off its end into the next one's group sets `state` to
// that segment first. Every read of `state` follows a write on every path,
// so one local serves every chain of the function, nested ones included.
// Everything else is copied byte for byte; only branch depths change.

import { ByteWriter } from "../split/bytes";
import { BLOCK, BR, BR_IF, BR_TABLE, DecodedBody, END, IF, LOOP, VOID_BLOCK } from "./body";
import type { Chain, ChainLevel } from "./chains";
import { FANOUT_BITS, JumpTreeVisitor, treeBits, walkJumpTree } from "./jump-tree";

const [I32_CONST, LOCAL_GET, LOCAL_SET, LOCAL_TEE, I32_GE_U, I32_ADD, I32_SUB, I32_SHR_U, I32] = [0x41, 0x20, 0x21, 0x22, 0x4f, 0x6a, 0x6b, 0x76, 0x7f];
/** A block the rewriter opened that no branch of the original names. */
const ANONYMOUS = -1;

type Token = { open: [count: number, base: number, shift: number] } | "end";

interface ChainLabels {
  exit: number;
  dispatch: number;
  /** Bits per level of its jump tree (jump-tree.ts). */
  bits: number;
  /** The jump tree's code before each segment: before[j] precedes S_j. */
  before: Token[][];
}

/**
 * The body (locals and code) of `body` with its chains rewritten, `state`
 * being a new i32 local; `shallow` keeps every jump tree FANOUT wide, for
 * when the fewest levels nest too deep.
 */
export function rewriteBody(bytes: Uint8Array, body: DecodedBody, chains: Map<number, ChainLevel>, state: number, shallow = false): Uint8Array {
  const bitsFor = (count: number) => (shallow ? FANOUT_BITS : treeBits(count));
  const out = new ByteWriter().u32(body.localGroups + 1).bytes(body.locals).u32(1).byte(I32);
  const open: number[] = [0]; // the function's own label
  const labelsOf = new Map<Chain, ChainLabels>();
  let nextLabel = body.labels;

  const depthOf = (label: number) => {
    const at = open.lastIndexOf(label);
    if (at < 0) throw new Error(`label ${label} is not open where a branch names it`);
    return open.length - 1 - at;
  };
  const block = (op: number, label: number) => {
    out.byte(op).byte(VOID_BLOCK);
    open.push(label);
  };
  const end = () => {
    out.byte(END);
    open.pop();
  };
  const setState = (value: number) => out.byte(I32_CONST).s32(value).byte(LOCAL_SET).u32(state);
  /** Where a branch to `label` goes now: the label itself, or a chain's EXIT. Null for a segment of a chain. */
  const plainTarget = (label: number) => {
    const at = chains.get(label);
    if (!at) return label;
    return at.level === at.chain.labels.length ? labelsOf.get(at.chain)!.exit : null;
  };
  const jumpTo = (label: number) => {
    const plain = plainTarget(label);
    if (plain !== null) {
      out.byte(BR).u32(depthOf(plain));
      return;
    }
    const at = chains.get(label)!;
    setState(at.level);
    out.byte(BR).u32(depthOf(labelsOf.get(at.chain)!.dispatch));
  };
  const treeOpener = (count: number, base: number, shift: number) => {
    for (let k = 0; k < count; k++) block(BLOCK, ANONYMOUS);
    out.byte(LOCAL_GET).u32(state);
    if (base !== 0) out.byte(I32_CONST).s32(base).byte(I32_SUB);
    if (shift !== 0) out.byte(I32_CONST).s32(shift).byte(I32_SHR_U);
    out.byte(BR_TABLE).u32(count);
    for (let k = 0; k < count; k++) out.u32(k);
    out.u32(count - 1);
  };
  const writeTokens = (tokens: Token[]) => {
    for (const token of tokens) {
      if (token === "end") end();
      else treeOpener(...token.open);
    }
  };

  for (const ins of body.instructions) {
    const at = ins.label >= 0 ? chains.get(ins.label) : undefined;
    const size = at?.chain.labels.length ?? 0;
    if (ins.op === BLOCK && at) {
      if (at.level === size) {
        const bits = bitsFor(size);
        const labels: ChainLabels = { exit: nextLabel++, dispatch: nextLabel++, bits, before: segmentTokens(size, bits) };
        labelsOf.set(at.chain, labels);
        setState(0);
        block(BLOCK, labels.exit);
        block(LOOP, labels.dispatch);
        writeTokens(labels.before[0]);
      }
    } else if (ins.op === END && at) {
      if (at.level === size) {
        end();
        end();
      } else {
        const labels = labelsOf.get(at.chain)!;
        if (at.level % 2 ** labels.bits === 0) setState(at.level);
        writeTokens(labels.before[at.level]);
      }
    } else if (ins.op === BR || ins.op === BR_IF || ins.op === BR_TABLE) {
      branch(ins.op, ins.targets!);
    } else {
      out.bytes(bytes.subarray(ins.start, ins.end));
      if (ins.op === BLOCK || ins.op === LOOP || ins.op === IF) open.push(ins.label);
      else if (ins.op === END) {
        if (open.pop() !== ins.label) throw new Error(`end of label ${ins.label} out of order`);
      }
    }
  }
  return out.view().slice();

  function branch(op: number, targets: number[]): void {
    const plain = targets.map(plainTarget);
    if (plain.every((label) => label !== null)) {
      out.byte(op);
      if (op === BR_TABLE) out.u32(targets.length - 1);
      for (const label of plain) out.u32(depthOf(label!));
    } else if (op === BR) jumpTo(targets[0]);
    else if (op === BR_IF) {
      block(IF, ANONYMOUS);
      jumpTo(targets[0]);
      end();
    } else if (!directTable(targets)) {
      out.byte(LOCAL_SET).u32(state);
      const visitor: JumpTreeVisitor = { open: treeOpener, end, place: (entry) => jumpTo(targets[entry]) };
      walkJumpTree(targets.length, bitsFor(targets.length), visitor);
    }
  }

  /**
   * A br_table whose entries 0 … n-1 name B_{c}, B_{c+1} … B_{c+n-1} of one
   * chain, and its default anything: `state = index + c`, then one jump tree
   * (the dispatch's), not one on the index first. False (nothing written)
   * for any other br_table.
   */
  function directTable(targets: number[]): boolean {
    const entries = targets.slice(0, -1);
    const first = entries.length > 0 ? chains.get(entries[0]) : undefined;
    if (!first || plainTarget(entries[0]) !== null) return false;
    const c = first.level;
    const inOrder = entries.every((label, i) => {
      const at = chains.get(label);
      return at !== undefined && at.chain === first.chain && at.level === c + i && at.level < at.chain.labels.length;
    });
    if (!inOrder) return false;
    out.byte(LOCAL_TEE).u32(state).byte(I32_CONST).s32(entries.length).byte(I32_GE_U);
    block(IF, ANONYMOUS);
    jumpTo(targets[targets.length - 1]);
    end();
    if (c !== 0) out.byte(LOCAL_GET).u32(state).byte(I32_CONST).s32(c).byte(I32_ADD).byte(LOCAL_SET).u32(state);
    out.byte(BR).u32(depthOf(labelsOf.get(first.chain)!.dispatch));
    return true;
  }
}

/** The tokens of a chain's jump tree over its K segments (`bits` per level), cut at each segment. */
function segmentTokens(count: number, bits: number): Token[][] {
  const before: Token[][] = [[]];
  walkJumpTree(count, bits, {
    open: (children, base, shift) => before[before.length - 1].push({ open: [children, base, shift] }),
    end: () => before[before.length - 1].push("end"),
    place: () => before.push([]),
  });
  before.pop(); // nothing follows the last segment's place
  return before;
}
