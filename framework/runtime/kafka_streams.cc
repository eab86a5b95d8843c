#include "streamapp/kafka_streams.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <random>

#include "dsl/graph.h"
#include "kafka/clients.h"
#include "observe/http_server.h"
#include "runtime/global_state.h"
#include "runtime/internal_topics.h"
#include "runtime/stream_thread.h"
#include "runtime/thread_status.h"
#include "runtime/worker_view.h"
#include "state/stores.h"

namespace streamapp {
namespace {

using namespace std::chrono_literals;

std::string ProcessId() {
  std::random_device rd;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08x%04x", rd(), static_cast<unsigned>(getpid()) & 0xffff);
  return buf;
}

bool UsesDeadLetterQueue(const dsl::TopologyData& data) {
  for (const auto& n : data.nodes) {
    if (n.on_error == ErrorHandling::kDlq) return true;
  }
  return false;
}

}  // namespace

KafkaStreams::KafkaStreams(Topology topology, StreamsConfig config)
    : topology_(std::move(topology)), config_(std::move(config)) {}

KafkaStreams::~KafkaStreams() {
  StopHttp();
  RequestStop();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
}

Status KafkaStreams::Preflight() {
  kafka::Config admin_config = config_.kafka;
  admin_config["bootstrap.servers"] = config_.bootstrap_servers;
  ASSIGN_OR_RETURN(std::unique_ptr<kafka::Admin> admin, client_factory_->NewAdmin(admin_config));
  resolved_ = dsl::ResolveInternalTopics(topology_.data(), config_.application_id);
  ASSIGN_OR_RETURN(partitions_, runtime::PrepareTopics(*resolved_, config_, *admin));
  if (UsesDeadLetterQueue(*resolved_)) {
    const std::string dlq = config_.EffectiveDlqTopic();
    auto count = admin->PartitionCount(dlq, 30s);
    if (!count.ok() && count.status().code() == StatusCode::kNotFound) {
      Status st = admin->CreateTopics({{dlq, config_.dlq_partitions, 1, {}}}, 30s);
      if (!st.ok() && st.code() != StatusCode::kAlreadyExists) return st.WithContext("creating the dead-letter topic");
      spdlog::info("created dead-letter topic {}", dlq);
    } else if (!count.ok()) {
      return count.status();
    }
  }
  return Status::Ok();
}

Status KafkaStreams::Start() {
  if (state_ != State::kCreated) return Status::InvalidArgument("already started");
  RETURN_IF_ERROR(config_.Validate());
  if (!client_factory_) client_factory_ = std::make_shared<kafka::ClientFactory>();
  if (Status st = Preflight(); !st.ok()) {
    state_ = State::kError;
    return st;
  }
  const std::string prefix = config_.application_id + "-" + ProcessId();
  state_resources_ = std::make_unique<state::StateResources>(config_.state_memory_bytes);
  auto data = resolved_;
  for (int i = 0; i < config_.num_threads; ++i) {
    statuses_.push_back(std::make_shared<runtime::ThreadStatus>("StreamThread-" + std::to_string(i + 1)));
  }
  // Before the threads: /health, /ready and /metrics answer from the start.
  if (Status st = StartHttp(); !st.ok()) {
    state_ = State::kError;
    return st;
  }
  const std::map<std::string, KeyValueStore*>* global_stores = nullptr;
  if (!data->global_tables.empty()) {
    global_ = std::make_unique<runtime::GlobalState>(data->global_tables, config_, state_resources_.get());
    if (Status st = global_->Bootstrap(); !st.ok()) {
      state_ = State::kError;
      return st.WithContext("loading global tables");
    }
    global_->Start(stop_);
    global_stores = &global_->stores();
  }
  results_.resize(static_cast<size_t>(config_.num_threads));
  for (int i = 0; i < config_.num_threads; ++i) {
    threads_.push_back(std::make_unique<runtime::StreamThread>(
        i + 1, data, config_, prefix, stop_, state_resources_.get(), global_stores, client_factory_.get(),
        statuses_[static_cast<size_t>(i)]));
  }
  for (int i = 0; i < config_.num_threads; ++i) {
    workers_.emplace_back([this, i] {
      results_[static_cast<size_t>(i)] = threads_[static_cast<size_t>(i)]->Run();
      // One failed thread stops the instance: a partial worker would hold
      // partitions it cannot process.
      if (!results_[static_cast<size_t>(i)].ok()) stop_.store(true);
    });
  }
  state_ = State::kRunning;
  spdlog::info("application {} started with {} stream thread(s)", config_.application_id, config_.num_threads);
  return Status::Ok();
}

void KafkaStreams::RequestStop() {
  stop_.store(true);
  if (state_ == State::kRunning) state_ = State::kPendingShutdown;
}

Status KafkaStreams::Wait() {
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
  StopHttp();
  if (global_) {
    stop_.store(true);
    Status st = global_->Stop();
    if (!st.ok()) results_.push_back(st.WithContext("global tables"));
  }
  for (const Status& st : results_) {
    if (!st.ok()) {
      state_ = State::kError;
      return st;
    }
  }
  if (state_ != State::kError) state_ = State::kNotRunning;
  return Status::Ok();
}

Status KafkaStreams::StartHttp() {
  if (config_.http_port == 0) return Status::Ok();
  runtime::RuntimeViewEnv env;
  env.topology = resolved_;
  env.partitions = partitions_;
  env.threads = statuses_;
  env.resources = state_resources_.get();
  env.topology_json = topology_.DescribeJson() + "\n";
  kafka::Config admin_config = config_.kafka;
  admin_config["bootstrap.servers"] = config_.bootstrap_servers;
  ASSIGN_OR_RETURN(env.groups, kafka::MakeGroupAdmin(admin_config));
  env.group = config_.application_id;
  view_ = std::make_unique<runtime::RuntimeView>(std::move(env));
  http_ = std::make_unique<observe::HttpServer>(*view_);
  return http_->Start(config_.http_bind, config_.http_port).WithContext("http.port");
}

void KafkaStreams::StopHttp() {
  if (http_) http_->Stop();
}

int KafkaStreams::http_port() const {
  return http_ ? http_->port() : 0;
}

}  // namespace streamapp
