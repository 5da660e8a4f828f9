;; Refused: threads (a shared memory and an atomic add).
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1 1 shared)
  (func (export "_start")
    (call $proc_exit (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))))
