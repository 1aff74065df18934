//===- OpTable.cpp - signatures of the language's built-in ops ------------===//
#include "frontend/OpTable.h"

using namespace ssmc::fe;

namespace {
using A = ArgType;

const std::vector<OpSignature> &opTable() {
  static const std::vector<OpSignature> table = {
      {"embedding", OpKind::Embedding, {{"table", A::Tensor, true}, {"ids", A::Tensor, true}}},
      {"rmsnorm", OpKind::RMSNorm,
       {{"x", A::Tensor, true}, {"weight", A::Tensor, true}, {"eps", A::Float, false}}},
      {"gated_rmsnorm", OpKind::GatedRMSNorm,
       {{"x", A::Tensor, true}, {"z", A::Tensor, true}, {"weight", A::Tensor, true},
        {"eps", A::Float, false}, {"group_size", A::Int, false},
        {"norm_before_gate", A::Bool, false}}},
      {"linear", OpKind::Linear,
       {{"x", A::Tensor, true}, {"weight", A::Tensor, true}, {"bias", A::OptTensor, false}}},
      {"split", OpKind::Split, {{"x", A::Tensor, true}, {"axis", A::Int, false}}, true},
      {"concat", OpKind::Concat, {{"axis", A::Int, false}}, true},
      {"reshape", OpKind::Reshape, {{"x", A::Tensor, true}, {"shape", A::IntList, true}}},
      {"transpose", OpKind::Transpose, {{"x", A::Tensor, true}, {"perm", A::IntList, true}}},
      {"add", OpKind::Add, {{"x", A::Tensor, true}, {"y", A::Tensor, true}}},
      {"mul", OpKind::Mul, {{"x", A::Tensor, true}, {"y", A::Tensor, true}}},
      {"neg", OpKind::Neg, {{"x", A::Tensor, true}}},
      {"exp", OpKind::Exp, {{"x", A::Tensor, true}}},
      {"silu", OpKind::Silu, {{"x", A::Tensor, true}}},
      {"softplus", OpKind::Softplus, {{"x", A::Tensor, true}, {"threshold", A::Float, false}}},
      {"causal_conv1d", OpKind::CausalConv1d,
       {{"x", A::Tensor, true}, {"weight", A::Tensor, true}, {"bias", A::OptTensor, false}}},
      {"selective_scan", OpKind::SelectiveScan,
       {{"u", A::Tensor, true}, {"delta", A::Tensor, true}, {"A", A::Tensor, true},
        {"B", A::Tensor, true}, {"C", A::Tensor, true}, {"D", A::OptTensor, false},
        {"z", A::OptTensor, false}, {"delta_bias", A::OptTensor, false},
        {"delta_softplus", A::Bool, false}, {"groups", A::Int, false}}},
      {"ssd_scan", OpKind::SSDScan,
       {{"x", A::Tensor, true}, {"dt", A::Tensor, true}, {"A", A::Tensor, true},
        {"B", A::Tensor, true}, {"C", A::Tensor, true}, {"D", A::OptTensor, false},
        {"z", A::OptTensor, false}, {"dt_bias", A::OptTensor, false},
        {"dt_softplus", A::Bool, false}, {"heads", A::Int, true},
        {"head_dim", A::Int, true}, {"groups", A::Int, false},
        {"chunk_size", A::Int, false}}},
      {"attention", OpKind::Attention,
       {{"q", A::Tensor, true}, {"k", A::Tensor, true}, {"v", A::Tensor, true},
        {"heads", A::Int, true}, {"kv_heads", A::Int, true}, {"head_dim", A::Int, false},
        {"causal", A::Bool, false}, {"rope_theta", A::OptFloat, false},
        {"scale", A::OptFloat, false}}},
      {"moe", OpKind::MoE,
       {{"x", A::Tensor, true}, {"router", A::Tensor, true}, {"gate", A::TensorList, true},
        {"up", A::TensorList, true}, {"down", A::TensorList, true},
        {"top_k", A::Int, true}, {"renormalize", A::Bool, false}}},
      {"logits", OpKind::Logits, {{"x", A::Tensor, true}, {"weight", A::Tensor, true}}},
  };
  return table;
}

const char *const kScalarBuiltins[] = {"ceil", "floor", "min", "max", "config"};
} // namespace

const OpSignature *ssmc::fe::lookupOp(std::string_view name) {
  for (const OpSignature &op : opTable())
    if (name == op.name)
      return &op;
  return nullptr;
}

bool ssmc::fe::isScalarBuiltin(std::string_view name) {
  for (const char *b : kScalarBuiltins)
    if (name == b)
      return true;
  return false;
}

std::vector<std::string_view> ssmc::fe::builtinNames() {
  std::vector<std::string_view> names;
  for (const OpSignature &op : opTable())
    names.push_back(op.name);
  for (const char *b : kScalarBuiltins)
    names.push_back(b);
  return names;
}
