// Generic parameter validation: a step's YAML value checked against the
// operator's declaration. Every registered operator that the loader does not
// build itself (filter, map, ..., plugin operators) is parsed only here, so
// its reference, schema and validation come from one declaration.
#include <algorithm>
#include <stdexcept>

#include "streamapp/value.h"
#include "yaml/parse_steps.h"
#include "yaml/suggest.h"

namespace streamapp::yaml {
namespace {

constexpr std::string_view kDurationHelp =
    "expected milliseconds (an integer) or an integer with a unit ms, s, m, h or d (e.g. 500ms, 30s, 5m)";

class ParamParser {
 public:
  explicit ParamParser(Reader& r) : r_(r) {}

  std::optional<ParamValue> Value(const ParamDecl& decl, const YAML::Node& node, Pos pos, const std::string& what) {
    ParamValue v;
    v.type = decl.type;
    v.pos = ToSourcePos(pos);
    switch (decl.type) {
      case ParamType::kString: {
        std::optional<Text> t = r_.ExpectScalar(node, pos, what);
        if (!t) return std::nullopt;
        v.text = t->value;
        return v;
      }
      case ParamType::kInt: {
        std::optional<int64_t> i = r_.ExpectInt(node, pos, what);
        if (!i) return std::nullopt;
        v.text = node.Scalar();
        v.int_value = *i;
        return v;
      }
      case ParamType::kDouble: {
        if (node.IsScalar()) {
          try {
            v.double_value = node.as<double>();
            v.text = node.Scalar();
            return v;
          } catch (const YAML::BadConversion&) {
          }
        }
        r_.Error(pos, what + ": expected a number, found " + Found(node));
        return std::nullopt;
      }
      case ParamType::kBool: {
        std::optional<bool> b = r_.ExpectBool(node, pos, what);
        if (!b) return std::nullopt;
        v.text = node.Scalar();
        v.bool_value = *b;
        return v;
      }
      case ParamType::kDuration: {
        if (!node.IsScalar()) {
          r_.Error(pos, what + ": expected a duration, found " + Reader::KindName(node));
          return std::nullopt;
        }
        std::optional<int64_t> ms = ParseDuration(node.Scalar());
        if (!ms) {
          r_.Error(pos, what + ": invalid duration '" + node.Scalar() + "'; " + std::string(kDurationHelp));
          return std::nullopt;
        }
        v.text = node.Scalar();
        v.int_value = *ms;
        return v;
      }
      case ParamType::kExpression: {
        std::optional<ExprText> e = r_.Expr(node, pos, what);
        if (!e) return std::nullopt;
        v.text = e->text;
        v.columns = e->columns;
        return v;
      }
      case ParamType::kField: {
        std::optional<Text> t = r_.ExpectScalar(node, pos, what);
        if (!t) return std::nullopt;
        Result<FieldPath> path = FieldPath::Parse(t->value);
        if (!path.ok()) {
          r_.Error(pos, what + ": " + path.status().message());
          return std::nullopt;
        }
        v.text = t->value;
        return v;
      }
      case ParamType::kEnum: {
        std::optional<std::string> c = r_.Choice(node, pos, what, decl.choices);
        if (!c) return std::nullopt;
        v.text = *c;
        return v;
      }
      case ParamType::kList: return List(decl, node, pos, what, std::move(v));
      case ParamType::kMap: return Map(decl, node, pos, what, std::move(v));
      case ParamType::kObject: {
        if (!r_.ExpectMap(node, pos, what)) return std::nullopt;
        return Object(decl.fields, node, pos, what, what, std::move(v));
      }
      case ParamType::kSteps: break;
    }
    r_.Error(pos, what + ": nested steps are only for branch cases");
    return std::nullopt;
  }

  // The declared fields of a mapping: unknown keys with a suggestion, each
  // value by its type, then the required fields that are missing.
  std::optional<ParamValue> Object(const std::vector<ParamDecl>& fields, const YAML::Node& node, Pos pos,
                                   const std::string& what, const std::string& owner, ParamValue v) {
    v.type = ParamType::kObject;
    std::vector<std::string> names;
    for (const ParamDecl& f : fields) names.push_back(f.name);
    bool ok = true;
    for (const Reader::Entry& e : r_.Entries(node, what)) {
      auto it = std::find_if(fields.begin(), fields.end(), [&](const ParamDecl& f) { return f.name == e.key; });
      if (it == fields.end()) {
        r_.Error(e.key_pos, "unknown parameter '" + e.key + "' of " + owner + "; expected " +
                                (names.empty() ? std::string("none") : "one of " + JoinNames(names)) +
                                DidYouMean(e.key, names));
        ok = false;
        continue;
      }
      std::optional<ParamValue> field = Value(*it, e.value, e.value_pos, what + " " + e.key);
      if (!field) {
        ok = false;
        continue;
      }
      v.entries.emplace_back(e.key, std::move(*field));
      v.entry_key_pos.push_back(ToSourcePos(e.key_pos));
    }
    for (const ParamDecl& f : fields) {
      if (f.required && v.Find(f.name) == nullptr && ok) {
        r_.Error(pos, owner + " needs '" + f.name + "' (" + f.doc + ")");
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return v;
  }

 private:
  static std::string Found(const YAML::Node& node) {
    return node.IsScalar() ? "'" + node.Scalar() + "'" : Reader::KindName(node);
  }

  std::optional<ParamValue> List(const ParamDecl& decl, const YAML::Node& node, Pos pos, const std::string& what,
                                 ParamValue v) {
    if (node.IsScalar() && decl.item->type != ParamType::kObject) {
      std::optional<ParamValue> item = Value(*decl.item, node, pos, what);
      if (!item) return std::nullopt;
      v.items.push_back(std::move(*item));
      return v;
    }
    if (!node.IsSequence()) {
      r_.Error(pos, what + ": expected a list, found " + Reader::KindName(node));
      return std::nullopt;
    }
    bool ok = true;
    for (const YAML::Node& element : node) {
      std::optional<ParamValue> item = Value(*decl.item, element, Reader::ValuePos(element, pos), what);
      ok = ok && item.has_value();
      if (item) v.items.push_back(std::move(*item));
    }
    if (!ok) return std::nullopt;
    return v;
  }

  std::optional<ParamValue> Map(const ParamDecl& decl, const YAML::Node& node, Pos pos, const std::string& what,
                                ParamValue v) {
    if (!r_.ExpectMap(node, pos, what)) return std::nullopt;
    bool ok = true;
    for (const Reader::Entry& e : r_.Entries(node, what)) {
      std::optional<ParamValue> item = Value(*decl.item, e.value, e.value_pos, what + " '" + e.key + "'");
      ok = ok && item.has_value();
      if (!item) continue;
      v.entries.emplace_back(e.key, std::move(*item));
      v.entry_key_pos.push_back(ToSourcePos(e.key_pos));
    }
    if (!ok) return std::nullopt;
    return v;
  }

  Reader& r_;
};

const OperatorDecl& Structural(std::string_view name) {
  const OperatorDecl* decl = BuiltinOperatorRegistry().Find(name);
  if (decl == nullptr) throw std::logic_error("no built-in operator '" + std::string(name) + "'");
  return *decl;
}

}  // namespace

Pos ToPos(SourcePos p) {
  return {p.line, p.column};
}

SourcePos ToSourcePos(Pos p) {
  return {p.line, p.column};
}

std::optional<ParamValue> ParseParams(Reader& r, const OperatorDecl& decl, const Reader::Entry& op) {
  ParamParser parser(r);
  ParamValue params;
  params.type = ParamType::kObject;
  params.pos = ToSourcePos(op.key_pos);
  const std::string owner = "'" + op.key + "'";
  const bool empty = op.value.IsNull();
  if (decl.flag_form && (empty || (op.value.IsMap() && op.value.size() == 0))) return params;
  if (!decl.shorthand.empty() && !op.value.IsMap()) {
    // `filter: EXPR`: the value is the shorthand parameter's; messages say
    // the operator's name, as the user wrote no parameter name.
    std::optional<ParamValue> v = parser.Value(*decl.FindParam(decl.shorthand), op.value, op.value_pos, op.key);
    if (!v) return std::nullopt;
    params.entries.emplace_back(decl.shorthand, std::move(*v));
    params.entry_key_pos.push_back(ToSourcePos(op.value_pos));
    // Other required parameters cannot be given in the shorthand form.
    for (const ParamDecl& p : decl.params) {
      if (p.required && p.name != decl.shorthand) {
        r.Error(op.key_pos, owner + " needs '" + p.name + "' (" + p.doc + "); write " + op.key + ": {" +
                                decl.shorthand + ": ..., " + p.name + ": ...}");
        return std::nullopt;
      }
    }
    return params;
  }
  if (decl.flag_form && op.value.IsScalar()) {
    std::optional<bool> b = r.ExpectBool(op.value, op.value_pos, op.key);
    if (!b) return std::nullopt;
    if (!*b) {
      r.Error(op.value_pos, op.key + ": only 'true' is meaningful; remove the step instead");
      return std::nullopt;
    }
    return params;
  }
  if (!op.value.IsMap()) {
    r.Error(op.value_pos, op.key + ": expected a mapping of parameters (" + JoinNames(decl.ParamNames()) + "), found " +
                              Reader::KindName(op.value));
    return std::nullopt;
  }
  return parser.Object(decl.params, op.value, op.key_pos, op.key, owner, std::move(params));
}

std::optional<ParamValue> DefaultValue(const ParamDecl& param) {
  if (param.default_value.empty()) return std::nullopt;
  // Parsed as YAML so that a default reads exactly as a written value;
  // defaults are checked by the registry test, so errors go nowhere.
  Diagnostics ignored("default");
  Reader reader(param.default_value, ignored);
  ParamParser parser(reader);
  std::optional<ParamValue> v = parser.Value(param, YAML::Load(param.default_value), Pos{}, param.name);
  if (v) v->columns.clear();
  return v;
}

std::vector<std::string> DeclaredKeys(std::string_view operator_name, std::string_view path) {
  const OperatorDecl& decl = Structural(operator_name);
  if (path.empty()) return decl.ParamNames();
  const ParamDecl* p = decl.FindParam(path);
  if (p == nullptr) throw std::logic_error("no parameter '" + std::string(path) + "' of " + decl.name);
  std::vector<std::string> out;
  for (const ParamDecl& f : p->fields) out.push_back(f.name);
  return out;
}

}  // namespace streamapp::yaml
