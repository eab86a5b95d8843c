// The fraud model file (operators/src/fraud/fraud_model.h): parsing, the
// errors for bad files, feature mismatches at scoring, and the shipped model.
#include "fraud/fraud_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace streamapp::operators::fraud {
namespace {

const char* kModel = R"({
  "format": "streamapp-fraud-logistic-regression", "version": "t-1", "bias": -1.0, "threshold": 0.4,
  "features": [
    {"name": "ratio", "transform": "log1p", "missing": 1.0, "mean": 0.5, "scale": 2.0, "weight": 3.0},
    {"name": "flag", "transform": "identity", "missing": 0.0, "mean": 0.0, "scale": 1.0, "weight": -0.5}
  ]})";

Value Features(Value ratio, Value flag) {
  Value f = Value::MakeObject();
  f.Set("ratio", std::move(ratio));
  f.Set("flag", std::move(flag));
  return f;
}

double Sigmoid(double z) {
  return 1.0 / (1.0 + std::exp(-z));
}

TEST(FraudModel, ParsesAndScoresALogisticRegression) {
  Result<FraudModel> m = ParseModel(kModel);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->version, "t-1");
  EXPECT_DOUBLE_EQ(m->threshold, 0.4);
  ASSERT_EQ(m->features.size(), 2u);
  EXPECT_EQ(m->FeatureNames(), "ratio, flag");

  Result<double> p = m->Score(Features(Value(3.0), Value(true)));
  ASSERT_TRUE(p.ok());
  EXPECT_DOUBLE_EQ(*p, Sigmoid(-1.0 + 3.0 * ((std::log1p(3.0) - 0.5) / 2.0) - 0.5));
  // Null takes the feature's `missing` value; log1p clips negatives at 0.
  p = m->Score(Features(Value(), Value(false)));
  ASSERT_TRUE(p.ok());
  EXPECT_DOUBLE_EQ(*p, Sigmoid(-1.0 + 3.0 * ((std::log1p(1.0) - 0.5) / 2.0)));
  p = m->Score(Features(Value(-7), Value(0)));
  ASSERT_TRUE(p.ok());
  EXPECT_DOUBLE_EQ(*p, Sigmoid(-1.0 + 3.0 * (-0.5 / 2.0)));
}

TEST(FraudModel, AFeatureMismatchIsAConfigurationError) {
  Result<FraudModel> m = ParseModel(kModel);
  ASSERT_TRUE(m.ok());
  Value missing = Value::MakeObject();
  missing.Set("ratio", 2.0);
  Result<double> p = m->Score(missing);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(p.status().message().find("needs feature 'flag'"), std::string::npos) << p.status().message();
  p = m->Score(Features(Value("high"), Value(true)));
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("'ratio' is not a number"), std::string::npos) << p.status().message();
  EXPECT_FALSE(m->Score(Value(1)).ok());
}

TEST(FraudModel, RejectsBadFilesWithTheReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "not valid JSON"},
      {"[]", "must be a JSON object"},
      {R"({"format": "other"})", "'format' must be"},
      {R"({"format": "streamapp-fraud-logistic-regression", "bias": 0, "threshold": 0.5, "features": []})",
       "'version'"},
      {R"({"format": "streamapp-fraud-logistic-regression", "version": "v", "bias": 0, "threshold": 1.5,
           "features": []})",
       "'threshold' must be between 0 and 1"},
      {R"({"format": "streamapp-fraud-logistic-regression", "version": "v", "bias": 0, "threshold": 0.5,
           "features": []})",
       "'features' must be a non-empty array"},
      {R"({"format": "streamapp-fraud-logistic-regression", "version": "v", "bias": 0, "threshold": 0.5,
           "features": [{"name": "a", "missing": 0, "mean": 0, "scale": 1}]})",
       "features[0] (a): 'weight' must be a finite number"},
      {R"({"format": "streamapp-fraud-logistic-regression", "version": "v", "bias": 0, "threshold": 0.5,
           "features": [{"name": "a", "transform": "sqrt", "missing": 0, "mean": 0, "scale": 1, "weight": 1}]})",
       "'transform' must be"},
      {R"({"format": "streamapp-fraud-logistic-regression", "version": "v", "bias": 0, "threshold": 0.5,
           "features": [{"name": "a", "missing": 0, "mean": 0, "scale": 0, "weight": 1}]})",
       "'scale' must be > 0"},
      {R"({"format": "streamapp-fraud-logistic-regression", "version": "v", "bias": 0, "threshold": 0.5,
           "features": [{"name": "a", "missing": 0, "mean": 0, "scale": 1, "weight": 1},
                        {"name": "a", "missing": 0, "mean": 0, "scale": 1, "weight": 2}]})",
       "listed twice"},
  };
  for (const auto& [text, error] : cases) {
    Result<FraudModel> m = ParseModel(text);
    ASSERT_FALSE(m.ok()) << text;
    EXPECT_NE(m.status().message().find(error), std::string::npos) << text << " -> " << m.status().message();
  }
}

TEST(FraudModel, LoadsFilesAndNamesTheMissingOne) {
  Result<FraudModel> none = LoadModel("/nonexistent/fraud_model.json");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("cannot open model file '/nonexistent/fraud_model.json'"), std::string::npos);
  const std::string bad = ::testing::TempDir() + "/fraud_bad_model.json";
  std::ofstream(bad) << "{\"format\": 1}";
  Result<FraudModel> m = LoadModel(bad);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("model file '" + bad + "': 'format' must be"), std::string::npos)
      << m.status().message();
}

TEST(FraudModel, TheShippedModelLoads) {
  Result<FraudModel> m = LoadModel(std::string(STREAMAPP_SOURCE_DIR) + "/models/fraud_model.json");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_FALSE(m->features.empty());
  Result<FraudModel> missing = LoadModel(std::string(STREAMAPP_SOURCE_DIR) + "/models/no_such_model.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("cannot open model file"), std::string::npos);
}

}  // namespace
}  // namespace streamapp::operators::fraud
