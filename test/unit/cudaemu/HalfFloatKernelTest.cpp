//===- HalfFloatKernelTest.cpp - the preamble's bf16 and f16 conversions --===//
//
// Runs the preamble's ssm_from_float / ssm_to_float in an emulated kernel
// over every 16-bit pattern, every halfway point between neighbours (and
// the floats next to it), special values and random floats, against
// conversions written here in float64 arithmetic.
//
//===----------------------------------------------------------------------===//
#include "EmuTestUtil.h"

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace ssmc::cudaemu;
using ssmc::cudaemu::test::compileKernel;

namespace {

const char *const kConvert = R"cuda(
// Encodes x to both 16-bit types and decodes them again (grid-stride).
extern "C" __global__ void __launch_bounds__(256) encode(
    const float *__restrict__ x, ssm_bf16 *bf, ssm_f16 *h, float *bf_back,
    float *h_back, int n) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += gridDim.x * blockDim.x) {
    bf[i] = ssm_from_float<ssm_bf16>(x[i]);
    h[i] = ssm_from_float<ssm_f16>(x[i]);
    bf_back[i] = ssm_to_float(bf[i]);
    h_back[i] = ssm_to_float(h[i]);
  }
}
)cuda";

float fromBits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint32_t toBits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return bits;
}

/// A binary16-like format: |mantissaBits| stored mantissa bits, |minExponent|
/// the exponent of its smallest normal, |bias| the exponent bias.
struct Format {
  int mantissaBits, minExponent, bias;
};
constexpr Format kBF16 = {7, -126, 127};
constexpr Format kF16 = {10, -14, 15};

/// The value of the 16-bit pattern |bits| of |format|.
double decode(uint16_t bits, const Format &format) {
  int exponentBits = 15 - format.mantissaBits;
  unsigned e = (bits >> format.mantissaBits) & ((1u << exponentBits) - 1);
  unsigned m = bits & ((1u << format.mantissaBits) - 1);
  double sign = bits & 0x8000 ? -1 : 1;
  if (e == (1u << exponentBits) - 1)
    return std::copysign(m ? std::numeric_limits<double>::quiet_NaN()
                           : std::numeric_limits<double>::infinity(),
                         sign);
  if (e == 0)
    return sign * std::ldexp(m, format.minExponent - format.mantissaBits);
  return sign * std::ldexp(m + std::ldexp(1, format.mantissaBits),
                           int(e) - format.bias - format.mantissaBits);
}

/// |f| rounded to nearest-even in |format|: sign, then the number of steps
/// of the quantum of f's binade (units in the last place of the result).
uint16_t encode(float f, const Format &format) {
  int exponentBits = 15 - format.mantissaBits;
  uint16_t sign = std::signbit(f) ? 0x8000 : 0;
  uint16_t inf = uint16_t(((1u << exponentBits) - 1) << format.mantissaBits);
  if (std::isnan(f))
    return sign | inf | uint16_t(1u << (format.mantissaBits - 1));
  if (std::isinf(f))
    return sign | inf;
  double a = std::fabs(double(f));
  int binade = a == 0 ? format.minExponent : std::ilogb(a);
  binade = std::max(binade, format.minExponent);
  // Multiples of the quantum: exact in double, and the encoding of a value of
  // the format is its offset from the binade's start plus the binade's.
  double units = std::nearbyint(std::ldexp(a, format.mantissaBits - binade));
  if (units == std::ldexp(2, format.mantissaBits)) { // rounded up a binade
    units /= 2;
    ++binade;
  }
  if (binade - format.minExponent + 1 >= (1 << exponentBits) - 1)
    return sign | inf;
  bool normal = units >= std::ldexp(1, format.mantissaBits);
  unsigned biased = normal ? unsigned(binade + format.bias) : 0;
  unsigned m = unsigned(units) & ((1u << format.mantissaBits) - 1);
  return sign | uint16_t(biased << format.mantissaBits) | uint16_t(m);
}

bool isNaNPattern(uint16_t bits, const Format &format) { return std::isnan(decode(bits, format)); }

/// Every pattern's value, the halfway points between neighbours and the
/// floats on either side of them, specials and random floats.
std::vector<float> testValues() {
  std::vector<float> values = {0.0f,
                               -0.0f,
                               INFINITY,
                               -INFINITY,
                               NAN,
                               -NAN,
                               FLT_MAX,
                               -FLT_MAX,
                               FLT_MIN,
                               FLT_TRUE_MIN,
                               -FLT_TRUE_MIN,
                               65504.0f,
                               65519.0f,
                               std::nextafter(65520.0f, 0.0f),
                               65520.0f,
                               65536.0f,
                               1e10f,
                               0x1p-14f,
                               0x1p-24f,
                               0x1p-25f,
                               std::nextafter(0x1p-25f, 1.0f),
                               0x1.8p-24f,
                               0x1.8p-25f,
                               3e-8f,
                               0x1.ffp127f,
                               std::nextafter(0x1.ffp127f, 0.0f)};
  for (const Format &format : {kBF16, kF16}) {
    for (uint32_t bits = 0; bits < 0x8000; ++bits) {
      double value = decode(uint16_t(bits), format), next = decode(uint16_t(bits + 1), format);
      if (std::isnan(value))
        continue;
      for (double v : {value, -value}) {
        if (std::isinf(v) || std::fabs(v) > FLT_MAX)
          continue;
        values.push_back(float(v));
        if (std::isnan(next))
          continue;
        // The halfway point (exact in float), or where inf would be next.
        double halfway = (std::fabs(v) + next) / 2 * (v < 0 ? -1 : 1);
        if (std::fabs(halfway) > FLT_MAX)
          continue;
        float h = float(halfway);
        values.insert(values.end(), {h, std::nextafter(h, 0.0f), std::nextafter(h, 2 * h)});
      }
    }
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 100000; ++i)
    values.push_back(fromBits(rng()));
  return values;
}

TEST(HalfFloatKernelTest, ConversionsMatchFloat64Reference) {
  std::unique_ptr<EmulatedKernel> kernel = compileKernel(kConvert, "encode");
  ASSERT_TRUE(kernel);
  std::vector<float> x = testValues();
  const int n = int(x.size());
  std::vector<uint16_t> bf(n), h(n);
  std::vector<float> bfBack(n), hBack(n);
  ssmrt::Status status = kernel->launch(
      Dim3(16), Dim3(256), {x.data(), bf.data(), h.data(), bfBack.data(), hBack.data(), n});
  ASSERT_TRUE(status.ok()) << status.message();

  int failures = 0;
  for (int i = 0; i < n && failures < 20; ++i) {
    for (const Format *format : {&kBF16, &kF16}) {
      bool isBF16 = format == &kBF16;
      uint16_t got = isBF16 ? bf[i] : h[i];
      float back = isBF16 ? bfBack[i] : hBack[i];
      uint16_t want = encode(x[i], *format);
      bool ok = std::isnan(x[i])
                    ? isNaNPattern(got, *format) && std::isnan(back)
                    : got == want && toBits(back) == toBits(float(decode(want, *format)));
      if (!ok) {
        ++failures;
        ADD_FAILURE() << (isBF16 ? "bf16" : "f16") << " of " << x[i] << " (bits 0x" << std::hex
                      << toBits(x[i]) << "): got 0x" << got << " -> " << back << ", want 0x" << want
                      << std::dec;
      }
    }
  }
}

TEST(HalfFloatKernelTest, EveryPatternRoundTrips) {
  std::unique_ptr<EmulatedKernel> kernel = compileKernel(kConvert, "encode");
  ASSERT_TRUE(kernel);
  for (const Format *format : {&kBF16, &kF16}) {
    std::vector<float> x(65536);
    for (uint32_t bits = 0; bits < 65536; ++bits)
      x[bits] = float(decode(uint16_t(bits), *format));
    const int n = int(x.size());
    std::vector<uint16_t> bf(n), h(n);
    std::vector<float> bfBack(n), hBack(n);
    ssmrt::Status status = kernel->launch(
        Dim3(16), Dim3(256), {x.data(), bf.data(), h.data(), bfBack.data(), hBack.data(), n});
    ASSERT_TRUE(status.ok()) << status.message();
    const std::vector<uint16_t> &got = format == &kBF16 ? bf : h;
    int failures = 0;
    for (uint32_t bits = 0; bits < 65536 && failures < 20; ++bits) {
      bool nan = isNaNPattern(uint16_t(bits), *format);
      // A NaN stays a NaN (bf16 NaNs may lose their sign).
      if (nan ? isNaNPattern(got[bits], *format) &&
                    (format == &kBF16 || (got[bits] ^ bits) < 0x8000)
              : got[bits] == bits)
        continue;
      ++failures;
      ADD_FAILURE() << (format == &kBF16 ? "bf16" : "f16") << " pattern 0x" << std::hex << bits
                    << " came back as 0x" << got[bits] << std::dec;
    }
  }
}

} // namespace
