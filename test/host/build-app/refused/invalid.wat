;; Refused: not valid wasm (a type error; wat2wasm --no-check writes it anyway).
(module
  (memory (export "memory") 1)
  (func (export "_start") (drop (i32.add (i32.const 1) (f32.const 2)))))
