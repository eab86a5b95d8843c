// iot: sensor readings (iot), key = device id. A discrete-event simulation
// of devices reporting every interval_ms (with jitter): temperatures follow
// their site, a daily cycle and noise, some sensors drift; some batteries
// die fast (a dead device stops reporting until its battery is replaced);
// now and then a device goes silent for longer than 5 minutes.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <queue>

#include "base.h"
#include "generators_internal.h"

namespace streamapp::generators {
namespace {

constexpr double kMsPerHour = 3600000.0;

struct Device {
  std::string id;
  size_t site = 0;
  double temp_offset = 0;
  double drift_per_hour = 0;  // 0 unless the sensor drifts
  double battery = 100;
  double drain = 0;  // percent per reading
  double signal_base = -60;
};

class IotGenerator final : public GeneratorBase {
 public:
  IotGenerator(const GeneratorOptions& options, Params& p) : GeneratorBase(options, "iot"), rng_(options.seed) {
    const int64_t devices = p.Int("devices", 1, 10000000);
    const int64_t sites = p.Int("sites", 1, 1000000);
    interval_ms_ = p.Double("interval_ms", 1, 8.64e7);
    temp_base_ = p.Double("temp_base", -100, 100);
    temp_noise_ = p.Double("temp_noise", 0, 100);
    daily_amplitude_ = p.Double("daily_amplitude", 0, 100);
    humidity_base_ = p.Double("humidity_base", 0, 100);
    const double drifting = p.Double("drifting_ratio", 0, 1);
    const double drift = p.Double("drift_per_hour", 0, 100);
    const double dying = p.Double("dying_ratio", 0, 1);
    const double dying_drain = p.Double("dying_drain", 0, 100);
    const double drain = p.Double("drain", 0, 100);
    replace_ms_ = p.Int("battery_replace_ms", 1, 86400000LL * 365);
    silence_probability_ = p.Double("silence_probability", 0, 1);
    silence_min_ms_ = p.Int("silence_min_ms", 0, 86400000LL * 30);
    silence_max_ms_ = p.Int("silence_max_ms", silence_min_ms_, 86400000LL * 30);
    if (!p.status().ok()) return;
    for (int64_t s = 0; s < sites; ++s) {
      site_names_.emplace_back();
      SetId(&site_names_.back(), "site-", s + 1, 2);
      site_temp_.push_back(rng_.Normal(0, 2));
      site_humidity_.push_back(rng_.Normal(0, 8));
    }
    for (int64_t i = 0; i < devices; ++i) {
      Device d;
      SetId(&d.id, "dev-", i + 1, 4);
      d.site = rng_.Below(static_cast<uint64_t>(sites));
      d.temp_offset = rng_.Normal(0, 0.5);
      if (rng_.Chance(drifting)) d.drift_per_hour = rng_.Chance(0.5) ? drift : -drift;
      const bool dies = rng_.Chance(dying);
      d.battery = dies ? rng_.Uniform(20, 40) : rng_.Uniform(60, 100);
      d.drain = dies ? dying_drain : drain;
      d.signal_base = rng_.Uniform(-95, -45);
      devices_.push_back(std::move(d));
      queue_.emplace(options.start_time_ms + static_cast<int64_t>(rng_.Uniform() * interval_ms_), i);
    }
  }

  std::vector<std::string> Topics() const override { return {main_topic_}; }

  void Next(GeneratedRecord& out) override {
    const auto [now, di] = queue_.top();
    queue_.pop();
    Device& d = devices_[static_cast<size_t>(di)];
    const double hours = static_cast<double>(now - options_.start_time_ms) / kMsPerHour;
    const double daily = daily_amplitude_ * std::sin(2 * std::numbers::pi * (hours - 9) / 24);  // warmest at 15:00
    const double deviation = site_temp_[d.site] + d.temp_offset + daily;
    const double temp = RoundTo(temp_base_ + deviation + d.drift_per_hour * hours + rng_.Normal(0, temp_noise_), 2);
    const double humidity = RoundTo(
        std::clamp(humidity_base_ + site_humidity_[d.site] - 1.5 * deviation + rng_.Normal(0, 2), 0.0, 100.0), 1);
    const int64_t signal = std::llround(std::min(-30.0, d.signal_base + rng_.Normal(0, 3)));
    d.battery = std::max(0.0, d.battery - d.drain);
    const double battery = RoundTo(d.battery, 1);

    // When it reports next: a dead battery is replaced after a while, a
    // device may go silent, otherwise the interval with 10 % jitter.
    int64_t next = now + static_cast<int64_t>(interval_ms_ * rng_.Uniform(0.9, 1.1));
    if (d.battery <= 0) {
      next = now + replace_ms_;
      d.battery = 100;
    } else if (rng_.Chance(silence_probability_)) {
      next = now + rng_.Between(silence_min_ms_, silence_max_ms_);
    }
    queue_.emplace(next, di);

    const DefectPlan plan = PlanDefect({1, 2, 3, 5, 7});
    out.topic = main_topic_;
    out.key = d.id;
    out.timestamp = now;
    BeginValue(out, plan);
    enc_.String(1, "device_id", d.id);
    enc_.String(2, "site", site_names_[d.site]);
    enc_.Double(3, "temp_c", temp);
    enc_.Double(4, "humidity", plan.kind == Defect::kDomainViolation ? 180.0 : humidity);
    enc_.Double(5, "battery", plan.kind == Defect::kNegativeNumber ? -1 - battery : battery);
    enc_.Int(6, "signal_strength", signal);
    enc_.Int(7, "ts", now);
    EndValue(out, plan);
  }

 private:
  using Entry = std::pair<int64_t, int64_t>;  // (next report time, device index)

  Rng rng_;
  std::vector<Device> devices_;
  std::vector<std::string> site_names_;
  std::vector<double> site_temp_, site_humidity_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue_;
  double interval_ms_, temp_base_, temp_noise_, daily_amplitude_, humidity_base_, silence_probability_;
  int64_t replace_ms_, silence_min_ms_, silence_max_ms_;
};

}  // namespace

const std::vector<ParamSpec>& IotParams() {
  static const std::vector<ParamSpec> kSpecs = {
      {"devices", "100", "number of devices (dev-0001 ...)"},
      {"sites", "5", "number of sites (site-01 ...); each device belongs to one"},
      {"interval_ms", "10000", "reporting interval of a device (+-10 % jitter)"},
      {"temp_base", "21", "mean temperature, C"},
      {"temp_noise", "0.2", "standard deviation of a reading's noise, C"},
      {"daily_amplitude", "2", "amplitude of the daily temperature cycle, C"},
      {"humidity_base", "45", "mean relative humidity, %"},
      {"drifting_ratio", "0.1", "share of sensors whose temperature drifts"},
      {"drift_per_hour", "0.5", "drift of a drifting sensor, C per hour (sign random)"},
      {"dying_ratio", "0.05", "share of devices whose battery drains fast (starts at 20-40 %)"},
      {"dying_drain", "0.1", "battery drain of a dying device, % per reading"},
      {"drain", "0.0005", "battery drain of a healthy device, % per reading (starts at 60-100 %)"},
      {"battery_replace_ms", "3600000", "a device with an empty battery is silent this long, then at 100 %"},
      {"silence_probability", "0.0005", "chance per reading that the device then goes silent"},
      {"silence_min_ms", "360000", "shortest silence (> 5 min, the pipeline's alert threshold)"},
      {"silence_max_ms", "1200000", "longest silence"},
  };
  return kSpecs;
}

std::unique_ptr<Generator> MakeIotGenerator(const GeneratorOptions& options, Params& params) {
  return std::make_unique<IotGenerator>(options, params);
}

}  // namespace streamapp::generators
