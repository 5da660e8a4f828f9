;; Two functions (one per part when split one function per part) that both
;; use passive data segment 0: each part would have its own copy, so a drop in
;; one would not be seen by the other. The splitter refuses it.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data $shared "bytes")
  (func $fill (memory.init $shared (i32.const 0) (i32.const 0) (i32.const 5)))
  (func (export "_start") (call $fill) (data.drop $shared)))
