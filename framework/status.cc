#include "streamapp/status.h"

namespace streamapp {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "InvalidArgument";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kAlreadyExists: return "AlreadyExists";
    case StatusCode::kTimedOut: return "TimedOut";
    case StatusCode::kRetriable: return "Retriable";
    case StatusCode::kAbortable: return "Abortable";
    case StatusCode::kFenced: return "Fenced";
    case StatusCode::kFatal: return "Fatal";
    case StatusCode::kDataError: return "DataError";
    case StatusCode::kIoError: return "IoError";
    case StatusCode::kCancelled: return "Cancelled";
    case StatusCode::kInternal: return "Internal";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s(StatusCodeName(code_));
  s += ": ";
  s += message_;
  return s;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return Status(code_, std::string(context) + ": " + message_);
}

}  // namespace streamapp
