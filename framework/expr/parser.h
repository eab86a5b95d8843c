// Recursive-descent parser that also type-checks each node as it is built,
// so errors carry the offset of the token at fault.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "expr/ast.h"
#include "streamapp/status.h"

namespace streamapp::expr {

// Parses and type-checks `text`. On failure returns InvalidArgument and sets
// *error_offset to the byte offset of the offending token.
Result<std::unique_ptr<Node>> Parse(std::string_view text, size_t* error_offset);

}  // namespace streamapp::expr
