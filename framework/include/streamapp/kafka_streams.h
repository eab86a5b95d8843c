// A running application instance: N stream threads executing a topology.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "streamapp/dsl.h"
#include "streamapp/streams_config.h"

namespace streamapp {

namespace runtime {
class StreamThread;
class GlobalState;
class ThreadStatus;
}  // namespace runtime
namespace observe {
class WorkerView;
class HttpServer;
}  // namespace observe
namespace state {
class StateResources;
}
namespace kafka {
class ClientFactory;
}
namespace dsl {
struct TopologyData;
}

class KafkaStreams {
 public:
  enum class State { kCreated, kRunning, kPendingShutdown, kNotRunning, kError };

  KafkaStreams(Topology topology, StreamsConfig config);
  ~KafkaStreams();
  KafkaStreams(const KafkaStreams&) = delete;
  KafkaStreams& operator=(const KafkaStreams&) = delete;

  // Checks the topics against the topology (source and sink topics exist,
  // co-partitioned sources have equal partition counts), creates the
  // dead-letter topic if missing, then starts the threads.
  Status Start();
  // Asks every thread to commit what it processed and leave the group.
  void RequestStop();
  // Waits for the threads; the first error of any thread, or OK. When one
  // thread fails the others are stopped too.
  Status Wait();

  State state() const { return state_; }
  // The port the HTTP endpoint listens on (http.port), 0 when it is off.
  int http_port() const;
  // Before Start(): the stream threads' producers and consumers come from
  // `factory` (tests inject failures this way).
  void SetClientFactory(std::shared_ptr<kafka::ClientFactory> factory) { client_factory_ = std::move(factory); }

 private:
  Status Preflight();
  Status StartHttp();
  void StopHttp();

  Topology topology_;
  std::shared_ptr<const dsl::TopologyData> resolved_;  // internal topics named for the application
  StreamsConfig config_;
  std::shared_ptr<kafka::ClientFactory> client_factory_;
  State state_ = State::kCreated;
  std::atomic<bool> stop_{false};
  // Declared before the threads: their stores use it until they are gone.
  std::unique_ptr<state::StateResources> state_resources_;
  std::unique_ptr<runtime::GlobalState> global_;  // global tables, loaded before the threads start
  std::vector<std::unique_ptr<runtime::StreamThread>> threads_;
  std::vector<std::thread> workers_;
  std::vector<Status> results_;
  std::map<int, int> partitions_;  // per subtopology
  std::vector<std::shared_ptr<runtime::ThreadStatus>> statuses_;
  // Last: stopped first, while everything it looks at still exists.
  std::unique_ptr<observe::WorkerView> view_;
  std::unique_ptr<observe::HttpServer> http_;
};

}  // namespace streamapp
