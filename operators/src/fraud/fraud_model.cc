#include "fraud/fraud_model.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "streamapp/serde.h"

namespace streamapp::operators::fraud {
namespace {

constexpr std::string_view kFormat = "streamapp-fraud-logistic-regression";

Result<double> NumberField(const Value& obj, std::string_view name, std::string_view where) {
  const Value* v = obj.Find(name);
  if (v == nullptr || !v->is_number() || !std::isfinite(v->as_number())) {
    return Status::InvalidArgument(std::string(where) + ": '" + std::string(name) + "' must be a finite number");
  }
  return v->as_number();
}

Result<ModelFeature> ParseFeature(const Value& f, size_t index) {
  const std::string where = "features[" + std::to_string(index) + "]";
  if (!f.is_object()) return Status::InvalidArgument(where + " must be an object");
  ModelFeature out;
  const Value* name = f.Find("name");
  if (name == nullptr || !name->is_string() || name->as_string().empty()) {
    return Status::InvalidArgument(where + ": 'name' must be a non-empty string");
  }
  out.name = name->as_string();
  const std::string named = where + " (" + out.name + ")";
  const Value* transform = f.Find("transform");
  out.transform = transform == nullptr ? "identity" : transform->is_string() ? transform->as_string() : "";
  if (out.transform != "identity" && out.transform != "log1p") {
    return Status::InvalidArgument(named + ": 'transform' must be \"identity\" or \"log1p\"");
  }
  ASSIGN_OR_RETURN(out.missing, NumberField(f, "missing", named));
  ASSIGN_OR_RETURN(out.mean, NumberField(f, "mean", named));
  ASSIGN_OR_RETURN(out.scale, NumberField(f, "scale", named));
  ASSIGN_OR_RETURN(out.weight, NumberField(f, "weight", named));
  if (out.scale <= 0) return Status::InvalidArgument(named + ": 'scale' must be > 0");
  return out;
}

double Transform(const ModelFeature& f, double x) {
  return f.transform == "log1p" ? std::log1p(std::max(x, 0.0)) : x;
}

}  // namespace

Result<FraudModel> ParseModel(std::string_view json_text) {
  auto json = MakeSerde("json", {});
  if (!json.ok()) return json.status();
  Value root;
  if (Status st = (*json)->Deserialize(json_text, &root); !st.ok()) {
    return Status::InvalidArgument("not valid JSON: " + st.message());
  }
  if (!root.is_object()) return Status::InvalidArgument("the model must be a JSON object");
  const Value* format = root.Find("format");
  if (format == nullptr || !format->is_string() || format->as_string() != kFormat) {
    return Status::InvalidArgument("'format' must be \"" + std::string(kFormat) + "\"");
  }
  FraudModel model;
  const Value* version = root.Find("version");
  if (version == nullptr || !version->is_string() || version->as_string().empty()) {
    return Status::InvalidArgument("'version' must be a non-empty string");
  }
  model.version = version->as_string();
  ASSIGN_OR_RETURN(model.bias, NumberField(root, "bias", "model"));
  ASSIGN_OR_RETURN(model.threshold, NumberField(root, "threshold", "model"));
  if (model.threshold <= 0 || model.threshold >= 1) {
    return Status::InvalidArgument("model: 'threshold' must be between 0 and 1 (exclusive)");
  }
  const Value* features = root.Find("features");
  if (features == nullptr || !features->is_array() || features->as_array().empty()) {
    return Status::InvalidArgument("'features' must be a non-empty array");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < features->as_array().size(); ++i) {
    ASSIGN_OR_RETURN(ModelFeature f, ParseFeature(features->as_array()[i], i));
    if (!seen.insert(f.name).second) return Status::InvalidArgument("feature '" + f.name + "' is listed twice");
    model.features.push_back(std::move(f));
  }
  return model;
}

Result<FraudModel> LoadModel(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open model file '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  Result<FraudModel> model = ParseModel(text.str());
  if (!model.ok()) return Status::InvalidArgument("model file '" + path + "': " + model.status().message());
  return model;
}

Result<double> FraudModel::Score(const Value& values) const {
  if (!values.is_object()) {
    return Status::InvalidArgument("fraud model: the features are not an object: " + values.ToJson());
  }
  double z = bias;
  for (const ModelFeature& f : features) {
    const Value* v = values.Find(f.name);
    if (v == nullptr) {
      return Status::InvalidArgument("fraud model " + version + " needs feature '" + f.name +
                                     "', which the record does not have (model features: " + FeatureNames() + ")");
    }
    double x = 0;
    if (v->is_null()) {
      x = f.missing;
    } else if (v->is_bool()) {
      x = v->as_bool() ? 1.0 : 0.0;
    } else if (v->is_number()) {
      x = v->as_number();
    } else {
      return Status::InvalidArgument("fraud model " + version + ": feature '" + f.name +
                                     "' is not a number, bool or null: " + v->ToJson());
    }
    z += f.weight * ((Transform(f, x) - f.mean) / f.scale);
  }
  return 1.0 / (1.0 + std::exp(-z));
}

std::string FraudModel::FeatureNames() const {
  std::string out;
  for (const ModelFeature& f : features) out += (out.empty() ? "" : ", ") + f.name;
  return out;
}

}  // namespace streamapp::operators::fraud
