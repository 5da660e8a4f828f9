;; multi-value: a function with two results and a block with a parameter and two results.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func $divmod (param $a i32) (param $b i32) (result i32 i32)
    (i32.div_u (local.get $a) (local.get $b))
    (i32.rem_u (local.get $a) (local.get $b)))
  (func (export "_start")
    (call $divmod (i32.load (i32.const 0)) (i32.or (i32.load (i32.const 4)) (i32.const 1)))
    (block (param i32 i32) (result i32 i32))
    i32.add
    call $proc_exit))
