// One error vocabulary for the whole framework: Status and Result<T>.
//
// The codes keep librdkafka's classification of errors (retriable, abortable,
// fatal/fenced) so that callers can decide between retrying, aborting a
// transaction, or rebuilding a thread, without seeing librdkafka types.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace streamapp {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad input from the user: config, topology, CLI
  kNotFound,
  kAlreadyExists,
  kTimedOut,
  kRetriable,  // transient; the same call may succeed later
  kAbortable,  // the current transaction must be aborted, then work redone
  kFenced,     // another instance took over our transactional id or member id
  kFatal,      // the client is unusable and must be recreated
  kDataError,  // a record could not be deserialized or processed
  kIoError,
  kCancelled,
  kInternal,  // a bug
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status TimedOut(std::string m) { return {StatusCode::kTimedOut, std::move(m)}; }
  static Status Retriable(std::string m) { return {StatusCode::kRetriable, std::move(m)}; }
  static Status Abortable(std::string m) { return {StatusCode::kAbortable, std::move(m)}; }
  static Status Fenced(std::string m) { return {StatusCode::kFenced, std::move(m)}; }
  static Status Fatal(std::string m) { return {StatusCode::kFatal, std::move(m)}; }
  static Status DataError(std::string m) { return {StatusCode::kDataError, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "<code>: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok() && "Result built from an OK Status has no value");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }

  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace streamapp

#define STREAMAPP_CONCAT_INNER(a, b) a##b
#define STREAMAPP_CONCAT(a, b) STREAMAPP_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when it is not OK.
#define RETURN_IF_ERROR(expr)         \
  do {                                \
    ::streamapp::Status _st = (expr); \
    if (!_st.ok()) return _st;        \
  } while (0)

// Declares `lhs` from a Result, or returns its Status.
#define ASSIGN_OR_RETURN(lhs, expr)                                                               \
  auto STREAMAPP_CONCAT(_res_, __LINE__) = (expr);                                                \
  if (!STREAMAPP_CONCAT(_res_, __LINE__).ok()) return STREAMAPP_CONCAT(_res_, __LINE__).status(); \
  lhs = std::move(STREAMAPP_CONCAT(_res_, __LINE__)).value()
