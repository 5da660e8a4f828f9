// ld.lld's link map (-Map), read back: every output section with the input
// sections placed in it, their sizes and the symbols they define.
//
//              VMA              LMA     Size Align Out     In      Symbol
//           111000           111000    32018    16 .text
//           11116a           11116a      287     1         kernel.o:(.text.w2c_kernel_f)
//           11116a           11116a      287     1                 w2c_kernel_f
//           143018           143018      fe8     1 . = ALIGN ( 4096 )
//
// The column a line's text starts at says what it is: 1 space after Align
// an output section (or a linker assignment), 9 an input section (or an
// assignment inside a section), 17 a symbol.

export interface InputSection {
  /** The object file's path, or "<internal>" for what the linker made (merged strings). */
  object: string;
  /** The section's name in the object (".text.w2c_kernel_f"). */
  section: string;
  address: number;
  size: number;
}

export interface OutputSection {
  name: string;
  address: number;
  size: number;
  inputs: InputSection[];
}

const LINE = /^\s*([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+(\d+)( +)(.*)$/;
const INPUT = /^(.*):\((.*)\)$/;
const OUTPUT_INDENT = 1;
const INPUT_INDENT = 9;
const SYMBOL_INDENT = 17;

/** The output sections of a link map, with their input sections (assignments and symbols left out). */
export function readLinkMap(text: string): OutputSection[] {
  const outputs: OutputSection[] = [];
  let current: OutputSection | null = null;
  for (const line of text.split("\n")) {
    const match = LINE.exec(line);
    if (match === null) continue;
    const [, vma, , size, , indent, rest] = match;
    const assignment = rest.includes(" = ");
    if (indent.length === OUTPUT_INDENT) {
      current = assignment ? null : { name: rest.trim(), address: parseInt(vma, 16), size: parseInt(size, 16), inputs: [] };
      if (current !== null) outputs.push(current);
    } else if (indent.length === INPUT_INDENT && current !== null && !assignment) {
      const input = INPUT.exec(rest.trim());
      if (input === null) throw new Error(`link map: an input section line I cannot read: ${line.trim()}`);
      current.inputs.push({ object: input[1], section: input[2], address: parseInt(vma, 16), size: parseInt(size, 16) });
    }
  }
  return outputs;
}

/** A symbol the map lists, with the output section it lies in. */
export interface MapSymbol {
  name: string;
  address: number;
  /** The output section (".text"). */
  section: string;
}

/** The symbols of a link map, in map order (each under its output section). */
export function readLinkMapSymbols(text: string): MapSymbol[] {
  const symbols: MapSymbol[] = [];
  let section: string | null = null;
  for (const line of text.split("\n")) {
    const match = LINE.exec(line);
    if (match === null) continue;
    const [, vma, , , , indent, rest] = match;
    if (indent.length === OUTPUT_INDENT) section = rest.includes(" = ") ? null : rest.trim();
    else if (indent.length === SYMBOL_INDENT && section !== null && !rest.includes(" = ")) symbols.push({ name: rest.trim(), address: parseInt(vma, 16), section });
  }
  return symbols;
}
