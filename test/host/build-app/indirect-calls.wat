;; A function table filled by an element segment and called indirectly. The
;; segment is long enough that clang keeps it as a table of pointers in the
;; .so, which RELR relocations fix up at load time.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (type $unary (func (param i32) (result i32)))
  (memory (export "memory") 1)
  (table 32 funcref)
  (elem (i32.const 0)
    $double $square $negate $increment $double $square $negate $increment
    $double $square $negate $increment $double $square $negate $increment
    $double $square $negate $increment $double $square $negate $increment
    $double $square $negate $increment $double $square $negate $increment)
  (func $double (type $unary) (i32.mul (local.get 0) (i32.const 2)))
  (func $square (type $unary) (i32.mul (local.get 0) (local.get 0)))
  (func $negate (type $unary) (i32.sub (i32.const 0) (local.get 0)))
  (func $increment (type $unary) (i32.add (local.get 0) (i32.const 1)))
  (data (i32.const 16) "indirect\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 9))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $proc_exit
      (call_indirect (type $unary) (i32.const 3) (i32.and (i32.load (i32.const 12)) (i32.const 31))))))
