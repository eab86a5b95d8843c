#include "observe/http_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <chrono>
#include <map>

#include "observe/http_handlers.h"

namespace streamapp::observe {
namespace {

constexpr size_t kServerThreads = 2;

}  // namespace

HttpServer::HttpServer(WorkerView& worker) : worker_(worker) {}

HttpServer::~HttpServer() {
  Stop();
}

Status HttpServer::Start(const std::string& host, int port) {
  if (server_) return Status::InvalidArgument("the HTTP server is already started");
  server_ = std::make_unique<httplib::Server>();
  server_->new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which would let a
  // second worker on the same port share (and silently split) the requests.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server_->Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
    std::map<std::string, std::string> params;
    for (const auto& [k, v] : req.params) params.emplace(k, v);
    // The raw target (path still percent-encoded, so an encoded '/' stays in its segment).
    std::string path = req.target.empty() ? req.path : req.target.substr(0, req.target.find('?'));
    HttpReply reply = HandleRequest(worker_, "GET", path, params);
    res.status = reply.status;
    res.set_content(reply.body, reply.content_type.c_str());
  });
  bool bound = false;
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
    bound = port_ > 0;
  } else {
    bound = server_->bind_to_port(host, port);
    port_ = port;
  }
  if (!bound) {
    server_.reset();
    return Status::IoError("cannot listen on " + host + ":" + std::to_string(port));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() is a no-op until the server runs: wait for it, so Stop() right
  // after Start() cannot leave the listening thread behind.
  for (int i = 0; i < 5000 && !server_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  spdlog::info("HTTP endpoint listening on http://{}:{}/ (/metrics, /health, /ready, /topology, /stores)", host, port_);
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace streamapp::observe
