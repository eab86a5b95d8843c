// Constructors for the concrete serdes; MakeSerde (serde.cc) dispatches here.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "streamapp/serde.h"

namespace streamapp::serde {

std::shared_ptr<const Serde> MakeStringSerde();
std::shared_ptr<const Serde> MakeBytesSerde();
std::shared_ptr<const Serde> MakeInt64Serde();
std::shared_ptr<const Serde> MakeDoubleSerde();
std::shared_ptr<const Serde> MakeJsonSerde();

// `spec` is the whole spec ("protobuf:shop.Order"), `message` the name after
// the colon.
Result<std::shared_ptr<const Serde>> MakeProtobufSerde(std::string spec, std::string_view message,
                                                       const SerdeOptions& options);

}  // namespace streamapp::serde
