#include "streamapp/operators/builtin.h"

namespace streamapp::operators {

const char* BuiltinSetName() {
  return "builtin-stateless";
}

}  // namespace streamapp::operators
