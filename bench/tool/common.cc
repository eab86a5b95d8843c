#include "common.h"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace bench {

void Die(const std::string& msg) {
  std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, msg.c_str());
  std::fflush(stdout);
  std::exit(2);
}

Args::Args(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0) Die("unexpected argument '" + a + "'");
    std::string name = a.substr(2);
    if (i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0) {
      values_[name] = argv[++i];
    } else {
      values_[name] = "true";
    }
  }
}

std::string Args::Str(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) Die("missing --" + name);
  return it->second;
}

std::string Args::Str(const std::string& name, const std::string& def) const {
  auto it = values_.find(name);
  return it == values_.end() ? def : it->second;
}

static int64_t ParseInt(const std::string& name, const std::string& v) {
  char* end = nullptr;
  long long r = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0') Die("--" + name + " wants an integer, got '" + v + "'");
  return r;
}

int64_t Args::Int(const std::string& name) const {
  return ParseInt(name, Str(name));
}

int64_t Args::Int(const std::string& name, int64_t def) const {
  return Has(name) ? ParseInt(name, Str(name)) : def;
}

rd_kafka_t* NewClient(rd_kafka_type_t type, const std::string& bootstrap, const Conf& props,
                      void (*dr_msg_cb)(rd_kafka_t*, const rd_kafka_message_t*, void*),
                      void (*rebalance_cb)(rd_kafka_t*, rd_kafka_resp_err_t, rd_kafka_topic_partition_list_t*, void*),
                      void* opaque) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const std::string& k, const std::string& v) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      Die("config " + k + "=" + v + ": " + err);
    }
  };
  set("bootstrap.servers", bootstrap);
  for (const auto& [k, v] : props) set(k, v);
  if (dr_msg_cb != nullptr) rd_kafka_conf_set_dr_msg_cb(conf, dr_msg_cb);
  if (rebalance_cb != nullptr) rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
  if (opaque != nullptr) rd_kafka_conf_set_opaque(conf, opaque);
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof(err));
  if (rk == nullptr) Die(std::string("rd_kafka_new: ") + err);
  return rk;
}

int PartitionCount(rd_kafka_t* rk, const std::string& topic) {
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, t, &md, 10000);
  rd_kafka_topic_destroy(t);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) Die("metadata of " + topic + ": " + rd_kafka_err2str(e));
  int n = 0;
  if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) n = md->topics[0].partition_cnt;
  rd_kafka_metadata_destroy(md);
  return n;
}

int AwaitPartitionCount(rd_kafka_t* rk, const std::string& topic) {
  // A topic created a moment ago (by the orchestrator) may not be in every
  // metadata response yet: look again for up to 10 s before calling it missing.
  for (int attempt = 0;; ++attempt) {
    int n = PartitionCount(rk, topic);
    if (n > 0 || attempt == 50) return n;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

void EnsureTopic(rd_kafka_t* rk, const std::string& topic, int partitions, bool compact) {
  char err[512];
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, err, sizeof(err));
  if (nt == nullptr) Die("NewTopic " + topic + ": " + err);
  if (compact) rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
  if (ev == nullptr) Die("CreateTopics " + topic + ": timed out");
  if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    Die("CreateTopics " + topic + ": " + rd_kafka_event_error_string(ev));
  }
  size_t cnt = 0;
  const rd_kafka_topic_result_t** res =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);
  for (size_t i = 0; i < cnt; ++i) {
    rd_kafka_resp_err_t e = rd_kafka_topic_result_error(res[i]);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      const char* s = rd_kafka_topic_result_error_string(res[i]);
      Die("CreateTopics " + topic + ": " + (s != nullptr ? s : rd_kafka_err2str(e)));
    }
  }
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
  for (int i = 0; i < 100; ++i) {
    if (PartitionCount(rk, topic) > 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  Die("topic " + topic + " did not appear in the metadata");
}

bool TryWatermarks(rd_kafka_t* rk, const std::string& topic, int partitions,
                   std::vector<std::pair<int64_t, int64_t>>* out) {
  out->assign(partitions, {0, 0});
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_resp_err_t e =
        rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &(*out)[p].first, &(*out)[p].second, 10000);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "bench-tool: watermarks of %s[%d]: %s\n", topic.c_str(), p, rd_kafka_err2str(e));
      return false;
    }
  }
  return true;
}

std::vector<std::pair<int64_t, int64_t>> Watermarks(rd_kafka_t* rk, const std::string& topic, int partitions) {
  std::vector<std::pair<int64_t, int64_t>> out;
  // A topic created a moment ago may not have its leaders everywhere yet
  // ("not leader for partition"): retry for a while before giving up.
  for (int attempt = 0; !TryWatermarks(rk, topic, partitions, &out); ++attempt) {
    if (attempt == 50) Die("cannot read the watermarks of " + topic);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return out;
}

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double MonoSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::optional<std::string_view> JsonField(std::string_view json, std::string_view field) {
  std::string pat = "\"" + std::string(field) + "\":";
  size_t pos = json.find(pat);
  if (pos == std::string_view::npos) return std::nullopt;
  pos += pat.size();
  while (pos < json.size() && json[pos] == ' ') ++pos;
  if (pos >= json.size()) return std::nullopt;
  if (json[pos] == '"') {
    size_t end = json.find('"', pos + 1);
    if (end == std::string_view::npos) return std::nullopt;
    return json.substr(pos + 1, end - pos - 1);
  }
  size_t end = pos;
  while (end < json.size() && json[end] != ',' && json[end] != '}' && json[end] != ' ') ++end;
  return json.substr(pos, end - pos);
}

std::optional<int64_t> JsonInt(std::string_view json, std::string_view field) {
  auto raw = JsonField(json, field);
  if (!raw || raw->empty()) return std::nullopt;
  std::string s(*raw);
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (*end != '\0') return std::nullopt;
  return v;
}

std::string Num(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.3f", v);
  return buf;
}

}  // namespace bench
