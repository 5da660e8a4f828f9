;; Refused: SIMD (a v128 add).
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (v128.store (i32.const 0) (i32x4.add (v128.load (i32.const 16)) (v128.load (i32.const 32))))
    (call $proc_exit (i32.const 0))))
