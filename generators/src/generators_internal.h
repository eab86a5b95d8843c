// The per-pipeline generators behind MakeGenerator (one .cc each).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base.h"

namespace streamapp::generators {

const std::vector<ParamSpec>& CryptoParams();
const std::vector<ParamSpec>& SalesParams();
const std::vector<ParamSpec>& ClickstreamParams();
const std::vector<ParamSpec>& IotParams();
const std::vector<ParamSpec>& FraudParams();

std::unique_ptr<Generator> MakeCryptoGenerator(const GeneratorOptions& options, Params& params);
std::unique_ptr<Generator> MakeSalesGenerator(const GeneratorOptions& options, Params& params);
std::unique_ptr<Generator> MakeClickstreamGenerator(const GeneratorOptions& options, Params& params);
std::unique_ptr<Generator> MakeIotGenerator(const GeneratorOptions& options, Params& params);
std::unique_ptr<Generator> MakeFraudGenerator(const GeneratorOptions& options, Params& params);

// Sets *out to prefix + v zero-padded to `width` digits ("c-00042").
void SetId(std::string* out, std::string_view prefix, int64_t v, int width);

}  // namespace streamapp::generators
