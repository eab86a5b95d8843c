// The worker's HTTP endpoint (cpp-httplib) serving the routes of
// http_handlers.h on a few threads of its own.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "observe/worker_view.h"

namespace httplib {
class Server;
}

namespace streamapp::observe {

class HttpServer {
 public:
  // `worker` must outlive the server (Stop() or the destructor).
  explicit HttpServer(WorkerView& worker);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds `host`:`port` (port 0: any free port) and starts serving.
  Status Start(const std::string& host, int port);
  void Stop();
  int port() const { return port_; }

 private:
  WorkerView& worker_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace streamapp::observe
