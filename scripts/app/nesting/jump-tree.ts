// A jump on a value to one of `count` places, nested at most
// FANOUT blocks per level: the shape both rewrites use (rewrite.ts).
//
// A br_table must name its targets as enclosing blocks, so a jump to N
// places is N nested blocks deep. Here the places are grouped FANOUT at a
// time, and groups of groups, so each level's br_table chooses among at
// most FANOUT blocks by one slice of the value's bits:
//
//   block ×m                      ;; one per child, innermost is child 0
//     (value - base) >> shift     ;; which child
//     br_table 0 1 … m-1 (m-1)
//   end  child 0                  ;; a place (leaf), or the same shape again
//   end  child 1
//   …
//
// Code placed at a leaf that falls off its end runs into the next child's
// code: the next leaf of the same group, or the next group's br_table,
// which then needs the value set to that next place (rewrite.ts does).
// A value beyond the last place goes to the last one at every level.

export const FANOUT_BITS = 4;
export const FANOUT = 1 << FANOUT_BITS;

export interface JumpTreeVisitor {
  /** Open `count` blocks, then jump on (value - base) >> shift among them. */
  open(count: number, base: number, shift: number): void;
  /** Close the innermost open block: the code of its child follows. */
  end(): void;
  /** The place `index` starts here. */
  place(index: number): void;
}

/** Walks the jump tree over places 0 … count-1, in the order its code is written. */
export function walkJumpTree(count: number, visitor: JumpTreeVisitor): void {
  let shift = 0;
  while (count > FANOUT << shift) shift += FANOUT_BITS;
  node(0, count, shift, visitor);
}

function node(base: number, limit: number, shift: number, visitor: JumpTreeVisitor): void {
  const children = Math.ceil((limit - base) / 2 ** shift);
  visitor.open(children, base, shift);
  for (let k = 0; k < children; k++) {
    visitor.end();
    const first = base + k * 2 ** shift;
    if (shift === 0) visitor.place(first);
    else node(first, Math.min(limit, first + 2 ** shift), shift - FANOUT_BITS, visitor);
  }
}
