// Where the splitter cuts: contiguous ranges of function bodies, each at most
// `maxCodeBytes` of code (a single larger function gets a part of its own),
// and what each range refers to, found by walking its bodies once.

import { ByteReader } from "./bytes";
import { walkBody } from "./instructions";
import type { Span, SplitModule } from "./module";

/** Defined functions [first, end) (0 = the first defined function, after the imports). */
export interface PartRange {
  first: number;
  end: number;
  codeBytes: number;
}

/** What one part's code names: function indices (of the whole module), and data and element segments. */
export interface PartUses {
  functions: Set<number>;
  /** Functions named by ref.func: a part must declare them (an element segment) to validate. */
  references: Set<number>;
  data: Set<number>;
  elements: Set<number>;
}

export function planParts(bodies: Span[], maxCodeBytes: number): PartRange[] {
  const parts: PartRange[] = [];
  let current: PartRange = { first: 0, end: 0, codeBytes: 0 };
  bodies.forEach((body, i) => {
    const size = body.end - body.start;
    if (current.end > current.first && current.codeBytes + size > maxCodeBytes) {
      parts.push(current);
      current = { first: i, end: i, codeBytes: 0 };
    }
    current.end = i + 1;
    current.codeBytes += size;
  });
  parts.push(current);
  return parts;
}

const REF_FUNC = 0xd2;

export function usesOf(m: SplitModule, range: PartRange): PartUses {
  const uses: PartUses = { functions: new Set(), references: new Set(), data: new Set(), elements: new Set() };
  for (let i = range.first; i < range.end; i++) {
    const body = m.bodies[i];
    const r = new ByteReader(m.bytes, body.start, body.end);
    walkBody(r, {
      func(index, start) {
        uses.functions.add(index);
        if (m.bytes[start - 1] === REF_FUNC) uses.references.add(index);
      },
      data: (index) => uses.data.add(index),
      element: (index) => uses.elements.add(index),
    });
  }
  return uses;
}
