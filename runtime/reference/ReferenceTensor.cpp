//===- ReferenceTensor.cpp - shapes of reference tensors ------------------===//

#include "runtime/reference/ReferenceTensor.h"

#include <utility>

namespace ssmrt {

std::string formatShape(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

RefTensor::RefTensor(std::vector<int64_t> shape)
    : shape(std::move(shape)), data(shapeElements(this->shape), 0.0) {}

RefTensor::RefTensor(std::vector<int64_t> shape, std::vector<double> data)
    : shape(std::move(shape)), data(std::move(data)) {}

bool RefTensor::isWellFormed() const {
  for (int64_t d : shape)
    if (d < 0)
      return false;
  return static_cast<int64_t>(data.size()) == numElements();
}

} // namespace ssmrt
