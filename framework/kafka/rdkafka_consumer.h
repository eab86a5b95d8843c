#pragma once

#include <librdkafka/rdkafkacpp.h>

#include "kafka/clients.h"

namespace streamapp::kafka {

// The librdkafka handle behind a Consumer made by MakeConsumer(), or null for
// any other implementation. Transactions need it for the group metadata.
RdKafka::KafkaConsumer* UnderlyingConsumer(Consumer& consumer);

}  // namespace streamapp::kafka
