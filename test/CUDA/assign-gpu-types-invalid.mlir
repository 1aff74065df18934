// RUN: ssmc-opt %s --verify-diagnostics --pass-pipeline='builtin.module(func.func(ssm-assign-gpu-types{dtype=fp8}))'

// expected-error @+1 {{unknown GPU dtype 'fp8' (bf16, fp16 or fp32)}}
func.func @forward(%x: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  return %x : tensor<?x?x8xf32>
}
