// librdkafka error -> Status, keeping the retriable/abortable/fatal classes.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <string_view>

#include "streamapp/status.h"

namespace streamapp::kafka {

Status FromErrorCode(RdKafka::ErrorCode code, std::string_view what);
// Takes ownership of `error` (may be null: OK).
Status FromError(RdKafka::Error* error, std::string_view what);
// The same for the C API's error object (takes ownership; may be null).
Status FromCError(rd_kafka_error_t* error, std::string_view what);

}  // namespace streamapp::kafka
