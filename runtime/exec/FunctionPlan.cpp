//===- FunctionPlan.cpp - how a device will run one function --------------===//
#include "runtime/exec/FunctionPlan.h"

#include <algorithm>
#include <string>

using namespace ssmrt;

bool FunctionPlan::planned(const Function &function, int32_t id) {
  return id >= 0 && function.values[id].kind == ValueKind::Temp && function.values[id].buffer >= 0;
}

StatusOr<FunctionPlan> ssmrt::planFunction(const Function &function, const DeviceRules &rules) {
  const auto &values = function.values;
  FunctionPlan plan;
  plan.stateInput.assign(values.size(), -1);
  for (size_t i = 2; i < function.inputs.size(); ++i)
    plan.stateInput[function.inputs[i]] = static_cast<int32_t>(i - 2);
  for (size_t i = 1; i < function.outputs.size(); ++i)
    plan.stateInput[function.outputs[i]] = static_cast<int32_t>(i - 1);
  plan.once.assign(values.size(), false);
  for (const Instr &in : function.instrs)
    if (in.once)
      for (int32_t r : in.results)
        plan.once[r] = true;

  auto planned = [&](int32_t id) { return FunctionPlan::planned(function, id); };
  auto isWeight = [&](int32_t id) {
    return id >= 0 && (values[id].kind == ValueKind::Param || plan.once[id]);
  };
  auto hasStorage = [&](int32_t id) {
    ValueKind kind = values[id].kind;
    return planned(id) || isWeight(id) || plan.stateInput[id] >= 0 || kind == ValueKind::Tokens ||
           kind == ValueKind::SeqLens;
  };
  auto rowWidth = [&](int32_t id) {
    int64_t width = 1;
    for (size_t d = 2; d < values[id].shape.size(); ++d)
      width *= values[id].shape[d];
    return width;
  };

  for (size_t i = 0; i < function.instrs.size(); ++i) {
    const Instr &in = function.instrs[i];
    std::string what = "function '" + function.name + "', instruction " + std::to_string(i) + " (" +
                       opCodeName(in.op) + ")";
    if (in.once) {
      plan.steps.push_back(FunctionPlan::Step::Skip);
      continue;
    }
    if (in.op == OpCode::Linear || in.op == OpCode::Logits) {
      bool logits = in.op == OpCode::Logits;
      int32_t x = in.operands[0], w = in.operands[1];
      int32_t bias = logits ? -1 : in.operands[2];
      bool ok = planned(x) && isWeight(w) && values[w].shape.size() == 2 &&
                rowWidth(x) == values[w].shape[1] && values[x].dtype == values[w].dtype &&
                (logits || planned(in.results[0])) &&
                (bias < 0 || (rules.matmulBias && isWeight(bias)));
      if (!ok)
        return Status::error(what +
                             ": not a matrix product of an activation and a weight of its "
                             "dtype" +
                             (rules.matmulBias ? "" : " without bias") +
                             ", which this device runs");
      if (logits) {
        plan.vocab = values[w].shape[0];
        plan.logitsWidth = values[w].shape[1];
      }
      plan.steps.push_back(logits ? FunctionPlan::Step::Logits : FunctionPlan::Step::MatMul);
      continue;
    }
    if (in.op == OpCode::MoE && rules.moe) {
      // input, router [experts, width], then gate, up, down per expert.
      int32_t x = in.operands[0], router = in.operands[1];
      // The router in the input's dtype, or f32 (a GPU's).
      bool ok =
          in.results.size() == 1 && planned(x) && planned(in.results[0]) && isWeight(router) &&
          values[router].shape.size() == 2 &&
          (values[router].dtype == values[x].dtype || values[router].dtype == ValueType::F32) &&
          rowWidth(x) == values[router].shape[1] && rowWidth(in.results[0]) == rowWidth(x) &&
          static_cast<int64_t>(in.operands.size()) == 2 + 3 * values[router].shape[0];
      for (size_t e = 2; ok && e + 2 < in.operands.size(); e += 3) {
        int32_t gate = in.operands[e], up = in.operands[e + 1], down = in.operands[e + 2];
        ok = isWeight(gate) && isWeight(up) && isWeight(down) && values[gate].shape.size() == 2 &&
             values[gate].shape == values[up].shape && values[gate].shape[1] == rowWidth(x) &&
             values[down].shape == std::vector<int64_t>{rowWidth(x), values[gate].shape[0]} &&
             values[gate].dtype == values[x].dtype && values[up].dtype == values[x].dtype &&
             values[down].dtype == values[x].dtype;
      }
      if (!ok)
        return Status::error(what + ": not an input, a router [experts, width] and a gate, up "
                                    "and down weight per expert of matching shapes and dtype");
      if (in.kernel >= 0 && static_cast<size_t>(in.kernel) >= rules.kernelWorkspace.size())
        return Status::error(what + ": refers to kernel " + std::to_string(in.kernel) + " of " +
                             std::to_string(rules.kernelWorkspace.size()));
      plan.steps.push_back(FunctionPlan::Step::MoE);
      continue;
    }
    if (in.op == OpCode::Attention && rules.attention) {
      // q, k, v activations; the KV cache states; seq_lens.
      bool ok = in.operands.size() == 6 && in.results.size() == 3 && planned(in.operands[0]) &&
                planned(in.operands[1]) && planned(in.operands[2]) && planned(in.results[0]);
      for (int i = 3; ok && i < 5; ++i) {
        int32_t cache = in.operands[i], out = in.results[i - 2];
        ok = cache >= 0 && plan.stateInput[cache] >= 0 && out >= 0 && plan.stateInput[out] >= 0 &&
             values[cache].kind == ValueKind::State && values[cache].sub == i - 3;
      }
      ok = ok && (in.operands[5] < 0 || values[in.operands[5]].kind == ValueKind::SeqLens);
      const Attr *heads = in.attr("heads"), *kvHeads = in.attr("kv_heads"),
                 *headDim = in.attr("head_dim");
      ok = ok && heads && kvHeads && headDim && !heads->ints.empty() && !kvHeads->ints.empty() &&
           !headDim->ints.empty() && kvHeads->ints[0] > 0 && heads->ints[0] > 0 &&
           headDim->ints[0] > 0 && heads->ints[0] % kvHeads->ints[0] == 0 &&
           rowWidth(in.operands[0]) == heads->ints[0] * headDim->ints[0] &&
           rowWidth(in.results[0]) == rowWidth(in.operands[0]) &&
           rowWidth(in.operands[1]) == kvHeads->ints[0] * headDim->ints[0] &&
           rowWidth(in.operands[2]) == rowWidth(in.operands[1]);
      if (!ok)
        return Status::error(what + ": not q, k and v activations of heads, kv_heads and "
                                    "head_dim that fit, with a KV cache state");
      // (A GPU gives an attention kernel a workspace of its own: its split
      // counters must stay zero between its launches.)
      if (in.kernel >= 0 && static_cast<size_t>(in.kernel) >= rules.kernelWorkspace.size())
        return Status::error(what + ": refers to kernel " + std::to_string(in.kernel) + " of " +
                             std::to_string(rules.kernelWorkspace.size()));
      plan.steps.push_back(FunctionPlan::Step::Attention);
      continue;
    }
    if (in.op == OpCode::Split || in.op == OpCode::Reshape) {
      for (int32_t r : in.results)
        if (!planned(r) || values[r].buffer != values[in.operands[0]].buffer)
          return Status::error(what + ": a view outside its input's buffer");
      plan.steps.push_back(FunctionPlan::Step::Skip);
      continue;
    }
    if (in.kernel < 0 && !rules.referenceFallback)
      return Status::error(what + ": has no kernel for this device");
    for (int32_t id : in.operands)
      if (id >= 0 && !hasStorage(id))
        return Status::error(what + ": operand value " + std::to_string(id) + " has no storage");
    for (int32_t id : in.results)
      if (!planned(id) && plan.stateInput[id] < 0)
        return Status::error(what + ": result value " + std::to_string(id) + " has no storage");
    if (in.kernel >= 0) {
      if (static_cast<size_t>(in.kernel) >= rules.kernelWorkspace.size())
        return Status::error(what + ": refers to kernel " + std::to_string(in.kernel) + " of " +
                             std::to_string(rules.kernelWorkspace.size()));
      plan.workspacePerRow = std::max(plan.workspacePerRow, rules.kernelWorkspace[in.kernel]);
    }
    plan.steps.push_back(in.kernel >= 0 ? FunctionPlan::Step::Kernel
                                        : FunctionPlan::Step::Reference);
  }
  return plan;
}

std::string ReferenceUse::describe() const {
  const Instr &in = function->instrs[index];
  return "instruction " + std::to_string(index) + " (" + opCodeName(in.op) + ") of '" +
         function->name + "'" + (in.loc.empty() ? "" : " at " + in.loc);
}

DeviceRules ssmrt::cpuRules(const Program &program) {
  DeviceRules rules = DeviceRules::of(program.cpu.kernels, /*referenceFallback=*/true,
                                      /*matmulBias=*/true);
  rules.moe = true;
  rules.attention = true;
  return rules;
}

std::vector<ReferenceUse> ssmrt::referenceUses(const Program &program) {
  DeviceRules cpu = cpuRules(program);
  std::vector<ReferenceUse> uses;
  for (const Function *f : {&program.forward, &program.decode}) {
    StatusOr<FunctionPlan> plan = planFunction(*f, cpu);
    if (!plan.ok())
      continue; // the executor reports it
    for (size_t i = 0; i < plan->steps.size(); ++i)
      if (plan->steps[i] == FunctionPlan::Step::Reference)
        uses.push_back({f, i});
  }
  return uses;
}

std::string ssmrt::referenceNote(const std::vector<ReferenceUse> &uses) {
  std::vector<OpCode> ops;
  for (const ReferenceUse &u : uses)
    ops.push_back(u.function->instrs[u.index].op);
  return referenceNote(ops);
}

std::string ssmrt::referenceNote(const std::vector<OpCode> &ops) {
  if (ops.empty())
    return "";
  // Counts per op, in order of first use.
  std::vector<std::pair<OpCode, int>> counts;
  for (OpCode op : ops) {
    auto it =
        std::find_if(counts.begin(), counts.end(), [&](const auto &c) { return c.first == op; });
    if (it == counts.end())
      counts.push_back({op, 1});
    else
      ++it->second;
  }
  std::string note = std::to_string(ops.size()) + (ops.size() == 1 ? " op runs" : " ops run") +
                     " in the float64 reference interpreter (no CPU kernel): ";
  for (size_t i = 0; i < counts.size(); ++i)
    note += (i ? ", " : "") + std::string(opCodeName(counts[i].first)) + " (" +
            std::to_string(counts[i].second) + ")";
  return note;
}
