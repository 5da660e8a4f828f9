// The boot info the harness parsed last (bootParsePvh or bootParseFdt), shared
// by the boot part, which sets it, and the mm part, whose mmInit runs
// initMemory over it. Kept apart so that the harness entry does not export
// it: AssemblyScript lets an importing module assign this global.

import { BootInfo } from "../../../kernel/boot/bootinfo";

export let info: BootInfo | null = null;
/** What the last parse returned: 0 or -errno (its detail in kernel/failure.ts). */
export let parsed: i32 = 0;
