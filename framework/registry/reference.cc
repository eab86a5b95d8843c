// `stream-app operators` in its three readable forms (table, JSON, Markdown),
// all generated from the declarations.
#include <algorithm>
#include <cctype>
#include <sstream>

#include "registry/json.h"
#include "streamapp/operator_registry.h"

namespace streamapp {
namespace {

using registry::Json;

// "list of string", "map of expression", "enum (a | b)".
std::string TypeText(const ParamDecl& p) {
  switch (p.type) {
    case ParamType::kEnum: {
      std::string out;
      for (const std::string& c : p.choices) out += (out.empty() ? "" : " | ") + c;
      return out;
    }
    case ParamType::kList: return "list of " + TypeText(*p.item);
    case ParamType::kMap: return "map of " + TypeText(*p.item);
    case ParamType::kObject:
      if (!p.same_as_operator.empty()) return "as `" + p.same_as_operator + "`";
      return "object";
    default: return std::string(ParamTypeName(p.type));
  }
}

// Parameters with nested object fields flattened as "window.tumbling", and
// the fields of a list's objects as "rules[].check".
void Flatten(const std::vector<ParamDecl>& params, const std::string& prefix,
             std::vector<std::pair<std::string, const ParamDecl*>>& out) {
  for (const ParamDecl& p : params) {
    out.emplace_back(prefix + p.name, &p);
    if (p.type == ParamType::kObject) Flatten(p.fields, prefix + p.name + ".", out);
    if (p.type == ParamType::kList && p.item && p.item->type == ParamType::kObject) {
      Flatten(p.item->fields, prefix + p.name + "[].", out);
    }
  }
}

std::string FormText(const OperatorDecl& op) {
  std::string out;
  if (op.list_form) return "`" + op.name + ": [{...}, ...]` (a list of parameter mappings)";
  if (!op.shorthand.empty()) out = "`" + op.name + ": <" + op.shorthand + ">` or ";
  if (op.flag_form) out += "`" + op.name + ": true` or ";
  return out + "`" + op.name + ": {parameters}`";
}

// A '|' would end a Markdown table cell.
std::string EscapeCell(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

Json ParamJson(const ParamDecl& p) {
  Json j = Json::EmptyObject();
  j.Set("name", p.name);
  j.Set("type", std::string(ParamTypeName(p.type)));
  j.Set("required", p.required);
  if (!p.default_value.empty()) j.Set("default", p.default_value);
  j.Set("doc", p.doc);
  if (!p.choices.empty()) j.Set("choices", Json::StringArray(p.choices));
  if (p.item) j.Set("item", ParamJson(*p.item));
  if (!p.same_as_operator.empty()) j.Set("same_as_operator", p.same_as_operator);
  if (!p.fields.empty()) {
    Json fields{Json::Array{}};
    for (const ParamDecl& f : p.fields) fields.Push(ParamJson(f));
    j.Set("fields", std::move(fields));
  }
  return j;
}

}  // namespace

std::string OperatorsTable(const OperatorRegistry& registry) {
  std::ostringstream out;
  for (const auto& op : registry.operators()) {
    out << op->name;
    if (!op->aliases.empty()) {
      out << " (alias";
      for (const std::string& a : op->aliases) out << " " << a;
      out << ")";
    }
    out << " — " << op->doc;
    if (op->changes_key) out << " [changes key]";
    if (op->origin != "builtin") out << " [" << op->origin << "]";
    out << "\n";
    std::vector<std::pair<std::string, const ParamDecl*>> rows;
    Flatten(op->params, "", rows);
    size_t name_width = 0, type_width = 0;
    // Enums show their choices after the doc, so the type column stays narrow.
    auto type_of = [](const ParamDecl& p) { return p.type == ParamType::kEnum ? std::string("enum") : TypeText(p); };
    for (const auto& [name, p] : rows) {
      name_width = std::max(name_width, name.size());
      type_width = std::max(type_width, type_of(*p).size());
    }
    for (const auto& [name, p] : rows) {
      const std::string type = type_of(*p);
      std::string req = p->required ? "required" : p->default_value.empty() ? "optional" : "= " + p->default_value;
      out << "    " << name << std::string(name_width - name.size() + 2, ' ') << type
          << std::string(type_width - type.size() + 2, ' ') << req
          << std::string(req.size() < 12 ? 12 - req.size() : 1, ' ') << p->doc
          << (p->type == ParamType::kEnum ? " (" + TypeText(*p) + ")" : "") << "\n";
    }
    for (const StoreDecl& s : op->stores) {
      out << "    store <node>" << s.name_suffix << " (" << std::string(StoreKindName(s.kind)) << "): " << s.doc
          << "\n";
    }
  }
  return out.str();
}

std::string OperatorsJson(const OperatorRegistry& registry) {
  Json all{Json::Array{}};
  for (const auto& op : registry.operators()) {
    Json j = Json::EmptyObject();
    j.Set("name", op->name);
    j.Set("aliases", Json::StringArray(op->aliases));
    j.Set("doc", op->doc);
    j.Set("origin", op->origin);
    j.Set("shorthand", op->shorthand.empty() ? Json() : Json(op->shorthand));
    j.Set("flag_form", op->flag_form);
    j.Set("list_form", op->list_form);
    j.Set("changes_key", op->changes_key);
    j.Set("structural", op->structural);
    Json stores{Json::Array{}};
    for (const StoreDecl& s : op->stores) {
      Json sj = Json::EmptyObject();
      sj.Set("name_suffix", s.name_suffix);
      sj.Set("kind", std::string(StoreKindName(s.kind)));
      sj.Set("doc", s.doc);
      stores.Push(std::move(sj));
    }
    j.Set("stores", std::move(stores));
    Json params{Json::Array{}};
    for (const ParamDecl& p : op->params) params.Push(ParamJson(p));
    j.Set("params", std::move(params));
    all.Push(std::move(j));
  }
  return all.Dump();
}

std::string OperatorsMarkdown(const OperatorRegistry& registry) {
  std::ostringstream out;
  out << "# Operator reference\n\n"
         "Generated from the operator declarations by `stream-app operators --format markdown`; do not edit by "
         "hand\n(a unit test checks that this file is what the generator prints). Every step of a pipeline is one "
         "of\nthese operators, plus the step keys `name` (a stable node name) and `on_error` (dlq | skip | fail).\n"
         "Plugins add operators of their own: `stream-app operators --plugin PATH` lists them too. The format of\n"
         "the whole file is in `topology-format.md`; its JSON Schema is `topology.schema.json`.\n\n";
  for (const auto& op : registry.operators()) {
    // Markdown renderers make heading anchors lowercase.
    std::string anchor = op->name;
    std::transform(anchor.begin(), anchor.end(), anchor.begin(), [](unsigned char c) { return std::tolower(c); });
    out << "- [`" << op->name << "`](#" << anchor << ")\n";
  }
  for (const auto& op : registry.operators()) {
    out << "\n## " << op->name << "\n\n" << op->doc << "\n\n";
    out << "- form: " << FormText(*op) << "\n";
    if (!op->aliases.empty()) {
      out << "- aliases:";
      for (const std::string& a : op->aliases) out << " `" << a << "`";
      out << "\n";
    }
    out << "- changes the key: " << (op->changes_key ? "yes" : "no") << "\n";
    for (const StoreDecl& s : op->stores) {
      out << "- store `<node>" << s.name_suffix << "` (" << std::string(StoreKindName(s.kind)) << "): " << s.doc
          << "\n";
    }
    std::vector<std::pair<std::string, const ParamDecl*>> rows;
    Flatten(op->params, "", rows);
    if (rows.empty()) {
      out << "\nNo parameters.\n";
      continue;
    }
    out << "\n| parameter | type | required | default | description |\n|---|---|---|---|---|\n";
    for (const auto& [name, p] : rows) {
      out << "| `" << name << "` | " << EscapeCell(TypeText(*p)) << " | " << (p->required ? "yes" : "no") << " | "
          << (p->default_value.empty() ? "" : "`" + p->default_value + "`") << " | " << EscapeCell(p->doc) << " |\n";
    }
  }
  return out.str();
}

}  // namespace streamapp
