#include "observe/http_handlers.h"

#include <simdjson.h>

#include <cstdio>
#include <vector>

namespace streamapp::observe {
namespace {

HttpReply Json(int status, std::string body) {
  return {status, "application/json", std::move(body)};
}

HttpReply Error(int status, std::string_view message) {
  return Json(status, "{\"error\": " + JsonString(message) + "}\n");
}

std::vector<std::string> Segments(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const size_t end = path.find('/', i);
    const size_t stop = end == std::string_view::npos ? path.size() : end;
    out.push_back(PercentDecode(path.substr(i, stop - i)));
    i = stop;
  }
  return out;
}

std::string EntryJson(const StoreEntry& e) {
  std::string out = "{\"key\": " + JsonString(e.key);
  if (e.window_start) out += ", \"window_start\": " + std::to_string(*e.window_start);
  out += ", \"value\": " + ValueAsJson(e.value) + "}";
  return out;
}

HttpReply Stores(WorkerView& worker, const std::vector<std::string>& seg,
                 const std::map<std::string, std::string>& params) {
  if (seg.size() < 2 || seg.size() > 3)
    return Error(404, "expected /stores/<store>/<key> or /stores/<store>?from=&to=");
  StoreQuery q;
  q.store = seg[1];
  if (seg.size() == 3) q.key = seg[2];
  if (auto it = params.find("from"); it != params.end()) q.from = it->second;
  if (auto it = params.find("to"); it != params.end()) q.to = it->second;
  if (!q.key && !q.from && !q.to) return Error(400, "give a key (/stores/<store>/<key>) or a range (?from=&to=)");
  StoreAnswer a = worker.QueryStore(q);
  const std::string store_json = JsonString(q.store);
  if (!a.status.ok()) {
    if (a.status.code() == StatusCode::kNotFound && a.partition) {
      std::string body = "{\"error\": " + JsonString(a.status.message()) + ", \"store\": " + store_json;
      if (q.key) body += ", \"key\": " + JsonString(*q.key);
      body += ", \"partition\": " + std::to_string(*a.partition);
      body += ", \"owner\": " + (a.owner.empty() ? std::string("null") : JsonString(a.owner)) + "}\n";
      return Json(404, body);
    }
    if (a.status.code() == StatusCode::kNotFound) return Error(404, a.status.message());
    if (a.status.code() == StatusCode::kInvalidArgument) return Error(400, a.status.message());
    return Error(503, a.status.message());
  }
  std::string partition = a.partition ? std::to_string(*a.partition) : std::string("null");
  if (q.key && !q.from && !q.to) {
    if (a.entries.empty()) {
      return Json(404, "{\"error\": \"no value for the key\", \"store\": " + store_json +
                           ", \"key\": " + JsonString(*q.key) + ", \"partition\": " + partition + "}\n");
    }
    const StoreEntry& e = a.entries.front();
    return Json(200, "{\"store\": " + store_json + ", \"key\": " + JsonString(e.key) +
                         ", \"value\": " + ValueAsJson(e.value) + ", \"partition\": " + partition + "}\n");
  }
  std::string body = "{\"store\": " + store_json + ", \"entries\": [";
  for (size_t i = 0; i < a.entries.size(); ++i) body += (i ? ", " : "") + EntryJson(a.entries[i]);
  body += "]}\n";
  return Json(200, body);
}

}  // namespace

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string ValueAsJson(std::string_view bytes) {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (!bytes.empty() && parser.parse(bytes.data(), bytes.size()).get(element) == simdjson::SUCCESS) {
    return std::string(bytes);
  }
  if (simdjson::validate_utf8(bytes.data(), bytes.size())) return JsonString(bytes);
  return "{\"base64\": \"" + Base64(bytes) + "\"}";
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                       (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                       uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < bytes.size()) {
    uint32_t n = uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    if (i + 1 < bytes.size()) n |= uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string PercentDecode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

HttpReply HandleRequest(WorkerView& worker, const std::string& method, const std::string& path,
                        const std::map<std::string, std::string>& params) {
  if (method != "GET" && method != "HEAD") return Error(405, "only GET is supported");
  const std::vector<std::string> seg = Segments(path);
  if (seg.empty()) {
    return Json(200,
                "{\"endpoints\": [\"/health\", \"/ready\", \"/metrics\", \"/topology\", \"/stores/<store>/<key>\"]}\n");
  }
  const std::string& first = seg[0];
  if (first == "health" && seg.size() == 1) return Json(200, "{\"status\": \"UP\"}\n");
  if (first == "ready" && seg.size() == 1) {
    Readiness r = worker.Ready();
    return Json(r.ready ? 200 : 503, "{\"ready\": " + std::string(r.ready ? "true" : "false") +
                                         ", \"reason\": " + JsonString(r.reason) + "}\n");
  }
  if (first == "metrics" && seg.size() == 1) {
    return {200, "text/plain; version=0.0.4; charset=utf-8", RenderPrometheus(worker.CollectMetrics())};
  }
  if (first == "topology" && seg.size() == 1) return Json(200, worker.TopologyJson());
  if (first == "stores") return Stores(worker, seg, params);
  return Error(404, "no such endpoint: " + path);
}

}  // namespace streamapp::observe
