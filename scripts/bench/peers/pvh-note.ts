// Does an ELF kernel carry a PVH entry point? QEMU boots an ELF with -kernel
// through PVH when one of its PT_NOTE segments holds a Xen note of type 18
// (XEN_ELFNOTE_PHYS32_ENTRY): the 32-bit physical address to jump to. The
// empty kernel (scripts/bench/empty/x86_64.S) and Wisp carry the same note.
//
// Each note: u32 namesz, u32 descsz, u32 type, the name (namesz bytes with
// its NUL) padded to 4, the descriptor padded to 4.

import { hex } from "./bzimage";

const PT_NOTE = 4;
const XEN_ELFNOTE_PHYS32_ENTRY = 18;
const PHDR_BYTES = 56;

interface Note {
  name: string;
  type: number;
  desc: Uint8Array;
}

const align4 = (value: number) => (value + 3) & ~3;

function notesIn(view: DataView, offset: number, size: number): Note[] {
  const notes: Note[] = [];
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let at = offset;
  while (at + 12 <= offset + size) {
    const nameBytes = view.getUint32(at, true);
    const descBytes = view.getUint32(at + 4, true);
    const type = view.getUint32(at + 8, true);
    const nameAt = at + 12;
    const descAt = nameAt + align4(nameBytes);
    if (descAt + descBytes > offset + size) break;
    const name = Buffer.from(bytes.subarray(nameAt, nameAt + nameBytes)).toString("latin1").replace(/\0+$/, "");
    notes.push({ name, type, desc: bytes.subarray(descAt, descAt + descBytes) });
    at = descAt + align4(descBytes);
  }
  return notes;
}

/** The PVH entry address of a little-endian ELF64 kernel; any other file is an error saying what was found. */
export function pvhEntry(elf: Uint8Array): number {
  if (elf.length < 64 || elf[0] !== 0x7f || elf[1] !== 0x45 || elf[2] !== 0x4c || elf[3] !== 0x46) {
    throw new Error(`the kernel is not an ELF file (it starts ${hex(elf.subarray(0, 4))})`);
  }
  if (elf[4] !== 2 || elf[5] !== 1) throw new Error(`the kernel is not a little-endian ELF64 file (class ${elf[4]}, data ${elf[5]})`);
  const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const phoff = Number(view.getBigUint64(0x20, true));
  const phnum = view.getUint16(0x38, true);
  const found: string[] = [];
  let noteSegments = 0;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * PHDR_BYTES;
    if (at + PHDR_BYTES > elf.length || view.getUint32(at, true) !== PT_NOTE) continue;
    noteSegments++;
    const offset = Number(view.getBigUint64(at + 8, true));
    const size = Number(view.getBigUint64(at + 32, true));
    for (const note of notesIn(view, offset, Math.min(size, elf.length - offset))) {
      if (note.name === "Xen" && note.type === XEN_ELFNOTE_PHYS32_ENTRY && note.desc.length >= 4) {
        return new DataView(note.desc.buffer, note.desc.byteOffset, 4).getUint32(0, true);
      }
      found.push(`${note.name} ${note.type}`);
    }
  }
  if (noteSegments === 0) throw new Error(`the kernel ELF has no PT_NOTE segment (${phnum} program headers), so no PVH entry`);
  throw new Error(`the kernel ELF has no PVH note (Xen, type ${XEN_ELFNOTE_PHYS32_ENTRY}); its notes: ${found.join(", ") || "none"}`);
}
