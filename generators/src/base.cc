#include "base.h"

#include <charconv>
#include <cmath>

namespace streamapp::generators {

Params::Params(const std::vector<ParamSpec>& specs, const std::map<std::string, std::string>& values) {
  for (const ParamSpec& s : specs) values_.emplace(s.name, s.default_value);
  for (const auto& [name, value] : values) {
    auto it = values_.find(name);
    if (it == values_.end()) {
      std::string known;
      for (const ParamSpec& s : specs) known += (known.empty() ? "" : ", ") + s.name;
      Fail("unknown parameter '" + name + "' (known: " + known + ")");
      continue;
    }
    it->second = value;
  }
}

void Params::Fail(std::string message) {
  if (status_.ok()) status_ = Status::InvalidArgument(std::move(message));
}

const std::string& Params::Raw(std::string_view name) {
  auto it = values_.find(name);
  if (it == values_.end()) {
    static const std::string kEmpty;
    Fail("internal: no parameter " + std::string(name));
    return kEmpty;
  }
  return it->second;
}

std::string Params::Str(std::string_view name) {
  return Raw(name);
}

bool ParseDouble(std::string_view text, double* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(*out);
}

int64_t Params::Int(std::string_view name, int64_t min, int64_t max) {
  const std::string& text = Raw(name);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
    Fail("parameter " + std::string(name) + "=" + text + ": expected an integer in [" + std::to_string(min) + ", " +
         std::to_string(max) + "]");
    return min;
  }
  return v;
}

double Params::Double(std::string_view name, double min, double max) {
  const std::string& text = Raw(name);
  double v = 0;
  if (!ParseDouble(text, &v) || v < min || v > max) {
    Fail("parameter " + std::string(name) + "=" + text + ": expected a number in [" + std::to_string(min) + ", " +
         std::to_string(max) + "]");
    return min;
  }
  return v;
}

std::vector<std::string> Params::List(std::string_view name) {
  std::vector<std::string> items;
  std::string_view text = Raw(name);
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (items.empty()) Fail("parameter " + std::string(name) + ": expected a non-empty comma-separated list");
  return items;
}

std::vector<std::vector<std::string>> Params::Tuples(std::string_view name, size_t min_parts, size_t max_parts) {
  std::vector<std::vector<std::string>> out;
  for (const std::string& item : List(name)) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
      size_t colon = item.find(':', start);
      parts.push_back(item.substr(start, colon - start));
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
    if (parts.size() < min_parts || parts.size() > max_parts) {
      Fail("parameter " + std::string(name) + ": item '" + item + "' should have " + std::to_string(min_parts) +
           (min_parts == max_parts ? "" : " to " + std::to_string(max_parts)) + " ':'-separated parts");
      continue;
    }
    out.push_back(std::move(parts));
  }
  return out;
}

DefectPlan GeneratorBase::PlanDefect(const std::vector<int>& required) {
  DefectPlan plan;
  if (options_.bad_ratio <= 0 || !defects_.Chance(options_.bad_ratio)) return plan;
  // An even mix of the five kinds.
  plan.kind = static_cast<Defect>(1 + defects_.Below(5));
  if (plan.kind == Defect::kMissingField || plan.kind == Defect::kWrongType) {
    plan.field = required[defects_.Below(required.size())];
  }
  return plan;
}

void GeneratorBase::BeginValue(GeneratedRecord& out, const DefectPlan& plan) {
  out.defect = plan.kind;
  out.primary = true;
  out.truth.clear();
  enc_.Begin(&out.value, plan.kind == Defect::kMissingField ? plan.field : 0,
             plan.kind == Defect::kWrongType ? plan.field : 0);
}

void GeneratorBase::EndValue(GeneratedRecord& out, const DefectPlan& plan) {
  enc_.End();
  if (plan.kind == Defect::kInvalidEncoding) enc_.Corrupt();
  if (options_.format == Format::kProtobuf) {
    out.value_kind = ValueKind::kBinary;
  } else {
    out.value_kind = plan.kind == Defect::kInvalidEncoding ? ValueKind::kText : ValueKind::kJson;
  }
}

}  // namespace streamapp::generators
