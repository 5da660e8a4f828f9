// Keeping control flow shallow enough for wasm2c. wasm2c writes nested
// blocks by recursion, and npm's wasm2c (an emscripten build with a small
// fixed stack) dies with "memory access out of bounds" on a function that
// nests blocks somewhere between 200 and 250 deep (measured on generated
// switches: 200 compiles, 250 does not). A C switch of N cases compiles to
// N nested blocks, so parsers and interpreters reach that: yosys has
// functions 301 and 472 deep.
//
// A function nesting deeper than NESTING_LIMIT has its long chains of
// blocks (chains.ts) rewritten into jump trees (rewrite.ts, jump-tree.ts)
// that do the same in at most a few dozen levels. What cannot be rewritten
// (deep loops or ifs) is refused before wasm2c, naming the function.
//
//   limitNesting(bytes, types)  → { bytes, functions }   bytes unchanged when nothing is deep

import { ByteReader, ByteWriter } from "../split/bytes";
import { readSplitModule } from "../split/module";
import { AppRefusedError } from "../validate";
import type { FuncType } from "../wasm-module";
import { decodeBody, nestingDepth } from "./body";
import { findChains } from "./chains";
import { FANOUT } from "./jump-tree";
import { rewriteBody } from "./rewrite";

/** Functions nesting deeper than this are rewritten, and must be within it afterwards. */
export const NESTING_LIMIT = 150;
/** Chains shorter than this are left alone: their jump tree would be about as deep. */
const MIN_CHAIN = 2 * FANOUT;
const CODE_SECTION = 10;

export interface RewrittenFunction {
  /** Its index in the function index space (imports first). */
  index: number;
  depthBefore: number;
  depthAfter: number;
}

export interface LimitedModule {
  bytes: Uint8Array;
  functions: RewrittenFunction[];
}

/** `types`: the module's function types (validate.ts read them), for the index of the local the rewrite adds. */
export function limitNesting(bytes: Uint8Array, types: FuncType[]): LimitedModule {
  const m = readSplitModule(bytes);
  const rewritten = new Map<number, Uint8Array>();
  const functions: RewrittenFunction[] = [];
  m.bodies.forEach((span, i) => {
    const depthBefore = nestingDepth(bytes, span.start, span.end);
    if (depthBefore <= NESTING_LIMIT) return;
    const index = m.importedFunctions + i;
    const body = decodeBody(bytes, span.start, span.end);
    const chains = findChains(body, MIN_CHAIN);
    const state = types[m.functionTypes[index]].params.length + body.localCount;
    let contents = chains.size === 0 ? bytes.subarray(span.start, span.end) : rewriteBody(bytes, body, chains, state);
    let depthAfter = nestingDepth(contents, 0, contents.length);
    if (depthAfter > NESTING_LIMIT && chains.size !== 0) {
      contents = rewriteBody(bytes, body, chains, state, true); // narrower trees: more levels, less depth
      depthAfter = nestingDepth(contents, 0, contents.length);
    }
    if (depthAfter > NESTING_LIMIT) {
      throw new AppRefusedError(
        `function ${index} nests blocks, loops and ifs ${depthAfter} deep${chains.size ? ` after its switch-like chains were flattened (from ${depthBefore})` : ""}; ` +
          `wasm2c takes at most ${NESTING_LIMIT}`,
      );
    }
    rewritten.set(i, contents);
    functions.push({ index, depthBefore, depthAfter });
  });
  if (rewritten.size === 0) return { bytes, functions };
  return { bytes: withBodies(m.bytes, m.bodies, rewritten), functions };
}

/** The module with the code section rewritten: `replaced` bodies by index, the others copied. */
function withBodies(bytes: Uint8Array, bodies: { start: number; end: number }[], replaced: Map<number, Uint8Array>): Uint8Array {
  const out = new ByteWriter().bytes(bytes.subarray(0, 8));
  const top = new ByteReader(bytes, 8);
  while (!top.done) {
    const start = top.offset;
    const id = top.byte();
    top.skip(top.u32());
    if (id !== CODE_SECTION) {
      out.bytes(bytes.subarray(start, top.offset));
      continue;
    }
    const code = new ByteWriter().u32(bodies.length);
    bodies.forEach((span, i) => {
      const contents = replaced.get(i) ?? bytes.subarray(span.start, span.end);
      code.u32(contents.length).bytes(contents);
    });
    out.section(CODE_SECTION, code);
  }
  return out.view().slice();
}
