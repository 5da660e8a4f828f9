;; Refused: a reactor (exports _initialize, no _start).
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_initialize"))
  (func (export "work") (result i32) (i32.const 42)))
