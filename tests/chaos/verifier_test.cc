// The verifier must fail the runs it should: checked on synthetic topics
// made by a model of the app (no broker).
#include "chaos/verifier.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace streamapp::chaos {
namespace {

constexpr int kPartitions = 3;

TopicRecords MakeInput(int per_partition, int keys_per_partition) {
  std::mt19937 rng(42);
  TopicRecords in(kPartitions);
  for (int p = 0; p < kPartitions; ++p) {
    for (int i = 0; i < per_partition; ++i) {
      // Keys are disjoint between partitions, as the partitioner makes them.
      const int key = p * keys_per_partition + static_cast<int>(rng() % keys_per_partition);
      in[p].push_back({i, "k" + std::to_string(key), std::to_string(static_cast<int>(rng() % 201) - 100)});
    }
  }
  return in;
}

// The app: processes input positions in the given order per partition,
// keeping per-key state across replays (as at-least-once does).
VerifierInput Simulate(const TopicRecords& in, const std::vector<std::vector<size_t>>& order) {
  VerifierInput v;
  v.input = in;
  v.echo = v.sum = v.min = v.count = TopicRecords(kPartitions);
  std::map<std::string, int64_t> sum, min, count;
  for (int p = 0; p < kPartitions; ++p) {
    for (size_t i : order[p]) {
      const Rec& r = in[p][i];
      const int64_t x = std::stoll(r.value);
      auto push = [&](TopicRecords& t, int64_t value) {
        t[p].push_back({static_cast<int64_t>(t[p].size()), r.key, std::to_string(value)});
      };
      v.echo[p].push_back({static_cast<int64_t>(v.echo[p].size()), r.key, r.value});
      push(v.sum, sum[r.key] += x);
      push(v.min, min[r.key] = min.count(r.key) ? std::min(min[r.key], x) : x);
      push(v.count, ++count[r.key]);
    }
  }
  return v;
}

std::vector<std::vector<size_t>> InOrder(const TopicRecords& in) {
  std::vector<std::vector<size_t>> order(in.size());
  for (size_t p = 0; p < in.size(); ++p) {
    for (size_t i = 0; i < in[p].size(); ++i) order[p].push_back(i);
  }
  return order;
}

TEST(ChaosVerifier, ExactOutputsPassBothGuarantees) {
  const auto in = MakeInput(500, 20);
  const VerifierInput v = Simulate(in, InOrder(in));
  for (Guarantee g : {Guarantee::kExactlyOnce, Guarantee::kAtLeastOnce}) {
    const VerifierReport r = Check(g, v);
    EXPECT_TRUE(r.pass) << r.Summary() << (r.details.empty() ? "" : "\n" + r.details[0]);
    EXPECT_EQ(r.input, 1500);
    EXPECT_EQ(r.duplicates, 0);
    EXPECT_EQ(r.lost, 0);
  }
}

TEST(ChaosVerifier, ReplayPassesAtLeastOnceOnly) {
  const auto in = MakeInput(500, 20);
  auto order = InOrder(in);
  // A crash after position 300 of partition 1; the restart resumes from 250.
  std::vector<size_t> replay(order[1].begin(), order[1].begin() + 300);
  for (size_t i = 250; i < 500; ++i) replay.push_back(i);
  order[1] = replay;
  const VerifierInput v = Simulate(in, order);

  const VerifierReport alos = Check(Guarantee::kAtLeastOnce, v);
  EXPECT_TRUE(alos.pass) << alos.Summary() << (alos.details.empty() ? "" : "\n" + alos.details[0]);
  EXPECT_EQ(alos.duplicates, 4 * 50);
  EXPECT_EQ(alos.lost, 0);

  const VerifierReport eos = Check(Guarantee::kExactlyOnce, v);
  EXPECT_FALSE(eos.pass);
  EXPECT_EQ(eos.duplicates, 4 * 50);
}

TEST(ChaosVerifier, LostRecordFailsBoth) {
  const auto in = MakeInput(500, 20);
  auto order = InOrder(in);
  order[2].erase(order[2].begin() + 123);
  const VerifierInput v = Simulate(in, order);
  for (Guarantee g : {Guarantee::kExactlyOnce, Guarantee::kAtLeastOnce}) {
    const VerifierReport r = Check(g, v);
    EXPECT_FALSE(r.pass) << r.Summary();
    EXPECT_GT(r.lost, 0) << r.Summary();
  }
}

TEST(ChaosVerifier, ReorderedEchoFailsBoth) {
  const auto in = MakeInput(500, 20);
  auto order = InOrder(in);
  std::swap(order[0][10], order[0][11]);
  const VerifierInput v = Simulate(in, order);
  EXPECT_FALSE(Check(Guarantee::kExactlyOnce, v).pass);
  EXPECT_FALSE(Check(Guarantee::kAtLeastOnce, v).pass);
}

TEST(ChaosVerifier, StateAppliedTwiceFailsExactlyOnce) {
  const auto in = MakeInput(500, 20);
  VerifierInput v = Simulate(in, InOrder(in));
  // One output record per input, but one sum folded in a value twice.
  auto& rec = v.sum[1][200];
  rec.value = std::to_string(std::stoll(rec.value) + std::stoll(in[1][200].value));
  const VerifierReport r = Check(Guarantee::kExactlyOnce, v);
  EXPECT_FALSE(r.pass);
  ASSERT_FALSE(r.details.empty());
  EXPECT_NE(r.details[0].find("sum key " + in[1][200].key), std::string::npos) << r.details[0];
}

TEST(ChaosVerifier, WrongFinalMinFailsAtLeastOnce) {
  const auto in = MakeInput(500, 20);
  VerifierInput v = Simulate(in, InOrder(in));
  v.min[0].back().value = "5000";
  EXPECT_FALSE(Check(Guarantee::kAtLeastOnce, v).pass);
}

TEST(ChaosVerifier, OpenTransactionFails) {
  const auto in = MakeInput(100, 5);
  VerifierInput v = Simulate(in, InOrder(in));
  v.open_transactions.push_back("echo p0: last stable offset 10 < log end offset 12");
  const VerifierReport r = Check(Guarantee::kExactlyOnce, v);
  EXPECT_FALSE(r.pass);
  EXPECT_EQ(r.open_transactions, 1);
}

TEST(ChaosVerifier, InputCountMustMatchTheDriver) {
  const auto in = MakeInput(100, 5);
  VerifierInput v = Simulate(in, InOrder(in));
  v.expected_input = 301;
  EXPECT_FALSE(Check(Guarantee::kAtLeastOnce, v).pass);
}

}  // namespace
}  // namespace streamapp::chaos
