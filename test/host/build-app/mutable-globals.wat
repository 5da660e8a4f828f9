;; mutable-globals: an exported mutable global (imports of globals are refused).
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (global $counter (export "counter") (mut i32) (i32.const 41))
  (func (export "_start")
    (global.set $counter (i32.add (global.get $counter) (i32.load (i32.const 0))))
    (call $proc_exit (global.get $counter))))
