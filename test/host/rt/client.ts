// The Node side of the harness's rt part (rt/harness.ts): the boot arena
// behind the kernel runtime, started afresh per test, its state as numbers,
// and the runtime's record of an exhausted request.

import { HarnessClass, HEAP_END, Ptr } from "../core/client";

export interface RuntimeExports {
  arenaInit(from: number, to: number): void;
  runtimeHeapInit(from: number, to: number): void;
  arenaTake(size: number): number;
  arenaRelease(at: number, size: number): void;
  arenaExtend(more: number): number;
  arenaContains(address: number): number;
  arenaSetEnd(end: number): void;
  arenaStart(): number;
  arenaTop(): number;
  arenaEnd(): number;
  arenaInUse(): number;
  arenaStranded(): number;
  arenaHighWater(): number;
  runtimeFailedRequest(): number;
  rtString(length: number): Ptr;
  rtConcat(a: Ptr, b: Ptr): Ptr;
  rtBuffer(bytes: number): Ptr;
  rtArray(length: number): Ptr;
  rtPushed(count: number): Ptr;
  rtArrayData(array: Ptr): number;
  rtArrayLength(array: Ptr): number;
  rtFree(object: Ptr): void;
  rtFreeArray(array: Ptr): void;
}

/** Adds the arena's reset and state and the runtime's failed request to a harness class. */
export function withRuntime<Base extends HarnessClass>(superclass: Base) {
  return class RuntimeMethods extends superclass {
    /**
     * Starts the runtime's arena afresh over [heapStart, HEAP_END): everything
     * allocated so far is gone. Only before initMemory: afterwards the runtime
     * allocates with malloc for good.
     */
    resetArena(): void {
      if (this.exports.mmReady()) throw new Error("resetArena after initMemory: the runtime no longer uses the arena");
      this.exports.runtimeHeapInit(this.heapStart, HEAP_END);
    }

    /** The runtime's record of the request that found memory exhausted (0 if none did). */
    failedRequest(): number {
      return this.exports.runtimeFailedRequest() >>> 0;
    }

    arena() {
      const e = this.exports;
      return {
        start: e.arenaStart() >>> 0,
        top: e.arenaTop() >>> 0,
        end: e.arenaEnd() >>> 0,
        inUse: e.arenaInUse() >>> 0,
        stranded: e.arenaStranded() >>> 0,
        highWater: e.arenaHighWater() >>> 0,
      };
    }
  };
}
