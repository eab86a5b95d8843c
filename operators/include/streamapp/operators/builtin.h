// The built-in operators, registered explicitly (no static initializers).
#pragma once

namespace streamapp::operators {

// Returns the names of the built-in operator families, for `--version`.
const char* BuiltinSetName();

}  // namespace streamapp::operators
