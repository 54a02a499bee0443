#include "hub/hub_server.hpp"

#include "hub/http_util.hpp"
#include "hub/push.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

namespace bk::hub {

HubServer::HubServer(Store& store, Entropy& entropy, Clock clock, int utc_offset_min, const TlsFiles& tls)
    : store_(store), entropy_(entropy), clock_(std::move(clock)), utc_offset_min_(utc_offset_min) {
  if (tls.enabled()) {
    auto ssl = std::make_unique<httplib::SSLServer>(tls.cert.c_str(), tls.key.c_str());
    if (!ssl->is_valid()) throw std::runtime_error("TLS: cannot use certificate " + tls.cert + " with key " + tls.key);
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
  // long polls hold a thread each: enough for every bay of a large shop
  svr_->new_task_queue = [] { return new httplib::ThreadPool(96); };
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

std::string HubServer::newEnrolCode(Millis ttl) {
  std::lock_guard lock(mu_);
  // 12 digits: typed once at the kiosk's setup, useless after first use
  std::string code;
  while (code.size() < 12)
    for (auto b : entropy_.random8()) if (b < 250 && code.size() < 12) code += static_cast<char>('0' + b % 10);
  sql::Stmt st(store_.db(), "INSERT INTO enrol_codes(code_hash, expires_at) VALUES(?1, ?2)");
  st.bind(1, sync::secretHash(code)).bind(2, clock_() + ttl).run();
  return code;
}

bool HubServer::revoke(const Id& kiosk) {
  std::lock_guard lock(mu_);
  sql::Stmt st(store_.db(), "UPDATE enrolled_kiosks SET revoked_at = ?2 WHERE kiosk_id = ?1 AND revoked_at IS NULL");
  st.bind(1, kiosk).bind(2, clock_()).run();
  return store_.db().changes() > 0;
}

std::optional<Id> HubServer::authorise(const httplib::Request& req) {
  const std::string h = req.get_header_value("Authorization");
  if (h.rfind("Bearer ", 0) != 0 || h.size() < 7 + 32 || h.size() > 7 + 256) return std::nullopt;
  sql::Stmt q(store_.db(), "SELECT kiosk_id FROM enrolled_kiosks WHERE token_hash = ?1 AND revoked_at IS NULL");
  q.bind(1, sync::secretHash(h.substr(7)));
  if (!q.step()) return std::nullopt;
  return q.text(0);
}

bool HubServer::authorised(const httplib::Request& req, httplib::Response& res) {
  std::lock_guard lock(mu_);
  if (authorise(req)) return true;
  error(res, 401, "not an enrolled kiosk");
  return false;
}

void HubServer::enroll(const httplib::Request& req, httplib::Response& res) {
  auto body = parseBody(req, res);
  if (!body) return;
  if (!body->contains("code") || !(*body)["code"].is_string() || !body->contains("kiosk_id") ||
      !(*body)["kiosk_id"].is_string())
    return error(res, 400, "need code and kiosk_id");
  const std::string code = (*body)["code"], kiosk = (*body)["kiosk_id"];
  if (!validKioskId(kiosk) || kiosk == instance()) return error(res, 400, "bad kiosk_id");
  std::lock_guard lock(mu_);
  const Millis now = clock_();
  sql::Tx tx(store_.db());
  sql::Stmt use(store_.db(), "UPDATE enrol_codes SET used_by = ?2 WHERE code_hash = ?1 AND used_by IS NULL AND expires_at > ?3");
  use.bind(1, sync::secretHash(code)).bind(2, kiosk).bind(3, now).run();
  if (store_.db().changes() != 1) return error(res, 401, "unknown, used or expired code");
  const std::string token = randomSecret(32);
  sql::Stmt add(store_.db(),
                "INSERT INTO enrolled_kiosks(kiosk_id, token_hash, enrolled_at) VALUES(?1, ?2, ?3) "
                "ON CONFLICT(kiosk_id) DO UPDATE SET token_hash = excluded.token_hash, "
                "enrolled_at = excluded.enrolled_at, revoked_at = NULL");
  add.bind(1, kiosk).bind(2, sync::secretHash(token)).bind(3, now).run();
  tx.commit();
  reply(res, 200, {{"token", token}, {"hub", instance()}});
}

void HubServer::push(const httplib::Request& req, httplib::Response& res) {
  std::optional<Id> kiosk;
  {
    std::lock_guard lock(mu_);
    kiosk = authorise(req);
  }
  if (!kiosk) return error(res, 401, "not an enrolled kiosk");
  const PushResult r = acceptPush(store_, mu_, req.body, *kiosk, clock_);
  if (r.status != 200) return error(res, r.status, r.error);
  changed_.notify_all();
  spdlog::info("push from {}: {} sent, {} new, through {}{}{}", *kiosk, r.sent, r.applied, r.through,
               r.gap ? ", gap" : "", r.reviews ? fmt::format(", {} kept for review (R16)", r.reviews) : std::string());
  reply(res, 200, {{"applied_through", r.through}, {"gap", r.gap}, {"reviews", r.reviews}, {"hub", instance()}});
}

void HubServer::pull(const httplib::Request& req, httplib::Response& res) {
  std::unique_lock lock(mu_);
  if (!authorise(req)) return error(res, 401, "not an enrolled kiosk");
  std::int64_t after = 0;
  int limit = 500, waitMs = 0;
  try {
    if (req.has_param("after")) after = std::stoll(req.get_param_value("after"));
    if (req.has_param("limit")) limit = std::stoi(req.get_param_value("limit"));
    if (req.has_param("wait_ms")) waitMs = std::stoi(req.get_param_value("wait_ms"));
  } catch (const std::exception&) {
    return error(res, 400, "after, limit and wait_ms are integers");
  }
  if (after < 0 || limit < 1 || waitMs < 0) return error(res, 400, "after, limit and wait_ms must not be negative");
  limit = std::min<int>(limit, static_cast<int>(sync::kMaxBatch));
  waitMs = std::min(waitMs, 25'000);
  // long poll: hold the request until something newer arrives (or time out)
  if (waitMs > 0)
    changed_.wait_for(lock, std::chrono::milliseconds(waitMs),
                      [&] { return store_.lastPos() > after || !svr_->is_running(); });
  json out = json::array();
  for (auto& e : store_.events(after, limit)) out.push_back(sync::toWire(e));
  reply(res, 200, {{"events", out}, {"last_pos", store_.lastPos()}, {"hub", instance()}});
}

}  // namespace bk::hub
