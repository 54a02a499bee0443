#include "hub/hub_server.hpp"

#include "hub/http_util.hpp"
#include "hub/push.hpp"
#include "domain/report.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <fstream>

namespace bk::hub {

namespace {

std::optional<http::TlsPem> readTls(const TlsFiles& tls) {
  if (!tls.enabled()) return std::nullopt;
  auto slurp = [](const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("TLS: cannot read " + path);
    return std::string(std::istreambuf_iterator<char>(f), {});
  };
  return http::TlsPem{slurp(tls.cert), slurp(tls.key)};
}

}  // namespace

HubServer::HubServer(Store& store, Entropy& entropy, Clock clock, int /*utc_offset_min: the policy's now*/,
                     const TlsFiles& tls, const http::Limits& limits)
    : store_(store), entropy_(entropy), clock_(std::move(clock)),
      http_(limits, readTls(tls)) {
  {
    Seed seed{};
    for (std::size_t i = 0; i < seed.size(); i += 8) {
      const auto r = entropy_.random8();
      std::copy(r.begin(), r.end(), seed.begin() + static_cast<std::ptrdiff_t>(i));
    }
    key_.emplace(seed);  // for this run, unless setSigningKey gives the hub's own
    store_.signOwnEvents(*key_);
  }
  // spdlog builds its registry on first use: here, before any server thread
  // logs, not lazily inside one of them
  (void)spdlog::default_logger_raw();
  // Once the headers are in, before the body is read: every route but
  // health and enrolment is for enrolled clients only, so a stranger never
  // gets a body of more than 1 KB read (http_server.cpp has already
  // refused compressed, chunked, doubly declared and oversized bodies).
  // Issue 11: and only for a client whose scope has the route: bays sync
  // (push, pull, credentials), the front desk uses the work-order API.
  http_.screen([this](const http::Request& req, http::Response& res) {
    // issue 13: a client of another protocol version is told so, and
    // nothing it sends is taken (it works on offline until updated)
    if (req.hasHeader("X-BK-Protocol")) {
      const auto v = limits::strictInt(req.header("X-BK-Protocol"));
      if (!v || *v < sync::kMinProtocol || *v > sync::kProtocol) {
        spdlog::warn("{} {} {}: protocol {} (this hub: {} to {}): update needed", req.remote_addr, req.method, req.path,
                     req.header("X-BK-Protocol").substr(0, 16), sync::kMinProtocol, sync::kProtocol);
        reply(res, 426, {{"error", "update needed: this hub speaks protocol " + std::to_string(sync::kMinProtocol) + " to " +
                                       std::to_string(sync::kProtocol)},
                         {"min_protocol", sync::kMinProtocol}, {"protocol", sync::kProtocol}});
        return true;
      }
    }
    if (req.path == "/api/v1/health" || req.path == "/api/v1/enroll") return false;
    std::optional<EnrolledClient> client;
    {
      std::lock_guard lock(mu_);
      client = authorise(req);
    }
    if (!client) {
      error(res, 401, "not an enrolled kiosk");
      return true;
    }
    noteContact(client->id, req);  // issue 13: for bk-hub status
    const bool floorRoute = req.path == "/api/v1/push" || req.path == "/api/v1/pull" || req.path == "/api/v1/credentials" ||
                            req.path == "/api/v1/snapshot" || req.path == "/api/v1/bay-report" ||
                            req.path.rfind("/api/v1/bay-history/", 0) == 0;
    const Scope needed = floorRoute ? Scope::Floor : Scope::Desk;
    if (client->scope == needed) return false;
    spdlog::warn("{} ({}) refused {} {}: out of its scope", client->id, name(client->scope), req.method, req.path);
    error(res, 403, std::string("out of scope: a ") + std::string(name(client->scope)) + " client may not use " + req.path);
    return true;
  });
  http_.get("/api/v1/health", [this](const http::Request&, http::Response& res) {
    std::lock_guard lock(mu_);
    reply(res, 200, {{"status", "ok"}, {"hub", instance()}, {"last_pos", store_.lastPos()}, {"protocol", sync::kProtocol},
                     {"min_protocol", sync::kMinProtocol}, {"version", BK_VERSION}});
  });
  http_.post("/api/v1/enroll", sync::kMaxEnrolBody, [this](const auto& req, auto& res) { enroll(req, res); });
  http_.post("/api/v1/push", sync::kMaxBody, [this](const auto& req, auto& res) { push(req, res); });
  http_.get("/api/v1/pull", [this](const auto& req, auto& res) { pull(req, res); });
  http_.get("/api/v1/credentials", [this](const http::Request&, http::Response& res) {
    std::lock_guard lock(mu_);
    json out = json::array();
    for (auto& [person, hash] : store_.pinHashes()) out.push_back({{"person", person}, {"pin_hash", hash}});
    reply(res, 200, {{"credentials", out}, {"as_of", store_.lastPos()}});  // the log position they go with
  });
  // Issue 16: a new bay starts from the working set at one position of the
  // log, then pulls from there (not the shop's whole history)
  http_.get("/api/v1/snapshot", [this](const http::Request& req, http::Response& res) {
    std::string body;
    {
      std::lock_guard lock(mu_);
      const auto client = authorise(req);  // (the screen let it through: enrolled, floor scope)
      if (!client) return error(res, 401, "not an enrolled kiosk");  // (as the push: withdrawn meanwhile)
      if (!snapshot_requests_.allow(client->id, clock_())) {
        res.setHeader("Retry-After", "10");
        return error(res, 429, "too many snapshots asked for: wait a minute");
      }
      body = sync::snapshotToWire(store_.snapshot(), instance());
    }
    res.status = 200;
    res.setContent(std::move(body), "application/json");
  });
  // Issue 16: a month's report for a bay that does not hold the month
  // whole (its snapshot holds last month and this one), over [from, to)
  // as the bay reckons the month: the figures as data, which the bay names
  // from its own people. Computed once for a month past and kept
  // (Store::report); a computation holds the store, so a bay asks a few
  // times a minute at most.
  http_.get("/api/v1/bay-report", [this](const http::Request& req, http::Response& res) {
    const auto from = sync::strictInt(req.param("from")), to = sync::strictInt(req.param("to"));
    if (!from || !to || *from < 0 || *to > sync::kMaxWall) return error(res, 400, "give from and to in milliseconds");
    if (*from >= *to) return error(res, 400, "from must be before to");
    if (*to - *from > 32LL * 86'400'000) return error(res, 400, "a bay asks for a month at most (32 days)");
    json body;
    {
      std::lock_guard lock(mu_);
      if (!pastAllowed(req, res)) return;
      const MonthlyReport r = store_.report(*from, *to);
      body = sync::reportToWire(r, r.comebacks.provisional(clock_()), instance());
    }
    reply(res, 200, body);
  });
  // Issue 16: a car's visits for a bay, which holds only those since its
  // snapshot's window (and the cars in work): every visit, from the store,
  // as data the bay shows beside its own.
  http_.get(R"(/api/v1/bay-history/([A-Za-z0-9]{1,32}))", [this](const http::Request& req, http::Response& res) {
    json body;
    {
      std::lock_guard lock(mu_);
      if (!pastAllowed(req, res)) return;
      const std::string& vin = req.matches[1];
      std::vector<Visit> visits = vehicleHistory(store_.pastOfVehicle(vin), vin);
      if (visits.size() > sync::kMaxVisits) visits.resize(sync::kMaxVisits);  // (newest first)
      body = sync::historyToWire(visits, vin, instance());
    }
    reply(res, 200, body);
  });
  routeDesk();
  // one line per request: who, what, how it ended; never a token or a body
  http_.logger([](const http::Request& req, const http::Response& res) {
    const auto lvl = res.status >= 500 ? spdlog::level::warn : res.status >= 400 ? spdlog::level::info : spdlog::level::debug;
    spdlog::log(lvl, "{} {} {} -> {} ({} bytes)", req.remote_addr, req.method, req.path, res.status, res.body.size());
  });
}

HubServer::~HubServer() { stop(); }

int HubServer::bind(const std::string& host, int port) {
  reconcileClients();  // with the hub's key set by now: its events are signed with it
  return http_.bind(host, port);
}

void HubServer::run() { http_.run(); }

void HubServer::keepReports(Millis every) {
  if (every <= 0 || keeper_.joinable()) return;
  keep_every_ = every;
  keeper_ = std::thread([this] { keepReportsLoop(); });
}

void HubServer::stop() {
  {
    std::lock_guard lock(keeper_mu_);
    stopping_ = true;
  }
  keeper_cv_.notify_all();
  if (keeper_.joinable()) keeper_.join();
  http_.stop();
  if (admin_http_) admin_http_->stop();
  if (admin_thread_.joinable()) admin_thread_.join();
}

// Issue 16: one month's report at a time, under the store's lock (a month
// read from SQLite: about a second at two years of a busy shop, once).
void HubServer::keepReportsLoop() {
  std::unique_lock wait(keeper_mu_);
  while (!keeper_cv_.wait_for(wait, std::chrono::milliseconds(keep_every_), [this] { return stopping_; })) {
    wait.unlock();
    try {
      std::lock_guard lock(mu_);
      if (const auto month = store_.monthToKeep()) {
        const auto t0 = std::chrono::steady_clock::now();
        store_.report(month->first, month->second);
        spdlog::info("report of {} kept ({} ms)", monthOf(month->first, store_.shop().policy.utc_offset_minutes),
                     std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
      }
    } catch (const std::exception& e) {  // (the next month, or this one again, at the next turn)
      spdlog::warn("a month's report was not kept: {}", e.what());
    }
    wait.lock();
  }
}

bool HubServer::pastAllowed(const http::Request& req, http::Response& res) {
  const auto client = authorise(req);  // (the screen let it through: enrolled, floor scope)
  if (!client) {
    error(res, 401, "not an enrolled kiosk");  // (withdrawn meanwhile)
    return false;
  }
  if (!past_requests_.allow(client->id, clock_())) {
    res.setHeader("Retry-After", "10");
    error(res, 429, "too many reports or histories asked for: wait a minute");
    return false;
  }
  return true;
}

void HubServer::noteContact(const Id& client, const http::Request& req) {
  Contact c;
  c.at = clock_();
  c.address = req.remote_addr;
  // from outside: shown in a terminal by bk-hub status, so printable ASCII only
  for (char ch : req.header("X-BK-Version").substr(0, 32))
    if (ch >= 0x21 && ch <= 0x7e) c.version += ch;
  if (auto n = limits::strictInt(req.header("X-BK-Pending"))) c.pending = *n;
  if (req.path == "/api/v1/pull")
    if (auto after = limits::strictInt(req.param("after"))) c.pulled_through = *after;
  std::lock_guard lock(contacts_mu_);
  Contact& was = contacts_[client];
  if (c.pulled_through < 0) c.pulled_through = was.pulled_through;
  if (c.pending < 0) c.pending = was.pending;
  was = c;
}

int HubServer::serveAdmin(const std::string& token) {
  if (token.size() < 32 || admin_http_) return -1;
  admin_token_ = token;
  http::Limits l;
  l.threads = 1;
  l.connections = 16;
  l.per_address = 8;
  l.reply_ms = 600'000;  // an import of many people hashes a setup code for each
  admin_http_ = std::make_unique<http::Server>(l);
  admin_http_->post("/admin/v1/([a-z_.]+)", 4u << 20, [this](const http::Request& req, http::Response& res) {
    const std::string given = req.header("Authorization");
    const std::string want = "Bearer " + admin_token_;
    if (given.size() != want.size() || sodium_memcmp(given.data(), want.data(), want.size()) != 0) {
      error(res, 401, "not the administrator's token");
      return;
    }
    limits::Untrusted body = limits::parseUntrusted(req.body, 4u << 20);
    if (!body || !body.value.is_object()) {
      error(res, 400, body ? "an object" : body.error);
      return;
    }
    try {
      json out = admin(req.matches[1], body.value);
      reply(res, out.contains("error") ? 422 : 200, out);
    } catch (const json::exception& e) {  // an argument of the wrong type
      error(res, 400, e.what());
    } catch (const std::exception& e) {
      error(res, 500, e.what());
    }
  });
  const int port = admin_http_->bind("127.0.0.1", 0);
  if (port < 0) return -1;
  admin_thread_ = std::thread([this] { admin_http_->run(); });
  return port;
}

std::string HubServer::randomSecret(std::size_t bytes) {
  std::string hex;
  static constexpr char digits[] = "0123456789abcdef";
  while (hex.size() < bytes * 2)
    for (auto b : entropy_.random8()) { hex += digits[b >> 4]; hex += digits[b & 15]; }
  hex.resize(bytes * 2);
  return hex;
}

std::string HubServer::newEnrolCode(const Id& kiosk, Millis ttl, bool replace, Scope scope) {
  if (!validKioskId(kiosk) || kiosk == instance()) throw std::invalid_argument("bad kiosk id: " + kiosk);
  std::lock_guard lock(mu_);
  if (store_.enrolment().known(kiosk) && !replace)
    throw std::invalid_argument(kiosk + " is enrolled already: a code to replace it needs --replace");
  // 12 digits: typed once at the kiosk's setup, useless after first use
  std::string code;
  while (code.size() < 12)
    for (auto b : entropy_.random8()) if (b < 250 && code.size() < 12) code += static_cast<char>('0' + b % 10);
  store_.enrolment().addCode(sync::secretHash(code), kiosk, replace, clock_() + ttl, scope);
  spdlog::info("enrolment code issued for {} ({}){}", kiosk, name(scope), replace ? " (may replace it)" : "");
  return code;
}

bool HubServer::revoke(const Id& kiosk) {
  std::lock_guard lock(mu_);
  return store_.enrolment().revoke(kiosk, clock_());
}

std::optional<EnrolledClient> HubServer::authorise(const http::Request& req) {
  const std::string h = req.header("Authorization");
  if (h.rfind("Bearer ", 0) != 0 || h.size() < 7 + 32 || h.size() > 7 + 256) return std::nullopt;
  return store_.enrolment().clientOfToken(sync::secretHash(h.substr(7)));
}

void HubServer::setSigningKey(const Seed& seed) {
  std::lock_guard lock(mu_);
  key_.emplace(seed);
  store_.signOwnEvents(*key_);  // its own events, signed as it records them
  head_ = json();
}

std::string HubServer::signingKey() {
  std::lock_guard lock(mu_);
  return key_->pubHex();
}

json HubServer::signedHead() {
  const Millis now = clock_();
  const std::int64_t pos = store_.lastPos();
  if (pos == 0) return json();
  if (head_.is_null() || (now - head_at_ >= 60'000 && head_["pos"].get<std::int64_t>() != pos)) {
    const std::string head = store_.chainHead();
    head_ = json{{"pos", pos}, {"at", now}, {"head", head}, {"key", key_->pubHex()},
                 {"sig", signBytes(*key_, headMessage(instance(), pos, head, now))}};
    head_at_ = now;
  }
  return head_;
}

Recorded HubServer::recordAdmin(const Action& a) {
  Recorded r{Outcome::ok(), std::nullopt};
  {
    std::lock_guard lock(mu_);
    r = store_.record(a, clock_());
  }
  if (r) http_.wake();
  return r;
}

void HubServer::recordClient(const EnrolledClient& c) {  // under mu_
  const auto it = store_.shop().clients.find(c.id);
  if (it != store_.shop().clients.end() && it->second.scope == c.scope && it->second.device_key == c.device_key) return;
  Recorded r = store_.record(EnrolClient{Client{c.id, c.scope, c.device_key, c.since}}, clock_());
  if (!r) spdlog::error("client {} not recorded in the log: {}", c.id, r.outcome.refusal->detail);
}

void HubServer::reconcileClients() {
  std::lock_guard lock(mu_);
  for (const EnrolledClient& c : store_.enrolment().active()) recordClient(c);
}

void HubServer::enroll(const http::Request& req, http::Response& res) {
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
  // issue 11: the public half of the key the client made for itself
  std::string deviceKey;
  if (body->contains("device_key")) {
    std::array<std::uint8_t, 32> pub{};
    const json& k = (*body)["device_key"];
    if (!k.is_string() || !fromHexBytes(k.get<std::string>(), pub.data(), pub.size())) return error(res, 400, "device_key: 64 hex digits");
    deviceKey = k.get<std::string>();
  }
  const std::string token = randomSecret(32);
  Enrolment::Use used;
  {
    std::lock_guard lock(mu_);
    used = store_.enrolment().useCode(sync::secretHash(code), kiosk, sync::secretHash(token), now, deviceKey);
    if (used == Enrolment::Use::Enrolled)
      if (auto c = store_.enrolment().client(kiosk)) recordClient(*c);
  }
  if (used == Enrolment::Use::Enrolled) http_.wake();
  switch (used) {
    case Enrolment::Use::Enrolled:
      spdlog::info("enrolment from {}: {} enrolled", req.remote_addr, kiosk);
      return reply(res, 200, {{"token", token}, {"hub", instance()}, {"hub_key", signingKey()}});
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

void HubServer::push(const http::Request& req, http::Response& res) {
  std::optional<EnrolledClient> client;
  {
    std::lock_guard lock(mu_);
    client = authorise(req);
  }
  if (!client) return error(res, 401, "not an enrolled kiosk");
  const Id* kiosk = &client->id;
  const PushResult r = acceptPush(store_, mu_, req.body, *client, clock_);
  if (r.status != 200) {
    spdlog::warn("push from {} refused ({}): {}", *kiosk, r.status, r.error);
    return error(res, r.status, r.error);
  }
  http_.wake();  // long-polling bays hear of it now
  spdlog::info("push from {}: {} sent, {} new, through {}{}{}", *kiosk, r.sent, r.applied, r.through,
               r.gap ? ", gap" : "", r.reviews ? fmt::format(", {} kept for review (R16)", r.reviews) : std::string());
  json refused = json::array(), held = json::array();
  for (const auto& x : r.refused) {
    spdlog::warn("push from {}: event {} refused, a tombstone kept: {}", *kiosk, x.seq, x.error);
    refused.push_back({{"seq", x.seq}, {"error", x.error}});
  }
  for (const auto& x : r.held) held.push_back({{"seq", x.seq}, {"review", x.review}, {"hold", x.hold}});
  reply(res, 200, {{"applied_through", r.through}, {"gap", r.gap}, {"reviews", r.reviews}, {"refused", refused},
                   {"held", held}, {"hub", instance()}});
}

void HubServer::pull(const http::Request& req, http::Response& res) {
  std::int64_t after = 0, limit = 500, waitMs = 0;
  for (auto [key, out] : {std::pair{"after", &after}, {"limit", &limit}, {"wait_ms", &waitMs}}) {
    if (!req.hasParam(key)) continue;
    const auto v = sync::strictInt(req.param(key));
    if (!v || req.paramCount(key) > 1) return error(res, 400, "after, limit and wait_ms are plain non-negative integers");
    *out = *v;
  }
  if (limit < 1) return error(res, 400, "limit must be at least 1");
  limit = std::min<std::int64_t>(limit, static_cast<std::int64_t>(sync::kMaxBatch));
  waitMs = std::min<std::int64_t>(waitMs, 25'000);
  // Events after `after`; with nothing new yet and wait_ms given, a long
  // poll: parked without a thread until a push or a desk write wakes it,
  // or its time is up.
  auto answer = [this, after, limit](http::Response& r, bool timed_out) {
    std::lock_guard lock(mu_);
    if (!timed_out && store_.lastPos() <= after) return false;
    json out = json::array();
    std::size_t bytes = 0;
    std::vector<StoredEvent> events = store_.events(after, static_cast<int>(limit));
    store_.markHeld(events);  // issue 16: its word on each, so a bay from a snapshot knows when it judged otherwise
    for (auto& e : events) {
      if (bytes > 0 && bytes + e.body.size() > sync::kMaxPullBytes) break;  // the rest in the next pull
      bytes += e.body.size() + 200;
      out.push_back(sync::toWire(e));
    }
    json body{{"events", out}, {"last_pos", store_.lastPos()}, {"hub", instance()}, {"verdicts", true}};
    if (json head = signedHead(); !head.is_null()) body["head"] = std::move(head);  // issue 11: for the kiosk's witnesses
    reply(r, 200, body);
    return true;
  };
  if (waitMs > 0) res.waitFor(std::chrono::milliseconds(waitMs), answer);
  else answer(res, true);
}

}  // namespace bk::hub
