// The example filesystem's files, shared by its two forms: built into the
// kernel (hello.ts, the VFS walk-through of fs/README.md) and as a loadable
// module (module.ts, the walk-through of docs/modules.md). Plain constants,
// so the module needs nothing of the kernel.

/** The files: names and contents (ASCII, one byte per character). */
export const NAMES: StaticArray<string> = ["hello.txt", "license.txt", "colors"];
export const CONTENTS: StaticArray<string> = [
  "Hello from Wisp!\n",
  "This text is served by fs/example.\n",
  "red\ngreen\nblue\n",
];
