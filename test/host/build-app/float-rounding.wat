;; Every float operation wasm2c may leave to a library call: rounding, min/max,
;; sqrt, copysign, conversions. Which of them stay calls after clang -O2 is
;; what loader/native/runtime.list lists.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func $f64ops (param $x f64) (param $y f64) (result f64)
    (f64.add
      (f64.add (f64.add (f64.floor (local.get $x)) (f64.ceil (local.get $x)))
               (f64.add (f64.trunc (local.get $x)) (f64.nearest (local.get $x))))
      (f64.add (f64.add (f64.min (local.get $x) (local.get $y)) (f64.max (local.get $x) (local.get $y)))
               (f64.add (f64.sqrt (local.get $x)) (f64.copysign (local.get $x) (local.get $y))))))
  (func $f32ops (param $x f32) (param $y f32) (result f32)
    (f32.add
      (f32.add (f32.add (f32.floor (local.get $x)) (f32.ceil (local.get $x)))
               (f32.add (f32.trunc (local.get $x)) (f32.nearest (local.get $x))))
      (f32.add (f32.add (f32.min (local.get $x) (local.get $y)) (f32.max (local.get $x) (local.get $y)))
               (f32.add (f32.sqrt (local.get $x)) (f32.copysign (local.get $x) (local.get $y))))))
  (func $conversions (param $x f64) (result i64)
    (i64.add
      (i64.add (i64.trunc_f64_s (local.get $x)) (i64.trunc_f64_u (local.get $x)))
      (i64.add (i64.extend_i32_u (i32.trunc_f32_u (f32.demote_f64 (local.get $x))))
               (i64.reinterpret_f64 (f64.convert_i64_u (i64.reinterpret_f64 (local.get $x)))))))
  (func (export "_start")
    ;; Operands from memory, results to memory: nothing folds away.
    (f64.store (i32.const 0) (call $f64ops (f64.load (i32.const 8)) (f64.load (i32.const 16))))
    (f32.store (i32.const 24) (call $f32ops (f32.load (i32.const 28)) (f32.load (i32.const 32))))
    (i64.store (i32.const 40) (call $conversions (f64.load (i32.const 48))))
    (call $proc_exit (i32.const 0))))
