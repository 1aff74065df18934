//===- QuantizeInt8.cpp - symmetric int8 in groups along rows -------------===//
#include "runtime/exec/QuantizeInt8.h"

#include <algorithm>
#include <cmath>

void ssmrt::quantizeInt8Groups(const float *x, int64_t ldx, int64_t rows, int64_t cols,
                               int64_t group, int8_t *q, float *scales) {
  const int64_t groups = (cols + group - 1) / group;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t g = 0; g < groups; ++g) {
      const float *src = x + r * ldx + g * group;
      int64_t n = std::min(group, cols - g * group);
      float top = 0.0f;
      for (int64_t i = 0; i < n; ++i)
        top = std::max(top, std::abs(src[i]));
      float inv = top > 0 ? 127.0f / top : 0.0f;
      scales[r * groups + g] = top / 127.0f;
      for (int64_t i = 0; i < n; ++i)
        q[r * cols + g * group + i] =
            static_cast<int8_t>(std::lrint(std::clamp(src[i] * inv, -127.0f, 127.0f)));
    }
}
