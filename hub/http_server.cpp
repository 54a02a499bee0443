#include "hub/http_server.hpp"

#include <microhttpd.h>
#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdarg>
#include <cstring>

namespace bk::hub::http {
namespace {

bool sameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

using Clock = std::chrono::steady_clock;

void refuse(Response& res, int status, const std::string& what) {
  res.status = status;
  res.setContent(json{{"error", what}}.dump(), "application/json");
}

}  // namespace

std::string Request::header(std::string_view name) const {
  for (auto& [k, v] : headers)
    if (sameName(k, name)) return v;
  return {};
}
std::size_t Request::headerCount(std::string_view name) const {
  std::size_t n = 0;
  for (auto& [k, v] : headers) n += sameName(k, name);
  return n;
}
std::string Request::param(std::string_view key) const {
  for (auto& [k, v] : params)
    if (k == key) return v;
  return {};
}
std::size_t Request::paramCount(std::string_view key) const {
  std::size_t n = 0;
  for (auto& [k, v] : params) n += k == key;
  return n;
}

// One connection, from accept to close. Its phase says which deadline runs.
enum Phase { kHeaders, kBody, kHandling, kWaiting, kReplying };
struct Server::Peer {
  int fd = -1;
  int phase = kHeaders;
  Clock::time_point since = Clock::now();
  bool shut = false;  // shut down by a deadline: once is enough
};

// One request and its answer, from its headers to the end of its reply.
struct Server::Exchange {
  Request req;
  Response res;
  const Handler* handler = nullptr;
  Peer* peer = nullptr;
  MHD_Connection* conn = nullptr;
  std::size_t cap = 0;        // the most body this route takes
  bool dispatched = false;    // the handler has run
  bool answered = false;      // a reply is queued
  bool woken = false;         // under waiting_mu_: woken since the poll last looked
  bool suspended = false;     // under waiting_mu_: parked in libmicrohttpd
  bool gone = false;          // the client hung up while parked
};

struct Callbacks {
  static MHD_Result access(void* cls, MHD_Connection* c, const char* url, const char* method, const char*,
                           const char* upload, std::size_t* upload_size, void** con_cls) {
    return static_cast<Server*>(cls)->access(c, url, method, upload, upload_size, con_cls) ? MHD_YES : MHD_NO;
  }
  static void completed(void* cls, MHD_Connection*, void** con_cls, MHD_RequestTerminationCode why) {
    auto* s = static_cast<Server*>(cls);
    auto* x = static_cast<Server::Exchange*>(*con_cls);
    if (!x) return;
    *con_cls = nullptr;
    {
      std::lock_guard lock(s->waiting_mu_);
      s->waiting_.erase(x);
    }
    if (x->answered && s->logger_) s->logger_(x->req, x->res);
    if (why != MHD_REQUEST_TERMINATED_COMPLETED_OK)
      spdlog::debug("http: {} {} from {} ended early ({})", x->req.method, x->req.path, x->req.remote_addr, static_cast<int>(why));
    s->setPhase(x->peer, kHeaders);  // keep-alive: the next request's headers are due
    delete x;
  }
  static void connection(void* cls, MHD_Connection* c, void** socket_context, MHD_ConnectionNotificationCode what) {
    auto* s = static_cast<Server*>(cls);
    if (what == MHD_CONNECTION_NOTIFY_STARTED) {
      auto* p = new Server::Peer;
      if (const MHD_ConnectionInfo* i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD)) p->fd = i->connect_fd;
      *socket_context = p;
      std::lock_guard lock(s->peers_mu_);
      s->peers_.insert(p);
    } else {
      // before libmicrohttpd closes the socket: the watcher never shuts an fd
      // that has been reused
      auto* p = static_cast<Server::Peer*>(*socket_context);
      if (!p) return;
      {
        std::lock_guard lock(s->peers_mu_);
        s->peers_.erase(p);
      }
      delete p;
      *socket_context = nullptr;
    }
  }
  static void log(void*, const char* fmt, va_list ap) {
    char line[512];
    std::vsnprintf(line, sizeof line, fmt, ap);
    std::string text(line);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    spdlog::debug("http: {}", text);
  }
};

Server::Server(Limits limits, std::optional<TlsPem> tls) : limits_(limits), tls_(std::move(tls)) {
  if (tls_ && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
    throw std::runtime_error("TLS: this libmicrohttpd has no TLS support");
}

Server::~Server() {
  stop();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

int Server::bind(const std::string& host, int port) {
  addrinfo hints{}, *found = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found) return -1;
  int fd = -1;
  for (addrinfo* a = found; a && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    // a wake after an event reconnects every bay at once: a deep backlog
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) return -1;
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  listen_fd_ = fd;
  return ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                           : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
}

void Server::run() {
  if (listen_fd_ < 0) throw std::runtime_error("the HTTP server is not bound");
  // every open connection is a descriptor: allow as many as the limit asks
  rlimit fds{};
  if (::getrlimit(RLIMIT_NOFILE, &fds) == 0 && fds.rlim_cur < limits_.connections + 256 && fds.rlim_cur < fds.rlim_max) {
    fds.rlim_cur = std::min<rlim_t>(fds.rlim_max, limits_.connections + 256);
    ::setrlimit(RLIMIT_NOFILE, &fds);
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
  if (bound.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
  if (tls_) flags |= MHD_USE_TLS;
  std::vector<MHD_OptionItem> opts = {
      {MHD_OPTION_LISTEN_SOCKET, listen_fd_, nullptr},
      {MHD_OPTION_THREAD_POOL_SIZE, static_cast<intptr_t>(limits_.threads), nullptr},
      {MHD_OPTION_CONNECTION_LIMIT, static_cast<intptr_t>(limits_.connections), nullptr},
      {MHD_OPTION_PER_IP_CONNECTION_LIMIT, static_cast<intptr_t>(limits_.per_address), nullptr},
      {MHD_OPTION_CONNECTION_TIMEOUT, static_cast<intptr_t>(limits_.idle_s), nullptr},
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<intptr_t>(limits_.header_bytes), nullptr},
      {MHD_OPTION_NOTIFY_COMPLETED, reinterpret_cast<intptr_t>(&Callbacks::completed), this},
      {MHD_OPTION_NOTIFY_CONNECTION, reinterpret_cast<intptr_t>(&Callbacks::connection), this},
      {MHD_OPTION_EXTERNAL_LOGGER, reinterpret_cast<intptr_t>(&Callbacks::log), nullptr},
  };
  if (tls_) {
    opts.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, const_cast<char*>(tls_->cert.c_str())});
    opts.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(tls_->key.c_str())});
    // forward-secret AEAD only: TLS 1.3, and TLS 1.2 with ECDHE and
    // AES-GCM or ChaCha20-Poly1305
    opts.push_back({MHD_OPTION_HTTPS_PRIORITIES, 0,
                    const_cast<char*>("SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:"
                                      "+AES-128-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-RSA:"
                                      "+ECDHE-ECDSA:%SERVER_PRECEDENCE")});
  }
  opts.push_back({MHD_OPTION_END, 0, nullptr});
  daemon_ = MHD_start_daemon(flags, 0, nullptr, nullptr, reinterpret_cast<MHD_AccessHandlerCallback>(&Callbacks::access),
                             this, MHD_OPTION_ARRAY, opts.data(), MHD_OPTION_END);
  if (!daemon_) throw std::runtime_error(tls_ ? "cannot start the HTTPS server (is the certificate and key valid?)"
                                             : "cannot start the HTTP server");
  running_ = true;
  watcher_ = std::thread([this] { watch(); });
  {
    std::unique_lock lock(run_mu_);
    run_cv_.wait(lock, [this] { return stopping_.load(); });
  }
  // every parked poll answers before the daemon goes (libmicrohttpd will
  // not stop with a connection suspended)
  {
    std::lock_guard lock(waiting_mu_);
    for (Exchange* x : waiting_)
      if (x->suspended) {
        x->suspended = false;
        x->woken = true;
        MHD_resume_connection(x->conn);
      }
  }
  watcher_.join();
  MHD_stop_daemon(daemon_);
  daemon_ = nullptr;
  listen_fd_ = -1;  // closed with the daemon
  running_ = false;
}

void Server::stop() {
  {
    std::lock_guard lock(run_mu_);
    stopping_ = true;
  }
  run_cv_.notify_all();
  while (running_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

void Server::wake() {
  std::lock_guard lock(waiting_mu_);
  for (Exchange* x : waiting_) {
    x->woken = true;
    if (x->suspended) {
      x->suspended = false;
      MHD_resume_connection(x->conn);
    }
  }
}

void Server::setPhase(Peer* p, int phase) {
  if (!p) return;
  std::lock_guard lock(peers_mu_);
  p->phase = phase;
  p->since = Clock::now();
}

void Server::watch() {
  while (!stopping_.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto now = Clock::now();
    {
      // a peer past its phase's deadline is shut: libmicrohttpd sees the
      // socket end and closes the connection in its own thread
      std::lock_guard lock(peers_mu_);
      for (Peer* p : peers_) {
        if (p->shut || p->fd < 0) continue;
        const int limit = p->phase == kHeaders ? limits_.header_ms
                          : p->phase == kBody ? limits_.body_ms
                          : p->phase == kReplying ? limits_.reply_ms : -1;
        if (limit >= 0 && now - p->since > std::chrono::milliseconds(limit)) {
          p->shut = true;
          ::shutdown(p->fd, SHUT_RDWR);
        }
      }
    }
    // parked polls whose time is up, or whose client has hung up
    std::lock_guard lock(waiting_mu_);
    std::vector<pollfd> fds;
    std::vector<Exchange*> of;
    for (Exchange* x : waiting_) {
      if (!x->suspended) continue;
      if (now >= x->res.deadline) {
        x->suspended = false;
        x->woken = true;
        MHD_resume_connection(x->conn);
      } else if (x->peer && x->peer->fd >= 0) {
        fds.push_back({x->peer->fd, POLLRDHUP, 0});
        of.push_back(x);
      }
    }
    if (!fds.empty() && ::poll(fds.data(), fds.size(), 0) > 0)
      for (std::size_t i = 0; i < fds.size(); ++i)
        if (fds[i].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
          of[i]->gone = true;
          of[i]->suspended = false;
          of[i]->woken = true;
          MHD_resume_connection(of[i]->conn);
        }
  }
}

int Server::access(MHD_Connection* c, const char* url, const char* method, const char* upload, std::size_t* upload_size,
                   void** con_cls) {
  auto* x = static_cast<Exchange*>(*con_cls);
  if (!x) {
    // the headers are in: route and screen before any of the body is read
    x = new Exchange;
    *con_cls = x;
    x->conn = c;
    if (const MHD_ConnectionInfo* i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT))
      x->peer = static_cast<Peer*>(i->socket_context);
    x->req.method = method;
    x->req.path = url;
    if (const MHD_ConnectionInfo* i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS); i && i->client_addr) {
      char host[INET6_ADDRSTRLEN] = "";
      const sockaddr* sa = i->client_addr;
      if (sa->sa_family == AF_INET) ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, host, sizeof host);
      else if (sa->sa_family == AF_INET6) ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, host, sizeof host);
      x->req.remote_addr = host;
    }
    auto collect = [](void* cls, MHD_ValueKind, const char* key, std::size_t key_size, const char* value,
                      std::size_t value_size) -> MHD_Result {
      static_cast<Pairs*>(cls)->emplace_back(std::string(key, key_size), value ? std::string(value, value_size) : std::string());
      return MHD_YES;
    };
    MHD_get_connection_values_n(c, MHD_HEADER_KIND, collect, &x->req.headers);
    MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, collect, &x->req.params);
    setPhase(x->peer, kBody);
    if (start(*x, c)) return answer(*x, c);
    return 1;
  }
  if (x->answered) {
    *upload_size = 0;  // refused early: the body is not wanted
    return 1;
  }
  if (*upload_size > 0) {
    if (x->req.body.size() + *upload_size > x->cap) {
      refuse(x->res, 413, "request too large (at most " + std::to_string(x->cap) + " bytes here)");
      x->res.setHeader("Connection", "close");
      *upload_size = 0;
      return answer(*x, c);
    }
    x->req.body.append(upload, *upload_size);
    *upload_size = 0;
    return 1;
  }
  if (!x->dispatched) {
    x->dispatched = true;
    setPhase(x->peer, kHandling);
    dispatch(*x);
    if (!x->res.poll) return answer(*x, c);
  }
  return continuePoll(*x, c);
}

bool Server::start(Exchange& x, MHD_Connection*) {
  Request& req = x.req;
  bool pathKnown = false;
  for (const Route& r : routes_) {
    std::smatch m;
    if (!std::regex_match(req.path, m, r.pattern)) continue;
    pathKnown = true;
    if (r.method != req.method) continue;
    x.handler = &r.handler;
    x.cap = r.max_body;
    for (const auto& sub : m) req.matches.push_back(sub.str());
    break;
  }
  if (!x.handler) {
    refuse(x.res, pathKnown ? 405 : 404, pathKnown ? "method not allowed" : "no such route");
    x.res.setHeader("Connection", "close");
    return true;
  }
  // the body as declared, checked before any of it is read: nothing
  // compressed (a 5 KB gzip body would inflate to 90 MB), one length,
  // within the route's limit
  auto early = [&](int status, const std::string& what) {
    refuse(x.res, status, what);
    x.res.setHeader("Connection", "close");  // the unread body must not be taken for the next request
    return true;
  };
  if (req.hasHeader("Content-Encoding") && !sameName(req.header("Content-Encoding"), "identity"))
    return early(415, "compressed bodies are not accepted");
  if (req.hasHeader("Transfer-Encoding")) return early(411, "send the body with a Content-Length");
  if (req.headerCount("Content-Length") > 1) return early(400, "more than one Content-Length");
  if (req.hasHeader("Content-Length")) {
    const std::string n = req.header("Content-Length");
    if (n.empty() || n.size() > 19 || n.find_first_not_of("0123456789") != std::string::npos)
      return early(400, "Content-Length is not a number");
    if (std::stoull(n) > x.cap) return early(413, "request too large (at most " + std::to_string(x.cap) + " bytes here)");
  }
  try {
    if (screen_ && screen_(req, x.res)) {
      x.res.setHeader("Connection", "close");  // the unread body must not be taken for the next request
      return true;
    }
  } catch (const std::exception& e) {
    refuse(x.res, 500, e.what());
    return true;
  }
  return false;
}

void Server::dispatch(Exchange& x) {
  try {
    (*x.handler)(x.req, x.res);
  } catch (const std::exception& e) {
    // an I/O fault: the batch was rolled back; the hub goes on
    x.res = Response{};
    refuse(x.res, 503, e.what());
  } catch (...) {
    x.res = Response{};
    refuse(x.res, 503, "internal error");
  }
}

int Server::continuePoll(Exchange& x, MHD_Connection* c) {
  for (;;) {
    {
      std::lock_guard lock(waiting_mu_);
      if (!waiting_.count(&x)) {
        if (waiting_.size() >= limits_.waiting) {
          x.res = Response{};
          refuse(x.res, 503, "too many long polls: retry shortly");
          x.res.setHeader("Retry-After", "2");
          break;
        }
        waiting_.insert(&x);
      }
      x.woken = false;
    }
    const bool over = x.gone || stopping_.load() || Clock::now() >= x.res.deadline;
    bool done = false;
    try {
      done = x.res.poll(x.res, over);
    } catch (const std::exception& e) {
      x.res = Response{};
      refuse(x.res, 503, e.what());
      done = true;
    }
    std::lock_guard lock(waiting_mu_);
    if (done || over) {
      waiting_.erase(&x);
      if (!done) refuse(x.res, 503, "the wait ended without an answer");
      break;
    }
    if (x.woken || stopping_.load()) continue;  // woken while it looked: look again
    x.suspended = true;
    setPhase(x.peer, kWaiting);
    MHD_suspend_connection(c);
    return 1;
  }
  x.res.poll = nullptr;
  return answer(x, c);
}

int Server::answer(Exchange& x, MHD_Connection* c) {
  x.answered = true;
  Response& r = x.res;
  MHD_Response* m = MHD_create_response_from_buffer(r.body.size(), r.body.data(), MHD_RESPMEM_PERSISTENT);
  if (!m) return 0;
  MHD_add_response_header(m, "Content-Type", r.content_type.c_str());
  for (auto& [k, v] : r.headers) MHD_add_response_header(m, k.c_str(), v.c_str());
  setPhase(x.peer, kReplying);
  const MHD_Result queued = MHD_queue_response(c, static_cast<unsigned>(r.status), m);
  MHD_destroy_response(m);  // the connection holds it until sent; the body lives in x until then
  return queued == MHD_YES ? 1 : 0;
}

}  // namespace bk::hub::http
