;; Refused: an imported global.
(module
  (import "wasi_snapshot_preview1" "base" (global $base i32))
  (memory (export "memory") 1)
  (func (export "_start") (i32.store (i32.const 0) (global.get $base))))
