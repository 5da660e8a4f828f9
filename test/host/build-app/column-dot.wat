;; A matrix multiply's inner loop: a dot product of a row (stride 8) and a
;; column (stride 8n) of f64s. build-app must compile it to two loads per
;; step from a base loaded once (scripts/app/memory-access.ts).
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func $dot (export "dot") (param $a i32) (param $b i32) (param $n i32) (result f64)
    (local $i i32) (local $sum f64)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $sum (f64.add (local.get $sum)
        (f64.mul (f64.load (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 3))))
                 (f64.load (i32.add (local.get $b) (i32.mul (local.get $i) (i32.shl (local.get $n) (i32.const 3))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $sum))
  (func (export "_start")
    (if (f64.ne (call $dot (i32.const 0) (i32.const 64) (i32.const 4)) (f64.const 0)) (then (call $exit (i32.const 1))))))
