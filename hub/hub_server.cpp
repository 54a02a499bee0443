#include "hub/hub_server.hpp"

#include "hub/http_util.hpp"
#include "hub/push.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

namespace bk::hub {

// The most a request to this route may carry, declared before it is read.
std::size_t bodyLimit(const std::string& method, const std::string& path) {
  if (method != "POST") return 1024;
  if (path == "/api/v1/enroll") return sync::kMaxEnrolBody;
  if (path == "/api/v1/push") return sync::kMaxBody;
  return sync::kMaxDeskBody;
}

HubServer::HubServer(Store& store, Entropy& entropy, Clock clock, int utc_offset_min, const TlsFiles& tls)
    : store_(store), entropy_(entropy), clock_(std::move(clock)), utc_offset_min_(utc_offset_min) {
  // spdlog builds its registry on first use: here, before any server thread
  // logs, not lazily inside one of them
  (void)spdlog::default_logger_raw();
  if (tls.enabled()) {
    auto ssl = std::make_unique<httplib::SSLServer>(tls.cert.c_str(), tls.key.c_str());
    if (!ssl->is_valid()) throw std::runtime_error("TLS: cannot use certificate " + tls.cert + " with key " + tls.key);
    // forward-secret AEAD only: TLS 1.2 with ECDHE and AES-GCM or ChaCha20,
    // and TLS 1.3 (whose suites all are)
    SSL_CTX* ctx = ssl->ssl_context();
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!SHA1:!SHA256:!SHA384") != 1)
      throw std::runtime_error("TLS: cannot restrict the cipher suites");
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
    svr_ = std::move(ssl);
  } else {
    svr_ = std::make_unique<httplib::Server>();
  }
  svr_->set_tcp_nodelay(true);  // without it every small request waits ~40–90 ms
  // remember the listening socket: its backlog is raised after bind (below)
  svr_->set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_fd_ = sock;
  });
  svr_->set_payload_max_length(sync::kMaxBody);
  svr_->set_read_timeout(10, 0);
  // Before a body is read (cpp-httplib runs this ahead of reading it):
  // nothing compressed (a 5 KB gzip body would inflate to 90 MB), one
  // declared length, within the route's limit, refused at once otherwise.
  svr_->set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    auto refuse = [&](int status, const std::string& what) {
      error(res, status, what);
      res.set_header("Connection", "close");  // the unread body must not be taken for the next request
      return httplib::Server::HandlerResponse::Handled;
    };
    if (req.has_header("Content-Encoding") && req.get_header_value("Content-Encoding") != "identity")
      return refuse(415, "compressed bodies are not accepted");
    if (req.has_header("Transfer-Encoding")) return refuse(411, "send the body with a Content-Length");
    const std::size_t lengths = req.get_header_value_count("Content-Length");
    if (lengths > 1) return refuse(400, "more than one Content-Length");
    if (lengths == 1) {
      const auto n = sync::strictInt(req.get_header_value("Content-Length"));
      if (!n) return refuse(400, "Content-Length is not a number");
      const std::size_t cap = bodyLimit(req.method, req.path);
      if (static_cast<std::uint64_t>(*n) > cap)
        return refuse(413, "request too large (at most " + std::to_string(cap) + " bytes here)");
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // errors raised inside the HTTP layer (bad request line, unknown route,
  // a body over the limit) come back as JSON like every other error
  svr_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const char* what = res.status == 404 ? "no such route"
                       : res.status == 413 ? "request too large"
                       : res.status == 405 ? "method not allowed"
                       : res.status < 500 ? "bad request" : "internal error";
    error(res, res.status, what);
  });
  // long polls hold a thread each (at most kMaxLongPolls of them): enough
  // for every bay of a large shop, with workers to spare for pushes
  svr_->new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
  svr_->set_keep_alive_timeout(5);
  svr_->Get("/api/v1/health", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mu_);
    reply(res, 200, {{"status", "ok"}, {"hub", instance()}, {"last_pos", store_.lastPos()}});
  });
  svr_->Post("/api/v1/enroll", [this](const auto& req, auto& res) { enroll(req, res); });
  svr_->Post("/api/v1/push", [this](const auto& req, auto& res) { push(req, res); });
  svr_->Get("/api/v1/pull", [this](const auto& req, auto& res) { pull(req, res); });
  svr_->Get("/api/v1/credentials", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu_);
    if (!authorise(req)) return error(res, 401, "not an enrolled kiosk");
    json out = json::array();
    for (auto& [person, hash] : store_.pinHashes()) out.push_back({{"person", person}, {"pin_hash", hash}});
    reply(res, 200, {{"credentials", out}});
  });
  routeDesk();
  // one line per request: who, what, how it ended; never a token or a body
  svr_->set_logger([](const httplib::Request& req, const httplib::Response& res) {
    const auto lvl = res.status >= 500 ? spdlog::level::warn : res.status >= 400 ? spdlog::level::info : spdlog::level::debug;
    spdlog::log(lvl, "{} {} {} -> {} ({} bytes)", req.remote_addr, req.method, req.path, res.status, res.body.size());
  });
  svr_->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    // an I/O fault answers 503 and the batch was rolled back; the hub goes on
    std::string what = "internal error";
    try { if (ep) std::rethrow_exception(ep); } catch (const std::exception& e) { what = e.what(); } catch (...) {}
    error(res, 503, what);
  });
}

HubServer::~HubServer() { stop(); }

int HubServer::bind(const std::string& host, int port) {
  const int bound = port == 0 ? svr_->bind_to_any_port(host) : (svr_->bind_to_port(host, port) ? port : -1);
  // Debian's compiled cpp-httplib listens with a backlog of 5: when an event
  // wakes every bay's long poll at once, fifty kiosks reconnect together and
  // SYNs beyond five are dropped (seen as "hub unreachable" in the soak).
  // Listening again on the same socket raises the backlog.
  if (bound > 0 && listen_fd_ >= 0) ::listen(listen_fd_, SOMAXCONN);
  return bound;
}

void HubServer::run() { svr_->listen_after_bind(); }

void HubServer::stop() {
  if (svr_->is_running()) svr_->stop();
  changed_.notify_all();
}

std::string HubServer::randomSecret(std::size_t bytes) {
  std::string hex;
  static constexpr char digits[] = "0123456789abcdef";
  while (hex.size() < bytes * 2)
    for (auto b : entropy_.random8()) { hex += digits[b >> 4]; hex += digits[b & 15]; }
  hex.resize(bytes * 2);
  return hex;
}

std::string HubServer::newEnrolCode(const Id& kiosk, Millis ttl, bool replace) {
  if (!validKioskId(kiosk) || kiosk == instance()) throw std::invalid_argument("bad kiosk id: " + kiosk);
  std::lock_guard lock(mu_);
  if (store_.enrolment().known(kiosk) && !replace)
    throw std::invalid_argument(kiosk + " is enrolled already: a code to replace it needs --replace");
  // 12 digits: typed once at the kiosk's setup, useless after first use
  std::string code;
  while (code.size() < 12)
    for (auto b : entropy_.random8()) if (b < 250 && code.size() < 12) code += static_cast<char>('0' + b % 10);
  store_.enrolment().addCode(sync::secretHash(code), kiosk, replace, clock_() + ttl);
  spdlog::info("enrolment code issued for {}{}", kiosk, replace ? " (may replace it)" : "");
  return code;
}

bool HubServer::revoke(const Id& kiosk) {
  std::lock_guard lock(mu_);
  return store_.enrolment().revoke(kiosk, clock_());
}

std::optional<Id> HubServer::authorise(const httplib::Request& req) {
  const std::string h = req.get_header_value("Authorization");
  if (h.rfind("Bearer ", 0) != 0 || h.size() < 7 + 32 || h.size() > 7 + 256) return std::nullopt;
  return store_.enrolment().kioskOfToken(sync::secretHash(h.substr(7)));
}

bool HubServer::authorised(const httplib::Request& req, httplib::Response& res) {
  std::lock_guard lock(mu_);
  if (authorise(req)) return true;
  error(res, 401, "not an enrolled kiosk");
  return false;
}

void HubServer::enroll(const httplib::Request& req, httplib::Response& res) {
  const Millis now = clock_();
  if (!enrol_attempts_.allow(req.remote_addr, now)) {
    spdlog::warn("enrolment from {} refused: too many attempts", req.remote_addr);
    return error(res, 429, "too many enrolment attempts: wait a minute");
  }
  auto body = parseBody(req, res, sync::kMaxEnrolBody);
  if (!body) return;
  if (!body->contains("code") || !(*body)["code"].is_string() || !body->contains("kiosk_id") ||
      !(*body)["kiosk_id"].is_string())
    return error(res, 400, "need code and kiosk_id");
  const std::string code = (*body)["code"], kiosk = (*body)["kiosk_id"];
  if (!validKioskId(kiosk) || kiosk == instance()) return error(res, 400, "bad kiosk_id");
  const std::string token = randomSecret(32);
  Enrolment::Use used;
  {
    std::lock_guard lock(mu_);
    used = store_.enrolment().useCode(sync::secretHash(code), kiosk, sync::secretHash(token), now);
  }
  switch (used) {
    case Enrolment::Use::Enrolled:
      spdlog::info("enrolment from {}: {} enrolled", req.remote_addr, kiosk);
      return reply(res, 200, {{"token", token}, {"hub", instance()}});
    case Enrolment::Use::BadCode:
      spdlog::warn("enrolment from {} as {} refused: unknown, used or expired code", req.remote_addr, kiosk);
      return error(res, 401, "unknown, used or expired code");
    case Enrolment::Use::WrongKiosk:
      spdlog::warn("enrolment from {} as {} refused: the code is for another kiosk", req.remote_addr, kiosk);
      return error(res, 403, "this code is for another kiosk id");
    case Enrolment::Use::IdTaken:
      spdlog::warn("enrolment from {} as {} refused: the id is enrolled already", req.remote_addr, kiosk);
      return error(res, 409, "kiosk id enrolled already: an administrator issues a code to replace it");
  }
}

void HubServer::push(const httplib::Request& req, httplib::Response& res) {
  std::optional<Id> kiosk;
  {
    std::lock_guard lock(mu_);
    kiosk = authorise(req);
  }
  if (!kiosk) return error(res, 401, "not an enrolled kiosk");
  const PushResult r = acceptPush(store_, mu_, req.body, *kiosk, clock_);
  if (r.status != 200) {
    spdlog::warn("push from {} refused ({}): {}", *kiosk, r.status, r.error);
    return error(res, r.status, r.error);
  }
  changed_.notify_all();
  spdlog::info("push from {}: {} sent, {} new, through {}{}{}", *kiosk, r.sent, r.applied, r.through,
               r.gap ? ", gap" : "", r.reviews ? fmt::format(", {} kept for review (R16)", r.reviews) : std::string());
  reply(res, 200, {{"applied_through", r.through}, {"gap", r.gap}, {"reviews", r.reviews}, {"hub", instance()}});
}

void HubServer::pull(const httplib::Request& req, httplib::Response& res) {
  std::unique_lock lock(mu_);
  if (!authorise(req)) return error(res, 401, "not an enrolled kiosk");
  std::int64_t after = 0, limit = 500, waitMs = 0;
  for (auto [key, out] : {std::pair{"after", &after}, {"limit", &limit}, {"wait_ms", &waitMs}}) {
    if (!req.has_param(key)) continue;
    const auto v = sync::strictInt(req.get_param_value(key));
    if (!v || req.get_param_value_count(key) > 1) return error(res, 400, "after, limit and wait_ms are plain non-negative integers");
    *out = *v;
  }
  if (limit < 1) return error(res, 400, "limit must be at least 1");
  limit = std::min<std::int64_t>(limit, static_cast<std::int64_t>(sync::kMaxBatch));
  waitMs = std::min<std::int64_t>(waitMs, 25'000);
  // long poll: hold the request until something newer arrives (or time
  // out). Long polls may hold at most kMaxLongPolls of the workers, so
  // pushes and health always find one; past that a poll that would wait is
  // told to come back (503), and the kiosk backs off.
  if (waitMs > 0 && store_.lastPos() <= after) {
    if (long_polls_ >= kMaxLongPolls) {
      res.set_header("Retry-After", "2");
      return error(res, 503, "too many long polls: retry shortly");
    }
    ++long_polls_;
    changed_.wait_for(lock, std::chrono::milliseconds(waitMs),
                      [&] { return store_.lastPos() > after || !svr_->is_running(); });
    --long_polls_;
  }
  json out = json::array();
  std::size_t bytes = 0;
  for (auto& e : store_.events(after, static_cast<int>(limit))) {
    if (bytes > 0 && bytes + e.body.size() > sync::kMaxPullBytes) break;  // the rest in the next pull
    bytes += e.body.size() + 200;
    out.push_back(sync::toWire(e));
  }
  reply(res, 200, {{"events", out}, {"last_pos", store_.lastPos()}, {"hub", instance()}});
}

}  // namespace bk::hub
