#pragma once
// The hub's HTTP server, on libmicrohttpd (docs/SECURITY.md, DECISIONS.md
// "HTTP server limits"). What it guarantees, whatever a peer does:
//   - a few threads serve every connection (epoll); no request holds one
//     while it waits: a long poll is parked (suspended) until it is woken
//     or its time is up, so polls cannot starve pushes or health;
//   - connections are capped in all and per peer address;
//   - every request has deadlines: its headers within `header_ms` of the
//     connection opening (or of its last reply), its body within `body_ms`,
//     its reply taken within `reply_ms`; past one, the connection is shut;
//   - a request is screened when its headers are in, before its body is
//     read: a refusal there answers at once and the body is never read;
//   - a parked poll whose client has gone is let go at once.
// Handlers answer JSON; errors are {"error": "..."} like every other reply.
#include "domain/types.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

struct MHD_Daemon;
struct MHD_Connection;

namespace bk::hub::http {

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method, path, remote_addr, body;
  Pairs headers;                     // as sent; names compared without case
  Pairs params;                      // the query, decoded
  std::vector<std::string> matches;  // the route's captures; [0] is the whole path
  std::string header(std::string_view name) const;  // the first, or ""
  std::size_t headerCount(std::string_view name) const;
  bool hasHeader(std::string_view name) const { return headerCount(name) > 0; }
  std::string param(std::string_view key) const;    // the first, or ""
  std::size_t paramCount(std::string_view key) const;
  bool hasParam(std::string_view key) const { return paramCount(key) > 0; }
};

struct Response {
  // Asked again whenever the server is woken, and once when the wait is
  // over (`timed_out`); it answers by filling the response and returning
  // true. It must not block.
  using Poll = std::function<bool(Response&, bool timed_out)>;

  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  Pairs headers;
  void setHeader(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
  void setContent(std::string b, std::string type) {
    body = std::move(b);
    content_type = std::move(type);
  }
  // A long poll: answer later, without holding a thread, at the latest
  // after `wait`.
  void waitFor(std::chrono::milliseconds wait, Poll p) {
    poll = std::move(p);
    deadline = std::chrono::steady_clock::now() + wait;
  }
  Poll poll;
  std::chrono::steady_clock::time_point deadline{};
};

using Handler = std::function<void(const Request&, Response&)>;
// Runs once a request's headers are in and have passed the server's own
// checks (body still unread; the route's `matches` set): returns true when
// it has answered (a refusal).
using Screen = std::function<bool(const Request&, Response&)>;
using Logger = std::function<void(const Request&, const Response&)>;

struct Limits {
  unsigned threads = 8;           // serving every connection
  unsigned connections = 2000;    // open at once, in all
  unsigned per_address = 256;     // open at once from one peer address
  unsigned idle_s = 10;           // no byte either way for this long: closed
  int header_ms = 10'000;         // a request's headers complete within
  int body_ms = 30'000;           // its body within (after the headers)
  int reply_ms = 60'000;          // its reply taken within
  std::size_t waiting = 4096;     // long polls parked at once; past it, 503
  std::size_t header_bytes = 32 * 1024;  // request line and headers
};

struct TlsPem {
  std::string cert, key;  // PEM text, not file names
};

class Server {
 public:
  explicit Server(Limits limits = {}, std::optional<TlsPem> tls = std::nullopt);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Routes are matched in the order given; a pattern is an ECMAScript
  // regex matched against the whole path. A body longer than `max_body`
  // is refused from its declared length, before it is read (413).
  void get(const std::string& pattern, Handler h) { routes_.push_back({"GET", std::regex(pattern), 0, std::move(h)}); }
  void post(const std::string& pattern, std::size_t max_body, Handler h) {
    routes_.push_back({"POST", std::regex(pattern), max_body, std::move(h)});
  }
  void screen(Screen s) { screen_ = std::move(s); }
  void logger(Logger l) { logger_ = std::move(l); }

  // Binds and listens (port 0: any free port); returns the port, or -1.
  int bind(const std::string& host, int port);
  // Serves until stop(); throws if the server cannot start.
  void run();
  void stop();
  bool running() const { return running_.load(); }
  // Every parked poll is asked again (something it may wait for changed).
  void wake();
  const Limits& limits() const { return limits_; }

  struct Exchange;
  struct Peer;

 private:
  struct Route {
    std::string method;
    std::regex pattern;
    std::size_t max_body;
    Handler handler;
  };
  friend struct Callbacks;  // libmicrohttpd's C callbacks (http_server.cpp)

  int access(MHD_Connection* c, const char* url, const char* method, const char* upload, std::size_t* upload_size,
             void** con_cls);
  bool start(Exchange& x, MHD_Connection* c);  // headers in: route and screen; true if answered
  void dispatch(Exchange& x);
  int continuePoll(Exchange& x, MHD_Connection* c);
  int answer(Exchange& x, MHD_Connection* c);
  void setPhase(Peer* p, int phase);
  void watch();  // the deadlines and parked polls, every 100 ms

  Limits limits_;
  std::optional<TlsPem> tls_;
  std::vector<Route> routes_;
  Screen screen_;
  Logger logger_;
  int listen_fd_ = -1;
  MHD_Daemon* daemon_ = nullptr;
  std::atomic<bool> running_{false}, stopping_{false};
  std::mutex run_mu_;
  std::condition_variable run_cv_;

  std::mutex peers_mu_;  // the open connections and their phases
  std::unordered_set<Peer*> peers_;
  std::mutex waiting_mu_;  // the parked polls
  std::unordered_set<Exchange*> waiting_;
  std::thread watcher_;
};

}  // namespace bk::hub::http
