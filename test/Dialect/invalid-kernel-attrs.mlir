// RUN: ssmc-opt %s --split-input-file --verify-diagnostics

// Test: an ssm.* attribute the dialect does not declare.
// expected-error @+1 {{has unknown attribute 'ssm.kernel_parallel'}}
func.func @unknown() attributes {ssm.kernel_parallel = "rows"} {
  return
}

// -----

// Test: one buffer per result.
func.func @buffers_count(%x: tensor<?x?x8xf32>) {
  // expected-error @+1 {{attribute 'ssm.buffers' has 2 entries for 1 results}}
  %y = ssm.silu %x {ssm.buffers = array<i64: 0, 1>, ssm.columns = array<i64: 0, 0>} : tensor<?x?x8xf32>
  return
}

// -----

// Test: buffers are -1 (none) or an index.
func.func @buffers_range(%x: tensor<?x?x8xf32>) {
  // expected-error @+1 {{attribute 'ssm.buffers' has entry -2 (buffers are >= -1)}}
  %y = ssm.silu %x {ssm.buffers = array<i64: -2>, ssm.columns = array<i64: 0>} : tensor<?x?x8xf32>
  return
}

// -----

// Test: a buffer without a column.
func.func @buffers_alone(%x: tensor<?x?x8xf32>) {
  // expected-error @+1 {{has 'ssm.buffers' without 'ssm.columns'}}
  %y = ssm.silu %x {ssm.buffers = array<i64: 0>} : tensor<?x?x8xf32>
  return
}

// -----

// Test: ssm.once is a unit attribute on ssm ops.
func.func @once_type(%x: tensor<8xf32>) {
  // expected-error @+1 {{attribute 'ssm.once' must be a unit attribute}}
  %y = ssm.exp %x {ssm.once = 1 : i64} : tensor<8xf32>
  return
}

// -----

// Test: a kernel name is a non-empty string.
func.func @kernel_empty(%x: tensor<?x?x8xf32>) {
  // expected-error @+1 {{attribute 'ssm.kernel' names no kernel}}
  %y = ssm.silu %x {ssm.kernel = ""} : tensor<?x?x8xf32>
  return
}

// -----

// Test: tile parameters are positive integers.
func.func @tiles(%x: tensor<?x?x8xf32>) {
  // expected-error @+1 {{tile parameter 'THREADS' must be a positive integer}}
  %y = ssm.silu %x {ssm.cuda_tiles = {THREADS = 0 : i64}} : tensor<?x?x8xf32>
  return
}

// -----

// Test: the CPU kernel spec belongs on a function.
func.func @spec_place(%x: tensor<?x?x8xf32>) {
  // expected-error @+1 {{attribute 'ssm.cpu_kernel' belongs on a kernel function}}
  %y = ssm.silu %x {ssm.cpu_kernel = #ssm.cpu_kernel<parallel = rows, blocks = 1, phases = 1, workspace = 0>} : tensor<?x?x8xf32>
  return
}

// -----

// Test: phases are 1 to 16.
// expected-error @+1 {{'phases' must be in [1, 16], got 17}}
func.func @spec_phases() attributes {ssm.cpu_kernel = #ssm.cpu_kernel<parallel = rows, blocks = 1, phases = 17, workspace = 0>} {
  return
}

// -----

// Test: the vector width is 4, 8 or 16 lanes.
// expected-error @+1 {{attribute 'ssm.cpu_vector_width' must be 4, 8 or 16, got 3}}
module attributes {ssm.cpu_vector_width = 3 : i64} {
}

// -----

// Test: buffer widths are positive.
// expected-error @+1 {{attribute 'ssm.buffer_widths' has width 0 (widths are positive)}}
func.func @widths() attributes {ssm.buffer_widths = array<i64: 8, 0>} {
  return
}

// -----

// Test: inputs are the tokens or the sequence lengths.
// expected-error @+1 {{attribute 'ssm.input' must be "tokens" or "seq_lens"}}
func.func @input(%x: tensor<?x?xi32> {ssm.input = "ids"}) {
  return
}

// -----

// Test: a state argument names its slot.
// expected-error @+1 {{attribute 'ssm.state' must name a state slot}}
func.func @state(%x: tensor<?x3x8xf32> {ssm.state = ""}) {
  return
}

// -----

// Test: ssm.output marks the logits.
// expected-error @+1 {{attribute 'ssm.output' must be "logits"}}
func.func @output(%x: tensor<?x?x8xf32>) -> (tensor<?x?x8xf32> {ssm.output = "hidden"}) {
  return %x : tensor<?x?x8xf32>
}

// -----

// Test: argument attributes do not go on ops.
func.func @state_on_op(%x: tensor<?x?x8xf32>) {
  // expected-error @+1 {{attribute 'ssm.state' belongs on function arguments or results}}
  %y = ssm.silu %x {ssm.state = "s"} : tensor<?x?x8xf32>
  return
}

// -----

// Test: chunks per thread are 1 to 64.
// expected-error @+1 {{'chunks_per_thread' must be in [1, 64], got 65}}
func.func @spec_chunks() attributes {ssm.cpu_kernel = #ssm.cpu_kernel<parallel = rows, blocks = 1, phases = 1, workspace = 0, chunks_per_thread = 65>} {
  return
}

// -----

// Test: CPU tiles name the CPU kernels' parameters, each in its range.
func.func @cpu_tiles_width(%x: tensor<?x?x8xf32>) {
  // expected-error @+1 {{CPU tile 'vector_width' must be 4, 8 or 16}}
  %y = ssm.silu %x {ssm.cpu_tiles = {vector_width = 32 : i64}} : tensor<?x?x8xf32>
  return
}

// -----

func.func @cpu_tiles_chunks(%x: tensor<?x?x8xf32>) {
  // expected-error @+1 {{CPU tile 'chunks_per_thread' must be in [1, 64]}}
  %y = ssm.silu %x {ssm.cpu_tiles = {chunks_per_thread = 0 : i64}} : tensor<?x?x8xf32>
  return
}

// -----

func.func @cpu_tiles_unknown(%x: tensor<?x?x8xf32>) {
  // expected-error @+1 {{has unknown CPU tile 'THREADS' (vector_width, chunks_per_thread, chunk)}}
  %y = ssm.silu %x {ssm.cpu_tiles = {THREADS = 4 : i64}} : tensor<?x?x8xf32>
  return
}

// -----

func.func @cpu_tiles_ssd_chunk(%x: tensor<?x?x8xf32>) {
  // expected-error @+1 {{CPU tile 'chunk' must be a multiple of 16 in [16, 256]}}
  %y = ssm.silu %x {ssm.cpu_tiles = {chunk = 24 : i64}} : tensor<?x?x8xf32>
  return
}

// -----

// Test: CPU tiles belong on ssm ops.
// expected-error @+1 {{attribute 'ssm.cpu_tiles' belongs on ssm ops}}
func.func @cpu_tiles_place() attributes {ssm.cpu_tiles = {vector_width = 8 : i64}} {
  return
}
