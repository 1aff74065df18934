//===- DType.h - element types of checkpoint tensors ------------*- C++ -*-===//
//
// The safetensors dtype names. Every type here is parsed and sized; only
// F32, BF16 and F16 convert to float (see TensorView.h).
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_IO_DTYPE_H
#define SSMC_RUNTIME_IO_DTYPE_H

#include <cstddef>
#include <optional>
#include <string_view>

namespace ssmrt {

enum class DType {
  Bool,
  U8,
  I8,
  F8E4M3,
  F8E5M2,
  I16,
  U16,
  F16,
  BF16,
  I32,
  U32,
  F32,
  I64,
  U64,
  F64,
};

/// The safetensors spelling: "F32", "BF16", "F8_E4M3", ...
std::string_view dtypeName(DType dtype);

/// Bytes per element.
size_t dtypeSize(DType dtype);

/// Parses a safetensors dtype name; nullopt if unknown.
std::optional<DType> parseDType(std::string_view name);

/// True for the types that convert to float: F32, BF16 and F16.
bool isFloatConvertible(DType dtype);

} // namespace ssmrt

#endif // SSMC_RUNTIME_IO_DTYPE_H
