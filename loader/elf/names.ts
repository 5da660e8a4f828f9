// Function names for addresses in a loaded module, for trap reports.
//
// The symbol table is .symtab when the module has one and its file stays
// valid (loaded in place): it names every function, static ones included.
// Otherwise it is the dynamic symbol table, read in the mapped module
// through each page's physical alias (translate), since a copied segment's
// frames are not contiguous. Both were bounds-checked at load time, and both
// string tables end with a NUL.

import { translate, NOT_MAPPED } from "../../kernel/mm/paging/index";
import { SYMBOL_BYTES, STT_FUNC, SHN_UNDEF, SHN_ABS } from "./layout";
import { AppModule } from "./module";

const NAME_MAX: usize = 512;
const nameBuffer = memory.data(<i32>NAME_MAX);

/** Reads the byte at `address`: a kernel address when `inFile`, else a module address (0 if unmapped). */
function byteAt(inFile: bool, address: u64): u8 {
  if (inFile) return load<u8>(<usize>address);
  const physical = translate(address);
  return physical == NOT_MAPPED ? 0 : load<u8>(<usize>physical);
}

function u16At(inFile: bool, address: u64): u16 {
  return <u16>byteAt(inFile, address) | (<u16>byteAt(inFile, address + 1) << 8);
}

function u32At(inFile: bool, address: u64): u32 {
  return <u32>u16At(inFile, address) | (<u32>u16At(inFile, address + 2) << 16);
}

function u64At(inFile: bool, address: u64): u64 {
  return <u64>u32At(inFile, address) | (<u64>u32At(inFile, address + 4) << 32);
}

/** The name of the function whose code holds `address` (a module address), or "". */
export function nameOfFunctionAt(module: AppModule, address: u64): string {
  const inFile = module.symbolsInFile;
  for (let i: u64 = 1; i < module.symbolCount; i++) {
    const symbol = module.symbols + i * SYMBOL_BYTES;
    if ((byteAt(inFile, symbol + 4) & 0xf) != STT_FUNC) continue;
    const section = u16At(inFile, symbol + 6);
    if (section == SHN_UNDEF) continue;
    const start = u64At(inFile, symbol + 8) + (section == SHN_ABS ? 0 : module.base);
    const size = u64At(inFile, symbol + 16);
    if (address < start || address - start >= size) continue;
    const name = <u64>u32At(inFile, symbol);
    if (name >= module.stringBytes) return "";
    return copyName(inFile, module.strings + name, module.stringBytes - name);
  }
  return "";
}

function copyName(inFile: bool, address: u64, limit: u64): string {
  let length: usize = 0;
  while (length < NAME_MAX && <u64>length < limit) {
    const byte = byteAt(inFile, address + <u64>length);
    if (byte == 0) break;
    store<u8>(nameBuffer + length, byte);
    length++;
  }
  return String.UTF8.decodeUnsafe(nameBuffer, length);
}
