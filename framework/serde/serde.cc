// MakeSerde: spec string -> serde.
#include "streamapp/serde.h"

#include <optional>
#include <string>
#include <vector>

#include "serde/edit_distance.h"
#include "serde/serde_impls.h"

namespace streamapp {
namespace {

constexpr std::string_view kProtobufPrefix = "protobuf:";

std::string UnknownSpecMessage(std::string_view spec) {
  std::string names;
  for (const std::string& name : SerdeSpecNames()) {
    if (!names.empty()) names += ", ";
    names += name;
  }
  std::string message = "unknown serde '" + std::string(spec) + "'; expected one of " + names;
  // Suggest a plain spec, or "protobuf:<name>" for a misspelt prefix.
  std::optional<std::string> suggestion;
  size_t colon = spec.find(':');
  if (colon != std::string_view::npos) {
    if (serde::EditDistance(spec.substr(0, colon), "protobuf") <= 2) {
      suggestion = "protobuf" + std::string(spec.substr(colon));
    }
  } else {
    std::vector<std::string> plain(SerdeSpecNames().begin(), SerdeSpecNames().end() - 1);
    plain.push_back("protobuf");
    suggestion = serde::NearestName(spec, plain);
    if (suggestion == "protobuf") suggestion = "protobuf:<Message>";
  }
  if (suggestion) message += "; did you mean '" + *suggestion + "'?";
  return message;
}

}  // namespace

const std::vector<std::string>& SerdeSpecNames() {
  static const std::vector<std::string> kNames = {"string", "bytes", "json", "int64", "double", "protobuf:<Message>"};
  return kNames;
}

Result<std::shared_ptr<const Serde>> MakeSerde(std::string_view spec, const SerdeOptions& options) {
  if (spec == "string") return serde::MakeStringSerde();
  if (spec == "bytes") return serde::MakeBytesSerde();
  if (spec == "json") return serde::MakeJsonSerde();
  if (spec == "int64") return serde::MakeInt64Serde();
  if (spec == "double") return serde::MakeDoubleSerde();
  if (spec.starts_with(kProtobufPrefix)) {
    std::string_view message = spec.substr(kProtobufPrefix.size());
    if (message.empty()) {
      return Status::InvalidArgument("serde 'protobuf:' needs a message name, e.g. 'protobuf:shop.Order'");
    }
    return serde::MakeProtobufSerde(std::string(spec), message, options);
  }
  if (spec == "protobuf") {
    return Status::InvalidArgument("serde 'protobuf' needs a message name, e.g. 'protobuf:shop.Order'");
  }
  return Status::InvalidArgument(UnknownSpecMessage(spec));
}

}  // namespace streamapp
