// Errors as values. Every module boundary returns Result<T> or Status; exceptions from third-party
// libraries are caught in their adapter and turned into an Error with context.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace zooci {

// A failure a person can act on. `message` reads outermost context first:
// "load model.onnx: parse: truncated protobuf".
class Error {
 public:
  Error() = default;
  explicit Error(std::string message) : message_(std::move(message)) {}

  const std::string& message() const { return message_; }

  // Returns a copy with `context` prepended ("context: message").
  Error WithContext(const std::string& context) const { return Error(context + ": " + message_); }

 private:
  std::string message_;
};

// Holds either a T or an Error. Accessing the wrong alternative is a programming error (asserts).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : storage_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : storage_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(storage_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    assert(ok());
    return std::get<T>(storage_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(storage_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(storage_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<Error>(storage_);
  }

  // Prepends context to the error, if any; a value passes through.
  Result<T> WithContext(const std::string& context) && {
    if (ok()) return std::move(*this);
    return error().WithContext(context);
  }

 private:
  std::variant<T, Error> storage_;
};

struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() {
  return Ok{};
}

}  // namespace zooci

#define ZC_CONCAT_INNER(a, b) a##b
#define ZC_CONCAT(a, b) ZC_CONCAT_INNER(a, b)

// Returns the error of `expr` (a Result or Status) from the enclosing function, if any.
#define ZC_RETURN_IF_ERROR(expr)                                     \
  do {                                                               \
    auto zc_status_ = (expr);                                        \
    if (!zc_status_.ok()) return ::zooci::Error(zc_status_.error()); \
  } while (0)

// `ZC_ASSIGN_OR_RETURN(auto x, Foo());` declares x from Foo()'s value or returns its error.
#define ZC_ASSIGN_OR_RETURN(lhs, expr) \
  ZC_ASSIGN_OR_RETURN_IMPL(ZC_CONCAT(zc_result_, __LINE__), lhs, expr)
#define ZC_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)     \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return ::zooci::Error(tmp.error()); \
  lhs = std::move(tmp).value()
