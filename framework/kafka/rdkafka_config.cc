#include "kafka/rdkafka_config.h"

#include <spdlog/spdlog.h>

#include <string>

namespace streamapp::kafka {

void LogEventCb::event_cb(RdKafka::Event& event) {
  switch (event.type()) {
    case RdKafka::Event::EVENT_ERROR:
      // Transport errors are retried by librdkafka; they are noise at warn.
      if (event.fatal()) {
        spdlog::error("kafka: fatal error: {}", event.str());
      } else {
        spdlog::debug("kafka: {} {}", RdKafka::err2str(event.err()), event.str());
      }
      break;
    case RdKafka::Event::EVENT_LOG:
      if (event.severity() <= RdKafka::Event::EVENT_SEVERITY_ERROR) {
        spdlog::warn("kafka: {} {}", event.fac(), event.str());
      } else {
        spdlog::debug("kafka: {} {}", event.fac(), event.str());
      }
      break;
    default: break;
  }
}

LogEventCb* SharedLogEventCb() {
  static LogEventCb cb;
  return &cb;
}

Result<std::unique_ptr<RdKafka::Conf>> BuildConf(const Config& defaults, const Config& config) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (const Config* layer : {&defaults, &config}) {
    for (const auto& [key, value] : *layer) {
      if (conf->set(key, value, err) != RdKafka::Conf::CONF_OK) {
        return Status::InvalidArgument("kafka property " + key + "=" + value + ": " + err);
      }
    }
  }
  if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(SharedLogEventCb()), err) != RdKafka::Conf::CONF_OK) {
    return Status::Internal("cannot set event_cb: " + err);
  }
  return conf;
}

}  // namespace streamapp::kafka
