// Chains: runs of void blocks each opened first thing inside the one
// before, the shape a C switch compiles to (one block per case, a br_table
// in the innermost). Such a run of K blocks B_K (outermost) … B_1 reads
//
//   block B_K … block B_1   S_0   end B_1   S_1   end B_2   …   S_{K-1}   end B_K
//
// so it is K+1 pieces of straight-line code in order, the segments S_j,
// where `br B_j` means "go to the start of S_j" (j < K) and `br B_K` means
// "leave the chain". The rewriter (rewrite.ts) keeps the segments in their
// order and replaces the K nested blocks by a jump tree on a local.

import { BLOCK, DecodedBody } from "./body";

export interface Chain {
  /** Index of the instruction opening B_K. */
  first: number;
  /** The run's labels, innermost first: labels[j - 1] is B_j. */
  labels: number[];
}

export interface ChainLevel {
  chain: Chain;
  /** j: 1 for the innermost block, K for the outermost. */
  level: number;
}

/** The runs of at least `minimum` void blocks opened one inside the other, by each label in them. */
export function findChains(body: DecodedBody, minimum: number): Map<number, ChainLevel> {
  const levels = new Map<number, ChainLevel>();
  const { instructions, voidBlocks } = body;
  const isVoidBlock = (i: number) => i < instructions.length && instructions[i].op === BLOCK && voidBlocks.has(instructions[i].label);
  for (let i = 0; i < instructions.length; i++) {
    if (!isVoidBlock(i)) continue;
    let end = i;
    while (isVoidBlock(end)) end++;
    if (end - i >= minimum) {
      const chain: Chain = { first: i, labels: [] };
      for (let k = end - 1; k >= i; k--) chain.labels.push(instructions[k].label);
      chain.labels.forEach((label, j) => levels.set(label, { chain, level: j + 1 }));
    }
    i = end;
  }
  return levels;
}
