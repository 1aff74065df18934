// One fused selective scan (d_inner 40, d_state 5, skip, gate, bias,
// softplus, an initial state), for ssmc run-op tests.
func.func @scan(%u: tensor<?x?x40xf32>, %dt: tensor<?x?x40xf32>, %A: tensor<40x5xf32>,
                %B: tensor<?x?x5xf32>, %C: tensor<?x?x5xf32>, %D: tensor<40xf32>,
                %z: tensor<?x?x40xf32>, %db: tensor<40xf32>, %h0: tensor<?x40x5xf32>)
    -> (tensor<?x?x40xf32>, tensor<?x40x5xf32>) {
  %y, %h = ssm.selective_scan %u, %dt, %A, %B, %C D %D z %z delta_bias %db state %h0 {delta_softplus} : (tensor<?x?x40xf32>, tensor<?x?x40xf32>, tensor<40x5xf32>, tensor<?x?x5xf32>, tensor<?x?x5xf32>, tensor<40xf32>, tensor<?x?x40xf32>, tensor<40xf32>, tensor<?x40x5xf32>) -> (tensor<?x?x40xf32>, tensor<?x40x5xf32>)
  return %y, %h : tensor<?x?x40xf32>, tensor<?x40x5xf32>
}
