// The public face of the expression language (streamapp/expr.h).
#include <utility>

#include "expr/ast.h"
#include "expr/parser.h"
#include "streamapp/expr.h"

namespace streamapp::expr {

Result<Expression> Expression::Compile(std::string_view text, size_t* error_offset) {
  size_t offset = 0;
  Result<std::unique_ptr<Node>> root = Parse(text, &offset);
  if (!root.ok()) {
    if (error_offset != nullptr) *error_offset = offset;
    // The offset is in the message too, for callers that only log the Status.
    return Status::InvalidArgument(root.status().message() + " (at offset " + std::to_string(offset) + ")");
  }
  Expression e;
  e.root_ = std::shared_ptr<const Node>(std::move(root).value());
  e.text_ = std::string(text);
  return e;
}

Result<Value> Expression::Evaluate(const Record& record) const {
  if (root_ == nullptr) return Status::Internal("evaluating an expression that was not compiled");
  const EvalContext ctx{record, text_};
  Datum out;
  RETURN_IF_ERROR(EvalNode(*root_, ctx, &out));
  return std::move(out).ToValue();
}

Result<bool> Expression::Test(const Record& record) const {
  if (root_ == nullptr) return Status::Internal("evaluating an expression that was not compiled");
  const EvalContext ctx{record, text_};
  Datum out;
  RETURN_IF_ERROR(EvalNode(*root_, ctx, &out));
  if (out.is_bool()) return out.b;
  if (out.is_null()) return false;
  return RuntimeError(*root_, ctx, "expected true or false but got " + std::string(Describe(out)));
}

StaticType Expression::static_type() const {
  return root_ == nullptr ? StaticType::kAny : root_->type;
}

}  // namespace streamapp::expr
