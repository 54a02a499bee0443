#pragma once
// A small fault-injecting HTTP proxy between kiosks and the hub: it delays,
// duplicates and reorders requests, loses replies after the hub committed,
// and can cut the network altogether. Faults are drawn from a seeded RNG.
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

namespace bkt {

class FaultProxy {
 public:
  struct Counts { int forwarded = 0, delayed = 0, duplicated = 0, reordered = 0, lost_replies = 0, cut = 0; };

  FaultProxy(int hub_port, unsigned seed) : hub_port_(hub_port), rng_(seed) {
    svr_.new_task_queue = [] { return new httplib::ThreadPool(16); };
    svr_.set_tcp_nodelay(true);
    auto handler = [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); };
    svr_.Get(".*", handler);
    svr_.Post(".*", handler);
    port_ = svr_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { svr_.listen_after_bind(); });
    while (!svr_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~FaultProxy() {
    svr_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void setCut(bool cut) { cut_ = cut; }  // the network is down
  void setFaulty(bool on) { faulty_ = on; }
  Counts counts() {
    std::lock_guard l(mu_);
    return counts_;
  }

 private:
  struct Held { std::string path; httplib::Headers headers; std::string body; };

  httplib::Result forward(const std::string& method, const std::string& path, const httplib::Headers& h,
                          const std::string& body) {
    httplib::Client c("127.0.0.1", hub_port_);
    c.set_tcp_nodelay(true);
    c.set_connection_timeout(2, 0);
    c.set_read_timeout(60, 0);
    return method == "GET" ? c.Get(path.c_str(), h) : c.Post(path.c_str(), h, body, "application/json");
  }

  void handle(const httplib::Request& req, httplib::Response& res) {
    if (cut_) {
      std::lock_guard l(mu_);
      ++counts_.cut;
      res.status = 503;
      return;
    }
    std::string path = req.path;
    if (!req.params.empty()) {
      path += "?";
      for (auto& [k, v] : req.params) path += k + "=" + v + "&";
      path.pop_back();
    }
    httplib::Headers h;
    if (req.has_header("Authorization")) h.emplace("Authorization", req.get_header_value("Authorization"));
    int fault = 0, delayMs = 0;
    std::optional<Held> replay;
    {
      std::lock_guard l(mu_);
      ++counts_.forwarded;
      if (faulty_) {
        fault = std::uniform_int_distribution<int>(0, 9)(rng_);
        delayMs = std::uniform_int_distribution<int>(0, 300)(rng_);
      }
      if (held_ && fault != 4) {  // an old request, sent on after newer ones
        replay = std::move(held_);
        held_.reset();
      }
    }
    const bool push = req.method == "POST" && req.path == "/api/v1/push";
    if (fault == 1) {  // delayed
      std::this_thread::sleep_for(std::chrono::milliseconds(delayMs));
      std::lock_guard l(mu_);
      ++counts_.delayed;
    }
    if (push && fault == 4) {  // held back: the kiosk times out; the hub sees it later, after newer ones
      std::lock_guard l(mu_);
      held_ = Held{path, h, req.body};
      ++counts_.reordered;
      res.status = 504;
      return;
    }
    auto r = forward(req.method, path, h, req.body);
    if (push && fault == 2) {  // duplicated on the wire
      r = forward(req.method, path, h, req.body);
      std::lock_guard l(mu_);
      ++counts_.duplicated;
    }
    if (replay) (void)forward("POST", replay->path, replay->headers, replay->body);
    if (push && fault == 3) {  // the hub committed, the reply is lost
      std::lock_guard l(mu_);
      ++counts_.lost_replies;
      res.status = 502;
      return;
    }
    if (!r) {
      res.status = 502;
      return;
    }
    res.status = r->status;
    res.set_content(r->body, "application/json");
  }

  int hub_port_;
  int port_ = 0;
  httplib::Server svr_;
  std::thread thread_;
  std::mutex mu_;
  std::mt19937 rng_;
  Counts counts_;
  std::optional<Held> held_;
  std::atomic<bool> cut_{false}, faulty_{true};
};

}  // namespace bkt
