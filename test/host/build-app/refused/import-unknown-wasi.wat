;; Refused: a wasi_snapshot_preview1 name that is not a preview 1 function.
(module
  (import "wasi_snapshot_preview1" "thread_spawn" (func $spawn (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $spawn (i32.const 0)))))
