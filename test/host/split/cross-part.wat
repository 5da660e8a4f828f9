;; Every instruction that names a function, a global, a table or the memory,
;; each in its own function, so that split one function per part every one of
;; them crosses a part boundary; plus active, passive and declarative
;; segments, a start function, WASI imports, exports and multi-value. It
;; prints one number per check; the split tests compare that output between
;; the whole module and its parts (in Node and compiled).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1 16)
  (table $funcs 16 32 funcref)
  (table $externs 2 externref)
  (global $counter (mut i32) (i32.const 100))
  (global $wide (mut i64) (i64.const 0x1122334455667788))
  (global $chosen (mut funcref) (ref.func $triple))
  (global $half f64 (f64.const 2.5))
  (global (export "exported_counter") (mut i32) (i32.const 7))
  (type $unary (func (param i32) (result i32)))
  (type $binary (func (param i32) (result i32 i32)))
  (type $nothing (func))
  (elem (i32.const 0) $double $triple)
  (elem (table $funcs) (i32.const 2) func $pair)
  ;; Passive: copied into the part whose code uses it, which must own what it names (split/elements.ts).
  (elem $spare funcref (ref.null func) (ref.func $test_tables) (ref.null func))
  (elem declare func $ident)
  (data (i32.const 1024) "hello split\n")
  (data $later "passive bytes")
  (start $init)

  ;; print(v): v in decimal and a newline on stdout.
  (func $print (param $v i64) (local $at i32) (local $negative i32)
    (local.set $at (i32.const 3100))
    (i32.store8 (local.get $at) (i32.const 10))
    (local.set $negative (i64.lt_s (local.get $v) (i64.const 0)))
    (if (local.get $negative) (then (local.set $v (i64.sub (i64.const 0) (local.get $v)))))
    (loop $digits
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $digits (i64.ne (local.get $v) (i64.const 0))))
    (if (local.get $negative) (then
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at) (i32.const 45))))
    (i32.store (i32.const 2000) (local.get $at))
    (i32.store (i32.const 2004) (i32.sub (i32.const 3101) (local.get $at)))
    (drop (call $fd_write (i32.const 1) (i32.const 2000) (i32.const 1) (i32.const 2008))))

  (func $init
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (i32.store (i32.const 512) (i32.const 4242)))

  (func $double (type $unary) (i32.mul (local.get 0) (i32.const 2)))
  (func $triple (type $unary) (i32.mul (local.get 0) (i32.const 3)))
  (func $ident (type $unary) (local.get 0))
  (func $pair (type $binary) (local.get 0) (i32.add (local.get 0) (i32.const 1)))
  (func $sum3 (param i32 i64 f64) (result i64)
    (i64.add (i64.extend_i32_s (local.get 0)) (i64.add (local.get 1) (i64.trunc_sat_f64_s (local.get 2)))))

  (func $test_calls
    (call $print (i64.extend_i32_s (call $double (i32.const 21))))
    (call $print (call $sum3 (i32.const -5) (i64.const 10000000000) (f64.const 3.75)))
    (call $print (i64.extend_i32_s (call_indirect $funcs (type $unary) (i32.const 5) (i32.const 1))))
    (call_indirect $funcs (type $binary) (i32.const 8) (i32.const 2))
    (call $print (i64.extend_i32_s (i32.sub)))
    (i32.const 8)
    (block (param i32) (result i32 i32) (call $pair))
    (call $print (i64.extend_i32_s (i32.mul))))

  (func $test_refs (local $r funcref)
    (table.set $funcs (i32.const 3) (ref.func $ident))
    (call $print (i64.extend_i32_s (call_indirect $funcs (type $unary) (i32.const 99) (i32.const 3))))
    (local.set $r (global.get $chosen))
    (table.set $funcs (i32.const 4) (local.get $r))
    (call $print (i64.extend_i32_s (call_indirect $funcs (type $unary) (i32.const 4) (i32.const 4))))
    (global.set $chosen (table.get $funcs (i32.const 0)))
    (table.set $funcs (i32.const 5) (global.get $chosen))
    (call $print (i64.extend_i32_s (call_indirect $funcs (type $unary) (i32.const 50) (i32.const 5))))
    (call $print (i64.extend_i32_s (ref.is_null (table.get $funcs (i32.const 7)))))
    (table.set $externs (i32.const 1) (ref.null extern))
    (call $print (i64.extend_i32_s (ref.is_null (table.get $externs (i32.const 1))))))

  (func $test_tables (type $nothing)
    (call $print (i64.extend_i32_s (table.size $funcs)))
    ;; Wisp's tables never grow (a failed grow is legal wasm): only a grow past the maximum fails everywhere.
    (call $print (i64.extend_i32_s (table.grow $funcs (ref.func $double) (i32.const 100))))
    (table.fill $funcs (i32.const 10) (ref.func $double) (i32.const 1))
    (call $print (i64.extend_i32_s (call_indirect $funcs (type $unary) (i32.const 6) (i32.const 10))))
    (table.fill $funcs (i32.const 6) (ref.func $triple) (i32.const 2))
    (call $print (i64.extend_i32_s (call_indirect $funcs (type $unary) (i32.const 6) (i32.const 7))))
    (table.copy $funcs $funcs (i32.const 8) (i32.const 0) (i32.const 2))
    (call $print (i64.extend_i32_s (call_indirect $funcs (type $unary) (i32.const 7) (i32.const 9))))
    (table.set $funcs (i32.const 13) (ref.func $double))
    (table.init $funcs $spare (i32.const 11) (i32.const 0) (i32.const 3))
    (elem.drop $spare)
    (call $print (i64.extend_i32_s (ref.is_null (table.get $funcs (i32.const 12)))))
    (call $print (i64.extend_i32_s (ref.is_null (table.get $funcs (i32.const 13)))))
    (call $print (i64.extend_i32_s (table.size $funcs))))

  (func $test_globals
    (call $print (i64.extend_i32_s (global.get $counter)))
    (global.set $counter (i32.mul (global.get $counter) (i32.const 3)))
    (call $print (global.get $wide))
    (global.set $wide (i64.rotl (global.get $wide) (i64.const 8)))
    (call $print (i64.trunc_f64_s (f64.mul (global.get $half) (f64.const 4)))))

  (func $test_globals_again
    (call $print (i64.extend_i32_s (global.get $counter)))
    (call $print (global.get $wide))
    (call $print (i64.extend_i32_s (global.get 4))))

  (func $test_memory
    (call $print (i64.extend_i32_s (i32.load (i32.const 512))))
    (call $print (i64.load8_u (i32.const 1024)))
    (call $print (i64.extend_i32_s (memory.size)))
    (call $print (i64.extend_i32_s (memory.grow (i32.const 2))))
    (call $print (i64.extend_i32_s (memory.size)))
    (memory.fill (i32.const 70000) (i32.const 0x41) (i32.const 16))
    (memory.copy (i32.const 70004) (i32.const 1024) (i32.const 5))
    (call $print (i64.load (i32.const 70000)))
    (memory.init $later (i32.const 140000) (i32.const 8) (i32.const 5))
    (data.drop $later)
    (call $print (i64.load32_u (i32.const 140000)))
    (call $print (i64.extend_i32_s (i32.load8_s offset=4 (i32.const 140000)))))

  (func $print_greeting
    (i32.store (i32.const 2000) (i32.const 1024))
    (i32.store (i32.const 2004) (i32.const 12))
    (drop (call $fd_write (i32.const 1) (i32.const 2000) (i32.const 1) (i32.const 2008))))

  (func (export "_start")
    (call $print_greeting)
    (call $test_calls)
    (call $test_refs)
    (call $test_tables)
    (call $test_globals)
    (call $test_globals_again)
    (call $test_memory)
    (call $proc_exit (i32.const 3)))
)
