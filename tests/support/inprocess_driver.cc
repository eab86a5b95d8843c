#include "support/inprocess_driver.h"

#include <stdexcept>

namespace streamapp::testing {

InProcessDriver::InProcessDriver(const Topology& topology, std::string dlq_topic, size_t cache_max_bytes) {
  TestDriverOptions options;
  options.application_id = "driver";
  options.dlq_topic = std::move(dlq_topic);
  options.cache_max_bytes = cache_max_bytes;
  auto created = TopologyTestDriver::Create(topology, std::move(options));
  if (!created.ok()) throw std::runtime_error(created.status().ToString());
  driver_ = std::move(created).value();
}

}  // namespace streamapp::testing
