// Builds librdkafka configuration objects, with the framework's defaults and
// librdkafka's logs routed to spdlog.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <memory>

#include "kafka/clients.h"

namespace streamapp::kafka {

// Logs librdkafka events through spdlog ("kafka" prefix).
class LogEventCb : public RdKafka::EventCb {
 public:
  void event_cb(RdKafka::Event& event) override;
};

LogEventCb* SharedLogEventCb();

// Applies `defaults`, then `config` (user wins), onto a new global conf.
Result<std::unique_ptr<RdKafka::Conf>> BuildConf(const Config& defaults, const Config& config);

}  // namespace streamapp::kafka
