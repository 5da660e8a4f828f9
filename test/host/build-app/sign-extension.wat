;; sign-extension: the five extendN_s operators.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i64.store (i32.const 0)
      (i64.add
        (i64.add (i64.extend8_s (i64.load (i32.const 8))) (i64.extend16_s (i64.load (i32.const 16))))
        (i64.add (i64.extend32_s (i64.load (i32.const 24)))
                 (i64.extend_i32_s (i32.add (i32.extend8_s (i32.load (i32.const 32)))
                                            (i32.extend16_s (i32.load (i32.const 36))))))))
    (call $proc_exit (i32.const 0))))
