// RUN: ssmc-opt %s --pass-pipeline='builtin.module(func.func(ssm-approximate-math))' | FileCheck %s

// Test: vector exponentials and log1p become straight-line polynomial code
// (no libm calls per lane); the rest of the kernel is untouched.
// CHECK-LABEL: func.func @kernel
// CHECK-NOT: math.exp
// CHECK-NOT: math.log1p
// CHECK: math.fma
// CHECK: arith.addf
// CHECK: return
func.func @kernel(%x: vector<8xf32>) -> vector<8xf32> {
  %e = math.exp %x : vector<8xf32>
  %l = math.log1p %e : vector<8xf32>
  %s = arith.addf %l, %x : vector<8xf32>
  return %s : vector<8xf32>
}
