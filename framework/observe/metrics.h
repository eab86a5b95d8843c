// Metrics in the Prometheus text exposition format (version 0.0.4).
//
// The hot path never touches this module: stream threads count in plain
// single-writer fields (runtime/task_metrics.h) and publish a copy when a
// scrape asks; the scrape turns the copies into families and renders them.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace streamapp::observe {

enum class MetricType { kCounter, kGauge, kHistogram };

using Labels = std::vector<std::pair<std::string, std::string>>;

// Latency buckets in seconds (upper bounds; +Inf is implicit).
inline constexpr std::array<double, 12> kLatencyBuckets = {0.0005, 0.001, 0.005, 0.01, 0.05, 0.1,
                                                           0.25,   0.5,   1,     2.5,  5,    10};

// A histogram over kLatencyBuckets for one writer thread; a reader works on
// a copy the writer published.
struct Histogram {
  std::array<uint64_t, kLatencyBuckets.size()> buckets{};  // not cumulative
  uint64_t count = 0;
  double sum = 0;

  void Observe(double seconds) {
    size_t i = 0;
    while (i < kLatencyBuckets.size() && seconds > kLatencyBuckets[i]) ++i;
    if (i < kLatencyBuckets.size()) ++buckets[i];
    ++count;
    sum += seconds;
  }
  void Add(const Histogram& other) {
    for (size_t i = 0; i < buckets.size(); ++i) buckets[i] += other.buckets[i];
    count += other.count;
    sum += other.sum;
  }
};

struct Sample {
  Labels labels;
  double value = 0;
  Histogram histogram;  // kHistogram only
};

// One family: `name` without the "streamapp_" prefix (added on rendering).
struct MetricFamily {
  std::string name;
  std::string help;
  MetricType type = MetricType::kCounter;
  std::vector<Sample> samples;

  MetricFamily& Add(Labels labels, double value) {
    samples.push_back({std::move(labels), value, {}});
    return *this;
  }
  MetricFamily& AddHistogram(Labels labels, const Histogram& h) {
    samples.push_back({std::move(labels), 0, h});
    return *this;
  }
};

// Label values escape backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value);
// HELP text escapes backslash and newline.
std::string EscapeHelp(std::string_view help);
// Renders the families in order; a family with no samples still gets its
// HELP and TYPE lines (the family exists, nothing counted yet).
std::string RenderPrometheus(const std::vector<MetricFamily>& families);

}  // namespace streamapp::observe
