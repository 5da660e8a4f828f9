;; bulk-memory: memory.fill, memory.copy, memory.init and data.drop on a passive segment.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data $greeting "bulk memory")
  (func (export "_start")
    (memory.fill (i32.const 0) (i32.const 0x2a) (i32.load (i32.const 4096)))
    (memory.init $greeting (i32.const 100) (i32.const 0) (i32.const 11))
    (data.drop $greeting)
    (memory.copy (i32.const 200) (i32.const 100) (i32.load (i32.const 4100)))
    (call $proc_exit (i32.load8_u (i32.const 200)))))
