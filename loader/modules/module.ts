// One loaded filesystem module: its code (an ELF module mapped by elf/), its
// linear memory, the tables its runtime asked for, the transfer buffer the
// kernel passes bytes through, and whether a trap has broken it.

import { AppModule } from "../elf/index";
import { ModuleMemory } from "./memory";

export class FsModule {
  /** The filesystem type it serves (its file is /lib/modules/<name>.so). */
  name: string;
  code: AppModule = new AppModule();
  memory: ModuleMemory = new ModuleMemory();
  /** Kernel blocks its runtime allocated (funcref tables). */
  tables: usize[] = [];
  /** The transfer buffer in the module's memory (wisp_buffer), and its size. */
  buffer: u32 = 0;
  bufferBytes: u32 = 0;
  /** Set by the first trap or fault: every later call answers EIO. */
  broken: bool = false;
  calls: u64 = 0;
  mounts: u32 = 0;

  constructor(name: string) {
    this.name = name;
  }
}
