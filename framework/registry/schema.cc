// The JSON Schema (draft 2020-12) of topology files: the file's sections
// from TopologyFileDecl, the steps from the registry, so editors validate
// and complete exactly what the loader accepts.
#include "registry/file_format.h"
#include "registry/json.h"
#include "streamapp/operator_registry.h"

namespace streamapp {
namespace {

using registry::Json;

Json Ref(const std::string& def) {
  Json j = Json::EmptyObject();
  j.Set("$ref", "#/$defs/" + def);
  return j;
}

Json Typed(Json type) {
  Json j = Json::EmptyObject();
  j.Set("type", std::move(type));
  return j;
}

Json AnyOf(Json::Array options) {
  Json j = Json::EmptyObject();
  j.Set("anyOf", Json(std::move(options)));
  return j;
}

// YAML writes `initial: 0` or `key: 42` unquoted: a scalar is text to the
// loader whatever YAML type it has.
Json ScalarText() {
  return Typed(Json::StringArray({"string", "number", "boolean"}));
}

Json ObjectSchema(const std::vector<ParamDecl>& fields, const std::string& doc);

Json ParamSchema(const ParamDecl& p) {
  Json j;
  switch (p.type) {
    case ParamType::kString:
    case ParamType::kField:
    case ParamType::kExpression: j = ScalarText(); break;
    case ParamType::kInt: j = Typed("integer"); break;
    case ParamType::kDouble: j = Typed("number"); break;
    case ParamType::kBool: j = Typed("boolean"); break;
    case ParamType::kDuration: j = Ref("duration"); break;
    case ParamType::kEnum: {
      j = Json::EmptyObject();
      j.Set("enum", Json::StringArray(p.choices));
      break;
    }
    case ParamType::kList: {
      Json array = Typed("array");
      array.Set("items", ParamSchema(*p.item));
      j = p.item->type == ParamType::kObject ? array : AnyOf({ParamSchema(*p.item), array});
      break;
    }
    case ParamType::kMap: {
      j = Typed("object");
      j.Set("additionalProperties", ParamSchema(*p.item));
      break;
    }
    case ParamType::kObject:
      j = p.same_as_operator.empty() ? ObjectSchema(p.fields, "") : Ref("operators/" + p.same_as_operator);
      // An object whose default is written as a scalar also takes that
      // scalar (a stream's `timestamp: record`).
      if (!p.default_value.empty()) {
        Json constant = Json::EmptyObject();
        constant.Set("const", p.default_value);
        Json any{Json::Array{}};
        any.Push(std::move(constant));
        any.Push(std::move(j));
        j = Json::EmptyObject();
        j.Set("anyOf", std::move(any));
      }
      break;
    case ParamType::kSteps: j = Ref("steps"); break;
  }
  // A $ref with siblings is fine in 2020-12; keep the doc for hovers.
  if (!p.doc.empty()) j.Set("description", p.doc);
  if (!p.default_value.empty()) {
    if (p.type == ParamType::kBool) {
      j.Set("default", p.default_value == "true");
    } else if (p.type == ParamType::kInt) {
      j.Set("default", std::stoll(p.default_value));
    } else {
      j.Set("default", p.default_value);
    }
  }
  return j;
}

Json ObjectSchema(const std::vector<ParamDecl>& fields, const std::string& doc) {
  Json j = Typed("object");
  if (!doc.empty()) j.Set("description", doc);
  Json properties = Json::EmptyObject();
  std::vector<std::string> required;
  for (const ParamDecl& f : fields) {
    properties.Set(f.name, ParamSchema(f));
    if (f.required) required.push_back(f.name);
  }
  j.Set("properties", std::move(properties));
  if (!required.empty()) j.Set("required", Json::StringArray(required));
  j.Set("additionalProperties", false);
  return j;
}

// The value of `<operator>:` in a step.
Json OperatorSchema(const OperatorDecl& op) {
  Json params = ObjectSchema(op.params, "");
  Json j;
  if (op.list_form) {
    j = Typed("array");
    j.Set("items", std::move(params));
  } else {
    Json::Array forms;
    if (!op.shorthand.empty()) forms.push_back(ParamSchema(*op.FindParam(op.shorthand)));
    if (op.flag_form) {
      Json flag = Json::EmptyObject();
      flag.Set("enum", Json(Json::Array{Json(), Json(true)}));
      forms.push_back(std::move(flag));
    }
    forms.push_back(std::move(params));
    j = forms.size() == 1 ? std::move(forms.front()) : AnyOf(std::move(forms));
  }
  j.Set("description", op.doc);
  return j;
}

Json StepSchema(const OperatorRegistry& registry) {
  Json j = Typed("object");
  j.Set("description", "one operator key, plus optional name and on_error");
  Json properties = Json::EmptyObject();
  Json name = Typed("string");
  name.Set("pattern", "^[A-Za-z0-9_-]+$");
  name.Set("description", "a stable node name (state stores and internal topics are named after it)");
  properties.Set("name", std::move(name));
  Json on_error = Json::EmptyObject();
  on_error.Set("enum", Json::StringArray({"dlq", "skip", "fail"}));
  on_error.Set("description", "error handler of this step");
  properties.Set("on_error", std::move(on_error));
  Json one_of{Json::Array{}};
  for (const auto& op : registry.operators()) {
    std::vector<std::string> names = op->aliases;
    names.insert(names.begin(), op->name);
    for (const std::string& n : names) {
      properties.Set(n, Ref("operators/" + op->name));
      Json required = Json::EmptyObject();
      required.Set("required", Json::StringArray({n}));
      one_of.Push(std::move(required));
    }
  }
  j.Set("properties", std::move(properties));
  j.Set("additionalProperties", false);
  j.Set("oneOf", std::move(one_of));
  return j;
}

}  // namespace

std::string TopologyJsonSchema(const OperatorRegistry& registry) {
  const ParamDecl& file = registry::TopologyFileDecl();
  Json root = Json::EmptyObject();
  root.Set("$schema", "https://json-schema.org/draft/2020-12/schema");
  root.Set("$id", "https://streamapp.invalid/topology.schema.json");
  root.Set("title", "streamapp topology file");
  Json body = ObjectSchema(file.fields, "Generated by `stream-app operators --format schema`; do not edit.");
  Json defs = Json::EmptyObject();
  Json duration = AnyOf({[] {
                           Json j = Typed("integer");
                           j.Set("minimum", 0);
                           return j;
                         }(),
                         [] {
                           Json j = Typed("string");
                           j.Set("pattern", "^[0-9]+(ms|s|m|h|d)?$");
                           return j;
                         }()});
  duration.Set("description", "milliseconds, or an integer with a unit: 500ms, 30s, 5m, 2h, 1d");
  defs.Set("duration", std::move(duration));
  Json steps = Typed("array");
  steps.Set("items", Ref("step"));
  defs.Set("steps", std::move(steps));
  defs.Set("step", StepSchema(registry));
  Json operators = Json::EmptyObject();
  for (const auto& op : registry.operators()) operators.Set(op->name, OperatorSchema(*op));
  defs.Set("operators", std::move(operators));
  body.Set("$defs", std::move(defs));
  // The file's object schema is the root, after $schema, $id and title.
  for (const auto& [key, value] : *body.as_object()) root.Set(key, value);
  return root.Dump();
}

}  // namespace streamapp
