// The per-customer state of customer_features and the features it yields
// (docs/fraud.md, "Features"). Pure logic, no store: unit-tested directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "streamapp/status.h"
#include "streamapp/value.h"

namespace streamapp::operators::fraud {

struct FeatureConfig {
  std::vector<std::pair<std::string, int64_t>> windows;  // name suffix ("1h"), length in ms
  int64_t max_history = 1000;                            // recent transactions kept for the windows
  int64_t max_merchants = 100;                           // distinct merchants remembered per customer
  int64_t min_history = 5;                               // previous transactions needed for a z-score
};

struct CustomerState {
  std::vector<std::pair<int64_t, double>> recent;  // (timestamp, amount), by timestamp, ties by arrival
  std::vector<std::string> merchants;              // least recently used first
  int64_t count = 0;                               // transactions seen (Welford n)
  double mean = 0;
  double m2 = 0;
  std::optional<int64_t> max_ts;  // the latest timestamp seen

  Value ToValue() const;
  static Result<CustomerState> FromValue(const Value& v);
};

struct Transaction {
  int64_t timestamp = 0;
  double amount = 0;
  std::string merchant;
  std::optional<std::string> country;
  std::optional<std::string> home_country;
  std::optional<double> reference_amount;  // the customer's average amount from the table
};

// Computes the features of `tx` from `state`, then folds `tx` into it.
Value UpdateFeatures(const FeatureConfig& config, const Transaction& tx, CustomerState& state);

}  // namespace streamapp::operators::fraud
