// The fraud model file (docs/fraud.md, "Model file"): a logistic regression
// over named features, loaded once when the topology is built. Parsing and
// scoring are kept apart from the operator so unit tests reach them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "streamapp/status.h"
#include "streamapp/value.h"

namespace streamapp::operators::fraud {

struct ModelFeature {
  std::string name;       // a field of the record's features object
  std::string transform;  // "identity" or "log1p" (log1p(max(x, 0)))
  double missing = 0;     // the raw value used when the feature is null
  double mean = 0;        // standardisation: (transform(x) - mean) / scale
  double scale = 1;
  double weight = 0;
};

struct FraudModel {
  std::string version;
  double bias = 0;
  double threshold = 0.5;
  std::vector<ModelFeature> features;

  // The probability of fraud for a features object. A feature the model
  // names but the object lacks, or one that is not a number / bool / null,
  // is a configuration mismatch (InvalidArgument), not a record error.
  Result<double> Score(const Value& values) const;
  std::string FeatureNames() const;
};

// Parses the JSON text of a model file; errors say what is wrong where.
Result<FraudModel> ParseModel(std::string_view json_text);

// Reads and parses a model file (the operator resolves a relative path
// against the topology file's directory first).
Result<FraudModel> LoadModel(const std::string& path);

}  // namespace streamapp::operators::fraud
