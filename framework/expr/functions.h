// The built-in functions: their signatures (checked when compiling) and
// implementations (called by the evaluator).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "expr/ast.h"
#include "streamapp/status.h"

namespace streamapp::expr {

// Sets of types a parameter accepts. Null and kAny arguments are always
// accepted at compile time; their data is checked when evaluating.
enum TypeMask : uint8_t {
  kMString = 1,
  kMInt = 2,
  kMDouble = 4,
  kMNumber = kMInt | kMDouble,
  kMBool = 8,
  kMArray = 16,
  kMObject = 32,
  kMAnything = 63,
};

// What the evaluator passes to an implementation.
struct Call {
  const Node& node;
  const EvalContext& ctx;
  Status Error(std::string_view what) const { return RuntimeError(node, ctx, what); }
};

// Implementations never return data borrowed from their arguments (those die
// when the call returns); they may borrow from the record.
using FunctionImpl = Status (*)(const Call& call, std::span<const Datum> args, Datum* out);

// Functions whose arguments are evaluated lazily, by the evaluator itself.
enum class LazyKind : uint8_t { kNone, kIf, kCoalesce };

struct FunctionDef {
  std::string_view name;
  int min_args;
  int max_args;  // kVariadic: any number >= min_args
  // Accepted types per parameter; the last entry repeats for variadic calls.
  uint8_t params[3];
  StaticType result;
  // Most functions return null when any argument is null (SQL-like).
  bool null_in_null_out;
  FunctionImpl impl;
  LazyKind lazy = LazyKind::kNone;
  // When set, computes the result type from the argument types.
  StaticType (*result_type)(const Node& call) = nullptr;
};

inline constexpr int kVariadic = -1;

// The function named `name`, or nullptr.
const FunctionDef* FindFunction(std::string_view name);
// The known function name closest to `name` by edit distance, or "" when none is close.
std::string_view SuggestFunction(std::string_view name);

// Checks a kCall node whose children are already typed: arity, argument
// types, literal arguments (regex patterns, time formats). Sets the node's
// function and type. On failure sets *error_offset.
Status CheckCall(Node& call, size_t* error_offset);

// The Value rendered as to_string() renders it: strings as-is, others as JSON.
std::string ToDisplayString(const Datum& d);

}  // namespace streamapp::expr
