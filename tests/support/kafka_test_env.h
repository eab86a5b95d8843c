// Access to the real broker for integration tests, and fresh names.
//
// The broker is, in order: STREAMAPP_BOOTSTRAP; the address CTest's broker
// fixture wrote to STREAMAPP_BOOTSTRAP_FILE; or one started on demand by
// scripts/kafka-local.sh for this test process and stopped at its exit.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "kafka/clients.h"

namespace streamapp::testing {

const std::string& Bootstrap();

// A name no other test (or earlier run) has used: prefix, test name, pid, a
// counter and random bits. Safe as a topic name, group id or application id.
std::string FreshName(const std::string& prefix);

kafka::Config BaseConfig();
std::unique_ptr<kafka::Admin> MakeTestAdmin();

// Creates a topic with fresh name `prefix...` and returns its name.
std::string CreateFreshTopic(const std::string& prefix, int partitions);

// Reads records from the topics until `count` arrived, or until `idle` passes
// with nothing new (then returns what it has).
std::vector<kafka::Message> ReadAll(const std::vector<std::string>& topics, size_t count,
                                    const std::string& isolation = "read_committed",
                                    std::chrono::milliseconds idle = std::chrono::seconds(10));

}  // namespace streamapp::testing
