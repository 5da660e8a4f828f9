// asc transform: compile the kernel without a GC shadow stack.
//
// asc gives any custom runtime (--runtime <path>) a 32 KiB shadow stack and
// spills every managed reference into it, which only a tracing collector
// needs. The kernel's runtime never collects (ownership is explicit, see
// kernel/rt/index.ts), so the stack is switched off before code generation:
// both the option and the module flag that the option set at start-up.
export default class NoShadowStack {
  afterInitialize(program) {
    program.options.stackSize = 0;
    program.module.useShadowStack = false;
  }
}
