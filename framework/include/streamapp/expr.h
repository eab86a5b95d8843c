// The expression language of YAML steps: `amount * quantity > 100`,
// `lower(customer.country) in ['de', 'fr']`, `coalesce(discount, 0)`.
//
// Bare names are paths into the record value (`user.id`, `items[0].sku`);
// `$key`, `$value`, `$timestamp`, `$topic`, `$partition`, `$offset` and
// `$headers.<name>` reach the rest of the record. Compiled once at load;
// evaluation does not allocate unless the result is a new string/array.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "streamapp/record.h"
#include "streamapp/status.h"
#include "streamapp/value.h"

namespace streamapp::expr {

// The static type an expression is known to produce; kAny when it depends on
// record data (e.g. a field of a JSON value).
enum class StaticType { kAny, kNull, kBool, kInt, kDouble, kNumber, kString, kArray, kObject };

class Node;  // internal

class Expression {
 public:
  // Parses and type-checks `text`. On failure returns InvalidArgument whose
  // message says what was expected, and sets *error_offset to the 0-based
  // byte offset in `text` where the problem is.
  static Result<Expression> Compile(std::string_view text, size_t* error_offset = nullptr);

  // Evaluates against a record. DataError when the data does not fit (e.g.
  // arithmetic on a string field); a missing field is null, not an error.
  Result<Value> Evaluate(const Record& record) const;
  // As Evaluate, for predicates: null and false are false; DataError for a
  // non-boolean result.
  Result<bool> Test(const Record& record) const;

  StaticType static_type() const;
  const std::string& text() const { return text_; }

 private:
  std::shared_ptr<const Node> root_;
  std::string text_;
};

}  // namespace streamapp::expr
