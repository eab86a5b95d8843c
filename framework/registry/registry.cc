// The registry proper: declarations by name and alias, checked once at
// registration so that every later consumer (loader, docs, schema) can rely
// on them.
#include <algorithm>
#include <stdexcept>

#include "streamapp/operator_registry.h"

namespace streamapp {
namespace {

bool IsValidOperatorName(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// Keys a step may carry besides its operator.
bool IsStepKey(std::string_view name) {
  return name == "name" || name == "on_error";
}

Status CheckParams(const std::string& where, const std::vector<ParamDecl>& params) {
  std::vector<std::string> seen;
  for (const ParamDecl& p : params) {
    if (!IsValidOperatorName(p.name))
      return Status::InvalidArgument(where + ": invalid parameter name '" + p.name + "'");
    if (std::find(seen.begin(), seen.end(), p.name) != seen.end()) {
      return Status::InvalidArgument(where + ": parameter '" + p.name + "' declared twice");
    }
    seen.push_back(p.name);
    if (p.required && !p.default_value.empty()) {
      return Status::InvalidArgument(where + ": parameter '" + p.name + "' is required and has a default");
    }
    if (p.type == ParamType::kEnum && p.choices.empty()) {
      return Status::InvalidArgument(where + ": enum parameter '" + p.name + "' declares no choices");
    }
    if ((p.type == ParamType::kList || p.type == ParamType::kMap) && !p.item) {
      return Status::InvalidArgument(where + ": parameter '" + p.name + "' declares no item type");
    }
    if (p.type == ParamType::kObject) RETURN_IF_ERROR(CheckParams(where + "." + p.name, p.fields));
  }
  return Status::Ok();
}

}  // namespace

std::string_view ParamTypeName(ParamType type) {
  switch (type) {
    case ParamType::kString: return "string";
    case ParamType::kInt: return "int";
    case ParamType::kDouble: return "double";
    case ParamType::kBool: return "bool";
    case ParamType::kDuration: return "duration";
    case ParamType::kExpression: return "expression";
    case ParamType::kField: return "field";
    case ParamType::kEnum: return "enum";
    case ParamType::kList: return "list";
    case ParamType::kMap: return "map";
    case ParamType::kObject: return "object";
    case ParamType::kSteps: return "steps";
  }
  return "?";
}

const ParamValue* ParamValue::Find(std::string_view name) const {
  for (const auto& [key, value] : entries) {
    if (key == name) return &value;
  }
  return nullptr;
}

SourcePos ParamValue::At(size_t offset) const {
  if (columns.empty()) return pos;
  return {pos.line, columns[std::min(offset, columns.size() - 1)]};
}

const ParamDecl* OperatorDecl::FindParam(std::string_view param) const {
  for (const ParamDecl& p : params) {
    if (p.name == param) return &p;
  }
  return nullptr;
}

std::vector<std::string> OperatorDecl::ParamNames() const {
  std::vector<std::string> out;
  for (const ParamDecl& p : params) out.push_back(p.name);
  return out;
}

Status OperatorRegistry::Register(OperatorDecl decl) {
  const std::string where = "operator '" + decl.name + "'";
  if (!IsValidOperatorName(decl.name)) {
    return Status::InvalidArgument("invalid operator name '" + decl.name + "': use letters, digits, '_' and '-'");
  }
  if (!decl.structural && !decl.factory) return Status::InvalidArgument(where + " has no factory");
  if (decl.doc.empty()) return Status::InvalidArgument(where + " has no doc line");
  RETURN_IF_ERROR(CheckParams(where, decl.params));
  for (const ParamDecl& p : decl.params) {
    // A list-form operator's parameters live in its items, not beside the step keys.
    if (IsStepKey(p.name) && !decl.list_form) {
      return Status::InvalidArgument(where + ": parameter '" + p.name + "' clashes with the step key of that name");
    }
  }
  if (!decl.shorthand.empty() && decl.FindParam(decl.shorthand) == nullptr) {
    return Status::InvalidArgument(where + ": shorthand names no declared parameter '" + decl.shorthand + "'");
  }
  std::vector<std::string> names = decl.aliases;
  names.insert(names.begin(), decl.name);
  for (const std::string& n : names) {
    if (!IsValidOperatorName(n) || IsStepKey(n)) return Status::InvalidArgument(where + ": invalid alias '" + n + "'");
    if (const OperatorDecl* taken = Find(n)) {
      return Status::AlreadyExists("operator name '" + n + "' is already registered (by '" + taken->name + "' from " +
                                   taken->origin + ")");
    }
  }
  decl.origin = origin_;
  const size_t index = operators_.size();
  operators_.push_back(std::make_shared<const OperatorDecl>(std::move(decl)));
  for (const std::string& n : names) by_name_.emplace(n, index);
  return Status::Ok();
}

const OperatorDecl* OperatorRegistry::Find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : operators_[it->second].get();
}

std::vector<std::string> OperatorRegistry::AllNames() const {
  std::vector<std::string> out;
  for (const auto& op : operators_) {
    out.push_back(op->name);
    out.insert(out.end(), op->aliases.begin(), op->aliases.end());
  }
  return out;
}

const OperatorRegistry& BuiltinOperatorRegistry() {
  // Explicit registration on first use (no static initializers in the
  // operators library); a failure is a bug in a built-in declaration.
  static const OperatorRegistry registry = [] {
    OperatorRegistry r;
    Status st = RegisterBuiltinOperators(r);
    if (!st.ok()) throw std::logic_error("built-in operators: " + st.message());
    return r;
  }();
  return registry;
}

}  // namespace streamapp
