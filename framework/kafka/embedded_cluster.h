// An in-process Kafka-protocol cluster (librdkafka's mock cluster) for
// `stream-app run --embedded`: no broker to install.
//
// The mock cluster answers produce, fetch, metadata, list-offsets and
// consumer-group requests, but no CreateTopics, DescribeConfigs or
// DeleteRecords, and it does NOT honour transactions (no markers, no
// read_committed filtering, transactional offset commits dropped): never use
// it to claim exactly-once. Topics are created on the cluster directly;
// the admin clients it hands out create topics and answer config lookups
// from that record, and treat DeleteRecords as a no-op.
#pragma once

#include <memory>
#include <string>

#include "kafka/clients.h"
#include "streamapp/status.h"

namespace streamapp::kafka {

class EmbeddedCluster {
 public:
  // Starts a cluster of `brokers` brokers listening on loopback.
  static Result<std::unique_ptr<EmbeddedCluster>> Start(int brokers);
  // Every client of the cluster must be closed before it is destroyed.
  ~EmbeddedCluster();
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

  const std::string& bootstrap_servers() const { return bootstrap_servers_; }
  // AlreadyExists when a topic of that name was created before.
  Status CreateTopic(const NewTopic& topic);
  // Clients for the stream threads: librdkafka's producers and consumers,
  // and admins that go through this cluster for what the mock does not serve.
  // The factory must not outlive the cluster.
  std::shared_ptr<ClientFactory> Clients();
  // Such an admin on its own (bootstrap.servers is set to the cluster's).
  Result<std::unique_ptr<Admin>> NewAdmin(const Config& config);

  struct Impl;

 private:
  explicit EmbeddedCluster(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string bootstrap_servers_;
};

}  // namespace streamapp::kafka
