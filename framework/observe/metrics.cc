#include "observe/metrics.h"

#include <cmath>
#include <cstdio>

namespace streamapp::observe {
namespace {

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

void AppendLabels(std::string& out, const Labels& labels, const std::pair<std::string, std::string>* extra) {
  if (labels.empty() && extra == nullptr) return;
  out += '{';
  bool first = true;
  auto one = [&](const std::pair<std::string, std::string>& l) {
    if (!first) out += ',';
    first = false;
    out += l.first;
    out += "=\"";
    out += EscapeLabelValue(l.second);
    out += '"';
  };
  for (const auto& l : labels) one(l);
  if (extra != nullptr) one(*extra);
  out += '}';
}

void AppendLine(std::string& out, const std::string& name, const Labels& labels, double value,
                const std::pair<std::string, std::string>* extra = nullptr) {
  out += name;
  AppendLabels(out, labels, extra);
  out += ' ';
  out += FormatNumber(value);
  out += '\n';
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string RenderPrometheus(const std::vector<MetricFamily>& families) {
  std::string out;
  for (const MetricFamily& f : families) {
    const std::string name = "streamapp_" + f.name;
    out += "# HELP " + name + " " + EscapeHelp(f.help) + "\n";
    out += "# TYPE " + name + " " + std::string(TypeName(f.type)) + "\n";
    for (const Sample& s : f.samples) {
      if (f.type != MetricType::kHistogram) {
        AppendLine(out, name, s.labels, s.value);
        continue;
      }
      uint64_t cumulative = 0;
      for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
        cumulative += s.histogram.buckets[i];
        const std::pair<std::string, std::string> le{"le", FormatNumber(kLatencyBuckets[i])};
        AppendLine(out, name + "_bucket", s.labels, static_cast<double>(cumulative), &le);
      }
      const std::pair<std::string, std::string> inf{"le", "+Inf"};
      AppendLine(out, name + "_bucket", s.labels, static_cast<double>(s.histogram.count), &inf);
      AppendLine(out, name + "_sum", s.labels, s.histogram.sum);
      AppendLine(out, name + "_count", s.labels, static_cast<double>(s.histogram.count));
    }
  }
  return out;
}

}  // namespace streamapp::observe
