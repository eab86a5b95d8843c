// What the five generators share: parameters with defaults (--set), the
// malformed-record planner, and the encoder.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "encoder.h"
#include "random.h"
#include "streamapp/generators/generator.h"

namespace streamapp::generators {

// A generator's parameters: the specs' defaults overridden by --set values.
// Conversion errors are remembered (first one wins) so constructors read
// parameters plainly and the factory reports the error afterwards.
class Params {
 public:
  Params(const std::vector<ParamSpec>& specs, const std::map<std::string, std::string>& values);

  std::string Str(std::string_view name);
  int64_t Int(std::string_view name, int64_t min, int64_t max);
  double Double(std::string_view name, double min, double max);
  // Comma-separated, empty items dropped.
  std::vector<std::string> List(std::string_view name);
  // "a:b:c" items of a list, each with between min_parts and max_parts parts.
  std::vector<std::vector<std::string>> Tuples(std::string_view name, size_t min_parts, size_t max_parts);

  void Fail(std::string message);
  const Status& status() const { return status_; }

 private:
  const std::string& Raw(std::string_view name);

  std::map<std::string, std::string, std::less<>> values_;
  Status status_;
};

// Parses a number parameter value; false when it is not one.
bool ParseDouble(std::string_view text, double* out);

struct DefectPlan {
  Defect kind = Defect::kNone;
  int field = 0;  // the field to leave out or mistype
};

class GeneratorBase : public Generator {
 protected:
  GeneratorBase(const GeneratorOptions& options, std::string_view default_topic)
      : options_(options),
        main_topic_(options.topic.empty() ? std::string(default_topic) : options.topic),
        enc_(options.format),
        defects_(options.seed, 0xbad) {}

  // Decides whether the next primary record is malformed and how;
  // `required` lists the field numbers that may be left out or mistyped.
  // Drawn from its own random stream, so the good records are the same
  // whatever the bad ratio: a bad record replaces a good one, it does not
  // shift the sequence.
  DefectPlan PlanDefect(const std::vector<int>& required);
  void BeginValue(GeneratedRecord& out, const DefectPlan& plan);
  void EndValue(GeneratedRecord& out, const DefectPlan& plan);

  GeneratorOptions options_;
  std::string main_topic_;
  Encoder enc_;
  Rng defects_;
};

}  // namespace streamapp::generators
