// The HTTP endpoint's routes, independent of the server library:
//   GET /health                 200 while the process serves requests
//   GET /ready                  200 when every assigned task is restored and running, else 503
//   GET /metrics                Prometheus text format
//   GET /topology               the topology as `stream-app describe --format json` prints it
//   GET /stores/<store>/<key>   a key's value in a local store (?from=&to=: windows of the key)
//   GET /stores/<store>?from=a&to=b   a range of keys of a local key-value store
#pragma once

#include <map>
#include <string>

#include "observe/worker_view.h"

namespace streamapp::observe {

struct HttpReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// `path` is the raw request path (segments are percent-decoded here);
// `params` the decoded query parameters.
HttpReply HandleRequest(WorkerView& worker, const std::string& method, const std::string& path,
                        const std::map<std::string, std::string>& params);

std::string JsonString(std::string_view s);
// The stored bytes as JSON: the bytes themselves when they are a JSON
// document (json serdes, numbers as text), a JSON string when they are
// UTF-8 text, otherwise {"base64": "..."} (protobuf, binary window records).
std::string ValueAsJson(std::string_view bytes);
std::string Base64(std::string_view bytes);
std::string PercentDecode(std::string_view s);

}  // namespace streamapp::observe
