#include "hub/sync_client.hpp"

#include <httplib.h>
#include <sodium.h>

namespace bk::hub {
namespace {

std::unique_ptr<httplib::Client> client(const SyncOptions& o, int read_s) {
  auto c = std::make_unique<httplib::Client>(o.hub);
  if (!o.ca_cert.empty()) c->set_ca_cert_path(o.ca_cert.c_str());
  c->enable_server_certificate_verification(true);  // https: an unknown certificate is refused
  c->set_tcp_nodelay(true);  // small requests must not wait for Nagle
  c->set_connection_timeout(2, 0);
  c->set_read_timeout(read_s, 0);
  c->set_write_timeout(5, 0);
  return c;
}

std::string hex(const unsigned char* p, std::size_t n) {
  static constexpr char d[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) { s += d[p[i] >> 4]; s += d[p[i] & 15]; }
  return s;
}

std::vector<unsigned char> unhex(const std::string& s) {
  std::vector<unsigned char> out;
  if (s.size() % 2) return out;
  for (std::size_t i = 0; i < s.size(); i += 2) out.push_back(static_cast<unsigned char>(std::stoi(s.substr(i, 2), nullptr, 16)));
  return out;
}

}  // namespace

SyncClient::SyncClient(Store& store, std::mutex& mu, const std::vector<std::uint8_t>& pepper, SyncOptions opt,
                       Clock clock, std::function<void()> on_change)
    : store_(store), mu_(mu), opt_(std::move(opt)), clock_(std::move(clock)), on_change_(std::move(on_change)) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  // the token is sealed with a key derived from the pepper (kept outside the database)
  static constexpr char label[] = "bay-kiosk sync token";
  crypto_auth_hmacsha256(key_.data(), reinterpret_cast<const unsigned char*>(label), sizeof label - 1, pepper.data());
  std::lock_guard lock(mu_);
  state_.configured = !opt_.hub.empty();
  state_.enrolled = !token().empty();
  state_.hub_instance = store_.meta("hub_instance");
  const std::string acked = store_.meta("hub_acked");
  state_.pending = store_.lastOwnSeq() - (acked.empty() ? 0 : std::stoll(acked));
}

SyncClient::~SyncClient() { stop(); }

std::string SyncClient::token() const {  // call with mu_ held
  const auto sealed = unhex(store_.meta("hub_token"));
  if (sealed.size() <= crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return {};
  std::string plain(sealed.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), sealed.data() + crypto_secretbox_NONCEBYTES,
                                 sealed.size() - crypto_secretbox_NONCEBYTES, sealed.data(), key_.data()) != 0)
    return {};  // another pepper: enrol again
  return plain;
}

void SyncClient::saveToken(const std::string& t) {  // call with mu_ held
  std::vector<unsigned char> sealed(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + t.size());
  randombytes_buf(sealed.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(sealed.data() + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(t.data()),
                        t.size(), sealed.data(), key_.data());
  store_.setMeta("hub_token", hex(sealed.data(), sealed.size()));
}

void SyncClient::noteHub(const std::string& instance) {  // call with mu_ held
  const std::string known = store_.meta("hub_instance");
  if (known == instance) return;
  // a new or restored hub: it may lack what we sent; resend everything (it
  // skips what it has) and refetch from the start
  store_.setMeta("hub_instance", instance);
  store_.setMeta("hub_acked", "0");
  store_.setMeta("hub_cursor", "0");
  store_.forgetHubOrder();
}

void SyncClient::fail(const std::string& what) {
  std::lock_guard s(state_mu_);
  state_.reachable = false;
  state_.error = what;
}

SyncState SyncClient::state() const {
  std::lock_guard s(state_mu_);
  return state_;
}

bool SyncClient::enroll() {
  if (opt_.enrol_code.empty()) return false;
  auto c = client(opt_, 10);
  Id kiosk;
  {
    std::lock_guard lock(mu_);
    kiosk = store_.kioskId();
  }
  auto r = c->Post("/api/v1/enroll", json{{"code", opt_.enrol_code}, {"kiosk_id", kiosk}}.dump(), "application/json");
  if (!r) { fail("hub unreachable"); return false; }
  if (r->status != 200) { fail("enrolment refused (" + std::to_string(r->status) + ")"); return false; }
  const json j = json::parse(r->body, nullptr, false);
  if (!j.is_object() || !j.contains("token") || !j["token"].is_string()) { fail("bad enrolment reply"); return false; }
  {
    std::lock_guard lock(mu_);
    saveToken(j["token"].get<std::string>());
  }
  std::lock_guard s(state_mu_);
  state_.enrolled = true;
  state_.error.clear();
  return true;
}

bool SyncClient::pushOnce() {
  std::string tok;
  std::int64_t acked = 0, waiting = 0;
  std::vector<StoredEvent> evs;
  {
    std::lock_guard lock(mu_);
    tok = token();
    const std::string a = store_.meta("hub_acked");
    acked = a.empty() ? 0 : std::stoll(a);
    evs = store_.ownEventsAfter(acked, opt_.batch);
    waiting = store_.lastOwnSeq() - acked;
  }
  {
    // what waits to sync, said before the network is tried: it may be down
    std::lock_guard s(state_mu_);
    state_.pending = waiting;
  }
  if (tok.empty()) return false;
  if (evs.empty()) return true;
  json body{{"events", json::array()}};
  for (auto& e : evs) body["events"].push_back(sync::toWire(e));
  auto c = client(opt_, 30);
  auto r = c->Post("/api/v1/push", {{"Authorization", "Bearer " + tok}}, body.dump(), "application/json");
  if (!r) { fail("hub unreachable"); return false; }
  if (r->status != 200) { fail("push refused (" + std::to_string(r->status) + ")"); return false; }
  const json j = json::parse(r->body, nullptr, false);
  if (!j.is_object() || !j.contains("applied_through") || !j["applied_through"].is_number_integer()) {
    fail("bad push reply");
    return false;
  }
  std::int64_t pending = 0;
  {
    std::lock_guard lock(mu_);
    noteHub(j.value("hub", std::string()));
    const std::int64_t through = std::min<std::int64_t>(j["applied_through"].get<std::int64_t>(), store_.lastOwnSeq());
    store_.setMeta("hub_acked", std::to_string(through));
    pending = store_.lastOwnSeq() - through;
  }
  std::lock_guard s(state_mu_);
  state_.reachable = true;
  state_.last_contact = clock_();
  state_.pending = pending;
  state_.hub_instance = j.value("hub", std::string());
  state_.error.clear();
  return true;
}

bool SyncClient::pullOnce(int wait_ms) {
  std::string tok;
  std::int64_t cursor = 0;
  {
    std::lock_guard lock(mu_);
    tok = token();
    const std::string c = store_.meta("hub_cursor");
    cursor = c.empty() ? 0 : std::stoll(c);
  }
  if (tok.empty()) return false;
  auto c = client(opt_, wait_ms / 1000 + 10);
  {
    std::lock_guard l(pull_client_mu_);
    pull_client_ = c.get();
  }
  struct Forget {
    SyncClient* self;
    ~Forget() { std::lock_guard l(self->pull_client_mu_); self->pull_client_ = nullptr; }
  } forget{this};
  const std::string path = "/api/v1/pull?after=" + std::to_string(cursor) + "&limit=500&wait_ms=" + std::to_string(wait_ms);
  auto r = c->Get(path.c_str(), {{"Authorization", "Bearer " + tok}});
  if (!r) { fail("hub unreachable"); return false; }
  if (r->status != 200) { fail("pull refused (" + std::to_string(r->status) + ")"); return false; }
  const json j = json::parse(r->body, nullptr, false);
  if (!j.is_object() || !j.contains("events") || !j["events"].is_array()) { fail("bad pull reply"); return false; }
  bool changed = false;
  std::int64_t pending = -1;
  {
    std::lock_guard lock(mu_);
    if (j.value("hub", std::string()) != store_.meta("hub_instance")) {
      noteHub(j.value("hub", std::string()));
      pending = store_.lastOwnSeq();  // everything goes to the new hub again
      std::lock_guard s(state_mu_);
      state_.pending = pending;
      state_.hub_instance = j.value("hub", std::string());
      if (cursor != 0) return true;  // fetched from a cursor of another hub: start again from 0
    }
    std::vector<StoredEvent> batch;
    Store::Placement placed;
    try {
      for (const json& w : j["events"]) batch.push_back(sync::fromWire(w));
      placed = store_.takeFromHub(batch, clock_());
    } catch (const std::exception& e) {  // a hub that sends nonsense changes nothing here
      fail(std::string("bad pull reply: ") + e.what());
      return false;
    }
    changed = placed.changed;
    const std::int64_t last = std::max(cursor, placed.through);
    store_.setMeta("hub_cursor", std::to_string(last));
  }
  std::int64_t pulled = 0;
  {
    std::lock_guard lock(mu_);
    const std::string c = store_.meta("hub_cursor");
    pulled = c.empty() ? 0 : std::stoll(c);
  }
  {
    std::lock_guard s(state_mu_);  // lock order: mu_ before state_mu_, never the other way
    state_.reachable = true;
    state_.last_contact = clock_();
    state_.error.clear();
    state_.hub_last = j.value("last_pos", std::int64_t{0});
    state_.pulled = pulled;
  }
  if ((changed || state().pulled < state().hub_last) && on_change_) on_change_();
  return true;
}

bool SyncClient::fetchCredentials() {
  std::string tok;
  {
    std::lock_guard lock(mu_);
    tok = token();
  }
  if (tok.empty()) return false;
  auto c = client(opt_, 10);
  auto r = c->Get("/api/v1/credentials", {{"Authorization", "Bearer " + tok}});
  if (!r || r->status != 200) return false;
  const json j = json::parse(r->body, nullptr, false);
  if (!j.is_object() || !j.contains("credentials") || !j["credentials"].is_array()) return false;
  std::lock_guard lock(mu_);
  for (const json& cr : j["credentials"])
    if (cr.is_object() && cr.contains("person") && cr["person"].is_string() && cr.contains("pin_hash") &&
        cr["pin_hash"].is_string())
      store_.putPinHash(cr["person"].get<std::string>(), cr["pin_hash"].get<std::string>());
  return true;
}

void SyncClient::wake() {
  {
    std::lock_guard l(wake_mu_);
    woken_ = true;
  }
  wake_cv_.notify_all();
}

void SyncClient::start() {
  if (opt_.hub.empty() || running_.exchange(true)) return;
  pusher_ = std::thread([this] {
    int backoff = 250;
    while (running_) {
      if (!state().enrolled) enroll();
      const bool ok = pushOnce();
      backoff = ok ? 250 : std::min(backoff * 2, 5000);
      if (on_change_) on_change_();
      if (ok && state().pending > 0) continue;  // more queued (back from offline): the next batch now
      std::unique_lock l(wake_mu_);
      wake_cv_.wait_for(l, std::chrono::milliseconds(ok ? 1000 : backoff), [this] { return woken_ || !running_; });
      woken_ = false;
    }
  });
  puller_ = std::thread([this] {
    int backoff = 250;
    Millis credentialsAt = 0;
    while (running_) {
      // PIN hashes change rarely: fetch them at start and every few minutes
      if (clock_() - credentialsAt > 5 * 60'000 && fetchCredentials()) credentialsAt = clock_();
      const bool ok = pullOnce(opt_.poll_ms);
      backoff = ok ? 250 : std::min(backoff * 2, 5000);
      if (!ok) {
        std::unique_lock l(wake_mu_);
        wake_cv_.wait_for(l, std::chrono::milliseconds(backoff), [this] { return !running_.load(); });
      }
    }
  });
}

void SyncClient::stop() {
  if (!running_.exchange(false)) return;
  wake_cv_.notify_all();
  {
    std::lock_guard l(pull_client_mu_);
    if (pull_client_) pull_client_->stop();  // ends a long poll now
  }
  if (pusher_.joinable()) pusher_.join();
  if (puller_.joinable()) puller_.join();  // a long poll ends within poll_ms
}

}  // namespace bk::hub
