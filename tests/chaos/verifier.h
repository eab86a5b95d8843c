// The chaos test's verdict, after Kafka's EOS system test: the app echoes
// its input and aggregates it per key (sum, min, and a count through a
// repartition topic); this checks the outputs, read read_committed, against
// the input.
//
// exactly_once: no transaction left open; each echo partition equals the
// input partition record by record; per key, the sum/min outputs are the
// running sum/min of the key's inputs and the count outputs are 1..n — so
// a lost record, a duplicate, or state applied twice all fail.
//
// at_least_once: duplicates are allowed, loss is not. An at-least-once echo
// partition is the input replayed from earlier positions after failures:
// segments input[s..t] where each s is at most the furthest position reached
// so far; every input position must be covered. Per key there must be at
// least one sum/min/count output per input record, the last count at least
// n, every min output a running min of the input and the last one the true
// min (min is idempotent, so replays cannot change it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chaos/topic_reader.h"

namespace streamapp::chaos {

enum class Guarantee { kExactlyOnce, kAtLeastOnce };

// "exactly_once" (or "exactly_once_v2") and "at_least_once".
std::optional<Guarantee> ParseGuarantee(std::string_view name);
const char* GuaranteeName(Guarantee g);

struct ChaosTopics {
  std::string input, echo, sum, min, count;
  std::vector<std::string> Outputs() const { return {echo, sum, min, count}; }
};

struct VerifierInput {
  TopicRecords input, echo, sum, min, count;
  std::vector<std::string> open_transactions;  // one line per output partition with an open transaction
  std::optional<int64_t> expected_input;       // what the driver says it sent, when known
};

struct VerifierReport {
  bool pass = false;
  Guarantee guarantee = Guarantee::kExactlyOnce;
  int64_t input = 0, echo = 0, sum = 0, min = 0, count = 0;
  int64_t duplicates = 0;  // output records beyond one per input record, over the four outputs
  int64_t lost = 0;        // input records without their output, over the four outputs
  int64_t open_transactions = 0;
  int64_t deviations = 0;            // every failed check
  std::vector<std::string> details;  // the first few deviations, readable
  std::vector<std::string> notes;    // what the run looked like, pass or fail

  // "chaos verifier: PASS guarantee=... input=... ..."
  std::string Summary() const;
};

// The checks, on records already read.
VerifierReport Check(Guarantee guarantee, const VerifierInput& in, size_t max_details = 20);

// Output partitions whose last stable offset is below the log end offset.
Result<std::vector<std::string>> OpenTransactions(const std::string& bootstrap, const std::vector<std::string>& topics);

// Reads the input (read_uncommitted) and outputs (read_committed) in full.
Result<VerifierInput> Collect(const std::string& bootstrap, const ChaosTopics& topics);

}  // namespace streamapp::chaos
