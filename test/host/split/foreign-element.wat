;; A passive element segment naming $other, used by code in another part
;; (when split one function per part): wasm2c would put $other in the table
;; with a wrong instance (split/elements.ts), so the splitter refuses it.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (table 1 funcref)
  (elem $later func $other)
  (func $other)
  (func (export "_start") (table.init $later (i32.const 0) (i32.const 0) (i32.const 1))))
