// The HTTP endpoint: Prometheus rendering, the routes over a fake worker,
// and the real server on a socket.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "observe/http_handlers.h"
#include "observe/http_server.h"
#include "observe/metrics.h"

namespace streamapp {
namespace {

using namespace std::chrono_literals;
using observe::MetricFamily;
using observe::MetricType;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(PrometheusTest, RendersCountersAndGaugesWithHelpTypeAndLabels) {
  std::vector<MetricFamily> families;
  families.push_back(MetricFamily{"records_consumed_total", "Records polled.", MetricType::kCounter, {}});
  families.back().Add({{"topic", "in"}}, 42).Add({{"topic", "other"}}, 7);
  families.push_back(MetricFamily{"consumer_lag_records", "Lag.", MetricType::kGauge, {}});
  families.back().Add({{"topic", "in"}, {"partition", "3"}}, 1.5);
  families.push_back(MetricFamily{"empty_total", "Nothing yet.", MetricType::kCounter, {}});
  EXPECT_EQ(observe::RenderPrometheus(families),
            "# HELP streamapp_records_consumed_total Records polled.\n"
            "# TYPE streamapp_records_consumed_total counter\n"
            "streamapp_records_consumed_total{topic=\"in\"} 42\n"
            "streamapp_records_consumed_total{topic=\"other\"} 7\n"
            "# HELP streamapp_consumer_lag_records Lag.\n"
            "# TYPE streamapp_consumer_lag_records gauge\n"
            "streamapp_consumer_lag_records{topic=\"in\",partition=\"3\"} 1.5\n"
            "# HELP streamapp_empty_total Nothing yet.\n"
            "# TYPE streamapp_empty_total counter\n");
}

TEST(PrometheusTest, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(observe::EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(observe::EscapeLabelValue("plain-name_1"), "plain-name_1");
  EXPECT_EQ(observe::EscapeHelp("line\\one\ntwo \"quoted\""), "line\\\\one\\ntwo \"quoted\"");
  MetricFamily f{"x_total", "Help\nwith newline", MetricType::kCounter, {}};
  f.Add({{"operator", "say \"hi\"\\"}}, 1);
  const std::string text = observe::RenderPrometheus({f});
  EXPECT_THAT(text, HasSubstr("# HELP streamapp_x_total Help\\nwith newline\n"));
  EXPECT_THAT(text, HasSubstr("streamapp_x_total{operator=\"say \\\"hi\\\"\\\\\"} 1\n"));
}

TEST(PrometheusTest, RendersHistogramsWithCumulativeBuckets) {
  observe::Histogram h;
  h.Observe(0.0002);  // first bucket
  h.Observe(0.003);   // le 0.005
  h.Observe(0.003);
  h.Observe(100);  // beyond the last bucket: only +Inf
  MetricFamily f{"commit_latency_seconds", "Commits.", MetricType::kHistogram, {}};
  f.AddHistogram({{"thread", "1"}}, h);
  const std::string text = observe::RenderPrometheus({f});
  EXPECT_THAT(text, HasSubstr("# TYPE streamapp_commit_latency_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("streamapp_commit_latency_seconds_bucket{thread=\"1\",le=\"0.0005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("streamapp_commit_latency_seconds_bucket{thread=\"1\",le=\"0.001\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("streamapp_commit_latency_seconds_bucket{thread=\"1\",le=\"0.005\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("streamapp_commit_latency_seconds_bucket{thread=\"1\",le=\"10\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("streamapp_commit_latency_seconds_bucket{thread=\"1\",le=\"+Inf\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("streamapp_commit_latency_seconds_count{thread=\"1\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("streamapp_commit_latency_seconds_sum{thread=\"1\"} 100.0062\n"));
}

// A worker with one store "counts" holding k1=5 on partition 0, and key
// "remote" on a partition it does not host.
class FakeWorker final : public observe::WorkerView {
 public:
  bool ready = false;
  observe::StoreQuery last;

  observe::Readiness Ready() override { return {ready, ready ? "all running" : "task 0_1 restoring"}; }
  std::vector<MetricFamily> CollectMetrics() override {
    MetricFamily f{"records_processed_total", "Processed.", MetricType::kCounter, {}};
    f.Add({}, 3);
    return {f};
  }
  std::string TopologyJson() override { return "{\"subtopologies\": []}\n"; }
  observe::StoreAnswer QueryStore(const observe::StoreQuery& q) override {
    last = q;
    observe::StoreAnswer a;
    if (q.store != "counts") {
      a.status = Status::NotFound("no store named '" + q.store + "'");
      return a;
    }
    a.partition = 0;
    if (q.key && *q.key == "remote") {
      a.partition = 4;
      a.status = Status::NotFound("partition 4 of store 'counts' is not hosted by this worker");
      return a;
    }
    if (q.key && *q.key == "slow") {
      a.status = Status::TimedOut("the stream thread did not answer in time");
      return a;
    }
    if (q.key && !q.from) {
      if (*q.key == "k1" || *q.key == "a b/c") a.entries.push_back({*q.key, "5", std::nullopt});
      return a;
    }
    a.entries.push_back({"k1", "5", std::nullopt});
    a.entries.push_back({"k2", "not json", std::nullopt});
    return a;
  }
};

observe::HttpReply Get(FakeWorker& w, const std::string& path, std::map<std::string, std::string> params = {}) {
  return observe::HandleRequest(w, "GET", path, params);
}

TEST(HttpHandlersTest, HealthReadyMetricsTopology) {
  FakeWorker w;
  EXPECT_EQ(Get(w, "/health").status, 200);
  auto r = Get(w, "/ready");
  EXPECT_EQ(r.status, 503);
  EXPECT_THAT(r.body, HasSubstr("\"ready\": false"));
  EXPECT_THAT(r.body, HasSubstr("task 0_1 restoring"));
  w.ready = true;
  EXPECT_EQ(Get(w, "/ready").status, 200);
  r = Get(w, "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.content_type, HasSubstr("text/plain; version=0.0.4"));
  EXPECT_THAT(r.body, HasSubstr("streamapp_records_processed_total 3\n"));
  r = Get(w, "/topology");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"subtopologies\": []}\n");
  EXPECT_EQ(Get(w, "/nope").status, 404);
  EXPECT_EQ(observe::HandleRequest(w, "POST", "/health", {}).status, 405);
}

TEST(HttpHandlersTest, KeyLookups) {
  FakeWorker w;
  auto r = Get(w, "/stores/counts/k1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"store\": \"counts\", \"key\": \"k1\", \"value\": 5, \"partition\": 0}\n");
  r = Get(w, "/stores/counts/a%20b%2Fc");  // percent-encoded, '/' inside the key
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(w.last.key, "a b/c");
  r = Get(w, "/stores/counts/missing");
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("no value for the key"));
  r = Get(w, "/stores/counts/remote");
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("\"partition\": 4"));
  EXPECT_THAT(r.body, HasSubstr("\"owner\": null"));
  EXPECT_THAT(r.body, HasSubstr("not hosted by this worker"));
  r = Get(w, "/stores/nostore/k1");
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("no store named 'nostore'"));
  EXPECT_THAT(r.body, Not(HasSubstr("partition")));
  EXPECT_EQ(Get(w, "/stores/counts/slow").status, 503);
  EXPECT_EQ(Get(w, "/stores/counts").status, 400);  // neither key nor range
}

TEST(HttpHandlersTest, RangeAndWindowQueries) {
  FakeWorker w;
  auto r = Get(w, "/stores/counts", {{"from", "a"}, {"to", "z"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(w.last.from, "a");
  EXPECT_EQ(w.last.to, "z");
  EXPECT_FALSE(w.last.key.has_value());
  EXPECT_EQ(r.body,
            "{\"store\": \"counts\", \"entries\": [{\"key\": \"k1\", \"value\": 5}, {\"key\": \"k2\", \"value\": "
            "\"not json\"}]}\n");
  r = Get(w, "/stores/counts/k1", {{"from", "0"}, {"to", "100"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(w.last.key, "k1");
  EXPECT_EQ(w.last.from, "0");
}

TEST(HttpHandlersTest, JsonHelpers) {
  EXPECT_EQ(observe::JsonString("a\"b\\\n\x01"), "\"a\\\"b\\\\\\n\\u0001\"");
  EXPECT_EQ(observe::ValueAsJson("{\"count\": 3}"), "{\"count\": 3}");
  EXPECT_EQ(observe::ValueAsJson("12"), "12");
  EXPECT_EQ(observe::ValueAsJson("hello"), "\"hello\"");
  EXPECT_EQ(observe::ValueAsJson(""), "\"\"");
  EXPECT_EQ(observe::ValueAsJson(std::string("\x00\xff\x80", 3)), "{\"base64\": \"AP+A\"}");
  EXPECT_EQ(observe::Base64("f"), "Zg==");
  EXPECT_EQ(observe::Base64("fo"), "Zm8=");
  EXPECT_EQ(observe::Base64("foo"), "Zm9v");
  EXPECT_EQ(observe::Base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(observe::PercentDecode("a%2Fb%zz%4"), "a/b%zz%4");
}

TEST(HttpServerTest, ServesOnALoopbackSocket) {
  FakeWorker w;
  w.ready = true;
  observe::HttpServer server(w);
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
  ASSERT_GT(server.port(), 0);
  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Get("/health");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  res = client.Get("/stores/counts/k1");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->body, HasSubstr("\"value\": 5"));
  res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_THAT(res->get_header_value("Content-Type"), HasSubstr("text/plain"));
  // A second server cannot take the same port.
  observe::HttpServer other(w);
  EXPECT_FALSE(other.Start("127.0.0.1", server.port()).ok());
  server.Stop();
}

}  // namespace
}  // namespace streamapp
