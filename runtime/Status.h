//===- Status.h - error values for the runtime (no exceptions) --*- C++ -*-===//
//
// Every fallible runtime call returns a Status or a StatusOr<T>. A failed
// Status carries one human-readable line that names the file and the position
// or tensor at fault, e.g.
//   "model.safetensors: tensor 'lm_head.weight': data offsets [0, 96) ..."
// Tools print it as "error: <message>" and exit with code 1.
//
//===----------------------------------------------------------------------===//
#ifndef SSMC_RUNTIME_STATUS_H
#define SSMC_RUNTIME_STATUS_H

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace ssmrt {

class [[nodiscard]] Status {
public:
  Status() = default;
  static Status error(std::string message) { return Status(std::move(message)); }

  bool ok() const { return !message_.has_value(); }
  explicit operator bool() const { return ok(); }
  const std::string &message() const {
    static const std::string empty;
    return message_ ? *message_ : empty;
  }
  /// Returns a copy with "|prefix|: " in front of the message (no-op if ok).
  Status withPrefix(const std::string &prefix) const {
    return ok() ? *this : Status(prefix + ": " + *message_);
  }

private:
  explicit Status(std::string message) : message_(std::move(message)) {}
  std::optional<std::string> message_;
};

inline Status okStatus() { return Status(); }

/// A value or the error that prevented computing it.
template <typename T> class [[nodiscard]] StatusOr {
public:
  StatusOr(T value) : value_(std::move(value)) {}
  StatusOr(Status status) : status_(std::move(status)) {
    assert(!status_.ok() && "StatusOr built from an ok Status");
  }

  bool ok() const { return status_.ok(); }
  const Status &status() const { return status_; }
  T &value() { return *value_; }
  const T &value() const { return *value_; }
  T &operator*() { return *value_; }
  const T &operator*() const { return *value_; }
  T *operator->() { return &*value_; }
  const T *operator->() const { return &*value_; }

private:
  Status status_;
  std::optional<T> value_;
};

} // namespace ssmrt

/// Returns early from the enclosing function when |expr| yields an error.
#define SSMRT_RETURN_IF_ERROR(expr)                                                                \
  do {                                                                                             \
    ::ssmrt::Status _st = (expr);                                                                  \
    if (!_st.ok())                                                                                 \
      return _st;                                                                                  \
  } while (0)

/// Declares or assigns |lhs| from the StatusOr |expr|, returning its error
/// from the enclosing function when it has one.
#define SSMRT_ASSIGN_OR_RETURN(lhs, expr)                                                          \
  SSMRT_ASSIGN_OR_RETURN_IMPL(SSMRT_CONCAT(_statusOr, __LINE__), lhs, expr)
#define SSMRT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)                                                \
  auto tmp = (expr);                                                                               \
  if (!tmp.ok())                                                                                   \
    return tmp.status();                                                                           \
  lhs = std::move(*tmp)
#define SSMRT_CONCAT(a, b) SSMRT_CONCAT_INNER(a, b)
#define SSMRT_CONCAT_INNER(a, b) a##b

#endif // SSMC_RUNTIME_STATUS_H
