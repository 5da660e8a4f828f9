;; Refused: a 64-bit memory.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") i64 1)
  (func (export "_start")
    (call $proc_exit (i32.load (i64.const 0)))))
