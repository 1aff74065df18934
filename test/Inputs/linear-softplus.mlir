// softplus(x · Wᵀ) · s: a matrix product, a unary kernel and a binary
// kernel with a weight vector, for ssmc run-op.
func.func @chain(%x: tensor<?x?x12xf32>, %w: tensor<20x12xf32>, %s: tensor<20xf32>)
    -> tensor<?x?x20xf32> {
  %y = ssm.linear %x, %w : (tensor<?x?x12xf32>, tensor<20x12xf32>) -> tensor<?x?x20xf32>
  %p = ssm.softplus %y : tensor<?x?x20xf32>
  %m = ssm.mul %p, %s : tensor<?x?x20xf32>, tensor<20xf32> -> tensor<?x?x20xf32>
  return %m : tensor<?x?x20xf32>
}
