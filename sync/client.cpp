#include "sync/client.hpp"

#include <httplib.h>
#include <malloc.h>
#include <sodium.h>

namespace bk::sync {
namespace {

// One request whose reply is read at most up to kMaxReply bytes (a hub
// that sends 300 MB gets cut off, not buffered) and never decompressed.
struct Fetched {
  int status = 0;       // 0: no answer (unreachable, cut off, too large)
  std::string body, error;
};

using Progress = std::function<void(std::uint64_t got, std::uint64_t total)>;

Fetched fetch(httplib::Client& c, const char* method, const std::string& path, const std::string& token,
              const std::string& body = {}, std::int64_t pending = -1, int protocol = kProtocol,
              std::size_t max_reply = kMaxReply, const Progress& progress = {}) {
  httplib::Request req;
  req.method = method;
  req.path = path;
  req.set_header("Accept-Encoding", "identity");
  // issue 13: what `bk-hub status` shows of this kiosk
  req.set_header("X-BK-Version", BK_VERSION);
  req.set_header("X-BK-Protocol", std::to_string(protocol));
  if (pending >= 0) req.set_header("X-BK-Pending", std::to_string(pending));
  if (!token.empty()) req.set_header("Authorization", "Bearer " + token);
  if (!body.empty() || req.method == "POST") {
    req.body = body;
    req.set_header("Content-Type", "application/json");
  }
  Fetched out;
  bool tooLarge = false;
  req.content_receiver = [&](const char* data, std::size_t n, std::uint64_t, std::uint64_t total) {
    if (out.body.size() + n > max_reply) {
      tooLarge = true;
      return false;
    }
    out.body.append(data, n);
    if (progress) progress(out.body.size(), total);
    return true;
  };
  auto r = c.send(req);
  if (tooLarge) {
    out.body.clear();
    out.body.shrink_to_fit();
    out.error = "hub reply too large";
  } else if (!r) {
    out.error = "hub unreachable";
  } else {
    out.status = r->status;
  }
  return out;
}

// What a refusal says, for the status bar: the hub's own words if it gave
// them in the protocol's form, else only the status.
std::string refusal(const char* what, const Fetched& f) {
  std::string msg = std::string(what) + " refused (" + std::to_string(f.status) + ")";
  const Untrusted u = parseUntrusted(f.body, 4096);
  if (u && u.value.is_object() && u.value.contains("error") && u.value["error"].is_string() &&
      !checkStrings(u.value["error"], 200))
    msg += ": " + u.value["error"].get<std::string>();
  return msg;
}

std::unique_ptr<httplib::Client> client(const SyncOptions& o, int read_s) {
  auto c = std::make_unique<httplib::Client>(o.hub);
  c->set_decompress(false);  // nothing compressed is asked for, nothing is inflated
  if (!o.ca_cert.empty()) c->set_ca_cert_path(o.ca_cert.c_str());
  c->enable_server_certificate_verification(true);  // https: an unknown certificate is refused
  c->set_tcp_nodelay(true);  // small requests must not wait for Nagle
  c->set_connection_timeout(2, 0);
  c->set_read_timeout(read_s, 0);
  c->set_write_timeout(5, 0);
  return c;
}

// While a request runs, `slot` points to its client, so stop() can end it
// at once (a long poll, a report the hub is slow to give).
class Stoppable {
 public:
  Stoppable(std::mutex& mu, httplib::Client*& slot, httplib::Client* c) : mu_(mu), slot_(slot) {
    std::lock_guard l(mu_);
    slot_ = c;
  }
  ~Stoppable() {
    std::lock_guard l(mu_);
    slot_ = nullptr;
  }
  Stoppable(const Stoppable&) = delete;
  Stoppable& operator=(const Stoppable&) = delete;

 private:
  std::mutex& mu_;
  httplib::Client*& slot_;
};

std::string hex(const unsigned char* p, std::size_t n) {
  static constexpr char d[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) { s += d[p[i] >> 4]; s += d[p[i] & 15]; }
  return s;
}

std::vector<unsigned char> unhex(const std::string& s) {
  std::vector<unsigned char> out(s.size() / 2);
  if (s.size() % 2 || sodium_hex2bin(out.data(), out.size(), s.data(), s.size(), nullptr, nullptr, nullptr) != 0) return {};
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
  const SyncCursor cur = store_.cursors().get();
  state_.hub_instance = cur.hub_instance;
  state_.pending = std::max<std::int64_t>(0, store_.lastOwnSeq() - cur.acked);
}

SyncClient::~SyncClient() { stop(); }

std::string SyncClient::sealText(std::string_view t) const {
  std::vector<unsigned char> sealed(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + t.size());
  randombytes_buf(sealed.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(sealed.data() + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(t.data()),
                        t.size(), sealed.data(), key_.data());
  return hex(sealed.data(), sealed.size());
}

std::string SyncClient::unseal(const std::string& sealed_hex) const {
  const auto sealed = unhex(sealed_hex);
  if (sealed.size() <= crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return {};
  std::string plain(sealed.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), sealed.data() + crypto_secretbox_NONCEBYTES,
                                 sealed.size() - crypto_secretbox_NONCEBYTES, sealed.data(), key_.data()) != 0)
    return {};  // another pepper: enrol again
  return plain;
}

std::string SyncClient::token() const { return unseal(store_.cursors().sealedToken()); }  // call with mu_ held

void SyncClient::saveToken(const std::string& t) { store_.cursors().setSealedToken(sealText(t)); }  // call with mu_ held

std::optional<KeyPair> SyncClient::deviceKey() const {
  const std::string seed = unseal(store_.cursors().sealedDeviceKey());
  if (seed.size() != 32) return std::nullopt;  // enrolled before device keys
  Seed s{};
  std::copy(seed.begin(), seed.end(), s.begin());
  sodium_memzero(const_cast<char*>(seed.data()), seed.size());
  return KeyPair(s);
}

bool SyncClient::noteHub(const std::string& instance) {  // call with mu_ held
  if (store_.cursors().get().hub_instance == instance) return false;
  // a new or restored hub: it may lack what we sent; resend everything (it
  // skips what it has) and refetch from the start
  store_.cursors().resetFor(instance);
  store_.forgetHubOrder();
  // a hub whose identity keeps changing is not believed at full speed:
  // each change within a minute of the last doubles the wait
  const Millis now = clock_();
  instance_backoff_ = now - last_instance_change_ < 60'000 ? std::min<Millis>(std::max<Millis>(instance_backoff_ * 2, 1000), 60'000) : 0;
  last_instance_change_ = now;
  return true;
}

void SyncClient::fail(const std::string& what, SyncFault fault) {
  std::lock_guard s(state_mu_);
  state_.reachable = false;
  state_.error = what;
  state_.fault = fault;
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
  // issue 11: a device key of its own, made now; the hub records its
  // public half, and every push from here on is signed with it
  Seed seed{};
  randombytes_buf(seed.data(), seed.size());
  const KeyPair device(seed);
  const Fetched r = fetch(*c, "POST", "/api/v1/enroll", {},
                          json{{"code", opt_.enrol_code}, {"kiosk_id", kiosk}, {"device_key", device.pubHex()}}.dump(), -1,
                          opt_.protocol);
  if (!r.status) { fail(r.error, r.error == "hub unreachable" ? SyncFault::Unreachable : SyncFault::BadReply); return false; }
  if (r.status == 426) { fail(refusal("enrolment", r), SyncFault::UpdateNeeded); return false; }
  if (r.status != 200) { fail(refusal("enrolment", r), r.status == 401 || r.status == 403 ? SyncFault::Refused : SyncFault::BadReply); return false; }
  const EnrolReply reply = decodeEnrolReply(r.body);
  if (!reply.error.empty()) { fail("bad enrolment " + reply.error); return false; }
  {
    std::lock_guard lock(mu_);
    saveToken(reply.token);
    if (!reply.hub_key.empty()) store_.cursors().setHubKey(reply.hub_key);
    store_.cursors().setSealedDeviceKey(sealText(std::string_view(reinterpret_cast<const char*>(seed.data()), seed.size())));
  }
  sodium_memzero(seed.data(), seed.size());
  std::lock_guard s(state_mu_);
  state_.enrolled = true;
  state_.error.clear();
  state_.fault = SyncFault::None;
  return true;
}

bool SyncClient::pushOnce() {
  std::string tok;
  std::int64_t acked = 0, waiting = 0;
  std::vector<StoredEvent> evs;
  std::optional<KeyPair> device;
  {
    std::lock_guard lock(mu_);
    tok = token();
    device = deviceKey();
    acked = store_.cursors().get().acked;
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
  std::vector<EventHash> hashes;
  hashes.reserve(evs.size());
  for (auto& e : evs) {
    body["events"].push_back(sync::toWire(e));
    hashes.push_back(envelopeHash(e));
  }
  if (device) body["batch_sig"] = signBytes(*device, batchMessage(evs.front().origin, hashes));  // issue 11
  auto c = client(opt_, 30);
  const Fetched r = fetch(*c, "POST", "/api/v1/push", tok, body.dump(), -1, opt_.protocol);
  if (!r.status) { fail(r.error, r.error == "hub unreachable" ? SyncFault::Unreachable : SyncFault::BadReply); return false; }
  if (r.status == 426) { fail(refusal("push", r), SyncFault::UpdateNeeded); return false; }
  if (r.status == 503) { fail(refusal("push", r), SyncFault::Unreachable); return false; }  // a storage fault or busy: retry
  if (r.status != 200) { fail(refusal("push", r), r.status == 401 || r.status == 403 ? SyncFault::Refused : SyncFault::BadReply); return false; }
  const PushReply reply = decodePushReply(r.body);
  if (!reply.error.empty()) { fail("bad push " + reply.error); return false; }
  std::int64_t pending = 0;
  bool refusedNow = false;
  {
    std::lock_guard lock(mu_);
    noteHub(reply.hub);  // a new hub: what it holds of ours is what it says now
    const std::int64_t through = std::min<std::int64_t>(reply.applied_through, store_.lastOwnSeq());
    // refused as bad input: marked, the view rebuilt without them, and the
    // foreman shown (DECISIONS.md); an honest bay never gets here
    for (const auto& [seq, why] : reply.refused)
      refusedNow |= seq <= through && store_.markRefused(seq, why);
    store_.cursors().setAcked(through);
    pending = store_.lastOwnSeq() - through;
  }
  noteStable();
  if (refusedNow && on_change_) on_change_();
  std::lock_guard s(state_mu_);
  state_.reachable = true;
  state_.last_contact = clock_();
  state_.pending = pending;
  state_.hub_instance = reply.hub;
  return true;
}

bool SyncClient::pullOnce(int wait_ms) {
  std::string tok;
  std::int64_t cursor = 0;
  {
    std::lock_guard lock(mu_);
    tok = token();
    cursor = store_.cursors().get().pulled;
  }
  if (tok.empty()) return false;
  auto c = client(opt_, wait_ms / 1000 + 10);
  const Stoppable stoppable(pull_client_mu_, pull_client_, c.get());
  const std::string path = "/api/v1/pull?after=" + std::to_string(cursor) + "&limit=500&wait_ms=" + std::to_string(wait_ms);
  Fetched r = fetch(*c, "GET", path, tok, {}, state().pending, opt_.protocol);
  if (!r.status) { fail(r.error, r.error == "hub unreachable" ? SyncFault::Unreachable : SyncFault::BadReply); return false; }
  if (r.status == 426) { fail(refusal("pull", r), SyncFault::UpdateNeeded); return false; }
  if (r.status == 503) { fail(refusal("pull", r), SyncFault::Unreachable); return false; }  // busy: back off
  if (r.status != 200) { fail(refusal("pull", r), r.status == 401 || r.status == 403 ? SyncFault::Refused : SyncFault::BadReply); return false; }
  PullReply reply = decodePullReply(r.body);
  r.body.clear();
  r.body.shrink_to_fit();
  if (!reply.error.empty()) { fail("bad pull " + reply.error); return false; }
  bool changed = false;
  std::int64_t pulled = 0;
  {
    std::lock_guard lock(mu_);
    if (noteHub(reply.hub)) {
      std::lock_guard s(state_mu_);
      state_.pending = store_.lastOwnSeq();  // everything goes to the new hub again
      state_.hub_instance = reply.hub;
      if (cursor != 0) return true;  // fetched from a cursor of another hub: start again from 0
    }
    Store::Placement placed;
    try {
      placed = store_.takeFromHub(reply.events, clock_(), reply.verdicts);
    } catch (const std::exception& e) {  // a hub that sends nonsense changes nothing here (rolled back)
      fail(std::string("bad pull reply: ") + e.what());
      return false;
    }
    changed = placed.changed;
    pulled = std::max(cursor, placed.through);
    store_.cursors().setPulled(pulled);
    // issue 11: the hub's signed head, kept as a witness if it is signed by
    // the key the hub gave at enrolment
    if (reply.head && reply.head->key == store_.cursors().hubKey() &&
        verifyBytes(reply.head->key, headMessage(reply.head->hub, reply.head->pos, reply.head->head, reply.head->at), reply.head->sig))
      (void)store_.cursors().keepWitness(*reply.head);
  }
  noteStable();
  {
    std::lock_guard s(state_mu_);  // lock order: mu_ before state_mu_, never the other way
    state_.reachable = true;
    state_.last_contact = clock_();
    state_.hub_last = reply.last_pos;
    state_.pulled = pulled;
  }
  if ((changed || state().pulled < state().hub_last) && on_change_) on_change_();
  return true;
}

bool SyncClient::needsSnapshot() {
  std::lock_guard lock(mu_);
  // one whose snapshot fell short, in step with the hub again: a newer one
  if (store_.wantsSnapshot()) return true;
  return !snapshot_declined_ && store_.lastPos() == 0 && !store_.basePos() && store_.cursors().get().pulled == 0;
}

bool SyncClient::fetchSnapshot() {
  std::string tok;
  {
    std::lock_guard lock(mu_);
    tok = token();
  }
  if (tok.empty()) return false;
  {
    std::lock_guard s(state_mu_);
    state_.loading_snapshot = true;
    state_.snapshot_got = state_.snapshot_total = 0;
  }
  struct Done {
    SyncClient* self;
    ~Done() { std::lock_guard s(self->state_mu_); self->state_.loading_snapshot = false; }
  } done{this};
  auto c = client(opt_, 120);
  {
    std::lock_guard l(pull_client_mu_);
    pull_client_ = c.get();
  }
  struct Forget {
    SyncClient* self;
    ~Forget() { std::lock_guard l(self->pull_client_mu_); self->pull_client_ = nullptr; }
  } forget{this};
  // what has come in so far, for the screen (at most a few times a second)
  Millis shown = 0;
  const Progress progress = [&](std::uint64_t got, std::uint64_t total) {
    {
      std::lock_guard s(state_mu_);
      state_.snapshot_got = static_cast<std::int64_t>(got);
      state_.snapshot_total = static_cast<std::int64_t>(total);
    }
    if (const Millis now = clock_(); now - shown >= 200 && on_change_) {
      shown = now;
      on_change_();
    }
  };
  Fetched r = fetch(*c, "GET", "/api/v1/snapshot", tok, {}, -1, opt_.protocol, kMaxSnapshotReply, progress);
  if (!r.status) { fail(r.error, r.error == "hub unreachable" ? SyncFault::Unreachable : SyncFault::BadReply); return false; }
  if (r.status == 404) {  // a hub of an earlier version: its whole log, as before
    std::lock_guard lock(mu_);
    snapshot_declined_ = true;
    return true;
  }
  if (r.status == 426) { fail(refusal("snapshot", r), SyncFault::UpdateNeeded); return false; }
  if (r.status == 503 || r.status == 429) { fail(refusal("snapshot", r), SyncFault::Unreachable); return false; }  // busy: back off
  if (r.status != 200) { fail(refusal("snapshot", r), r.status == 401 || r.status == 403 ? SyncFault::Refused : SyncFault::BadReply); return false; }
  SnapshotReply reply = decodeSnapshotReply(r.body);
  r.body.clear();
  r.body.shrink_to_fit();
  if (!reply.error.empty()) { fail("bad snapshot " + reply.error); return false; }
  // read and checked outside the store's lock (a working bay's screen is
  // held only while it is written)
  Store::Prepared prepared;
  try {
    prepared = store_.prepare(std::move(reply.snap));
  } catch (const std::exception& e) {  // a snapshot that does not hold together changes nothing here
    fail(std::string("bad snapshot: ") + e.what());
    return false;
  }
  const std::int64_t hubPos = prepared.hub_pos;
  // issue 16: written beside the store's state, also outside the lock; the
  // screen is held only while it is swapped in. A write of the screen's
  // meanwhile comes first: this one gives way, and is tried again later.
  StagedSnapshot staged;
  try {
    staged = store_.stage(std::move(prepared), reply.hub);
  } catch (const std::exception& e) {
    fail(std::string("snapshot not written: ") + e.what());
    return false;
  }
  {
    std::unique_lock lock(mu_, std::defer_lock);
    while (staged.ready() && !lock.try_lock()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!lock.owns_lock()) return true;  // (the screen wrote meanwhile, or something came in: pulled as it is)
    try {
      if (!store_.adopt(staged)) return true;
    } catch (const std::exception& e) {
      fail(std::string("snapshot not written: ") + e.what());
      return false;
    }
  }
  staged = StagedSnapshot{};  // (its WAL written back, outside the lock)
  malloc_trim(0);  // (the reply and its parse were megabytes: given back to the system)
  noteStable();
  {
    std::lock_guard s(state_mu_);
    state_.reachable = true;
    state_.last_contact = clock_();
    state_.hub_instance = reply.hub;
    state_.pulled = state_.hub_last = hubPos;
  }
  if (on_change_) on_change_();
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
  const Fetched r = fetch(*c, "GET", "/api/v1/credentials", tok, {}, -1, opt_.protocol);
  if (r.status != 200) return false;
  const CredentialsReply reply = decodeCredentialsReply(r.body);
  if (!reply.error.empty()) { fail("bad credentials " + reply.error); return false; }
  std::lock_guard lock(mu_);
  // issue 11: a PIN goes with the person's signing key, which comes in the
  // log: a PIN from further on than this kiosk has pulled waits for the
  // pull, or the kiosk would make the person a second first key
  if (reply.as_of > store_.cursors().get().pulled) return false;
  for (const auto& [person, hash] : reply.credentials) store_.putPinHash(person, hash);  // only this product's own parameters
  return true;
}

std::string SyncClient::askHub(const std::string& path, const char* what, bool& unreachable, std::string& body) {
  std::string tok;
  {
    std::lock_guard lock(mu_);
    tok = token();
  }
  if (tok.empty()) return "not enrolled with the hub yet";
  auto c = client(opt_, 30);  // a month without its rows kept takes the hub a second or so
  const Stoppable stoppable(pull_client_mu_, ask_client_, c.get());
  Fetched r = fetch(*c, "GET", path, tok, {}, -1, opt_.protocol);
  unreachable = !r.status && r.error == "hub unreachable";
  if (!r.status) return r.error;
  if (r.status == 404) return std::string("this hub gives bays no ") + what + " (an older version): ask at the front desk";
  if (r.status != 200) return refusal(what, r);
  body = std::move(r.body);
  return {};
}

namespace {
// A replaced hub's answer is not of this bay's shop as it knows it.
std::string otherHub(const std::string& said, const std::string& ours) {
  return ours.empty() || said == ours ? std::string() : "the answer is of hub " + said + ", this bay syncs with " + ours;
}
}  // namespace

ReportAnswer SyncClient::fetchReport(Millis from, Millis to) {
  ReportAnswer a{from, to, true, std::nullopt, false, {}};
  std::string body;
  a.error = askHub("/api/v1/bay-report?from=" + std::to_string(from) + "&to=" + std::to_string(to), "report", a.unreachable, body);
  if (!a.error.empty()) return a;
  ReportReply reply = decodeReportReply(body, from, to);
  if (reply.error.empty()) reply.error = otherHub(reply.hub, hubInstance());
  if (!reply.error.empty()) { a.error = reply.error; return a; }
  a.report = std::move(reply.report);
  a.provisional = reply.provisional;
  return a;
}

HistoryAnswer SyncClient::fetchHistory(const std::string& vin) {
  HistoryAnswer a{vin, true, {}, {}, false};
  const bool plain = !vin.empty() && vin.size() <= 32 && std::all_of(vin.begin(), vin.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
  if (!plain) { a.error = "not a VIN"; return a; }
  std::string body;
  a.error = askHub("/api/v1/bay-history/" + vin, "history", a.unreachable, body);
  if (!a.error.empty()) return a;
  HistoryReply reply = decodeHistoryReply(body, vin);
  if (reply.error.empty()) reply.error = otherHub(reply.hub, hubInstance());
  if (!reply.error.empty()) { a.error = reply.error; return a; }
  a.visits = std::move(reply.visits);
  return a;
}

std::string SyncClient::hubInstance() const {
  std::lock_guard lock(mu_);
  return store_.cursors().get().hub_instance;
}

template <typename A>
void SyncClient::ask(A& slot, A question, bool& asked) {
  {
    std::lock_guard s(state_mu_);
    slot = std::move(question);
    if (!running_) {
      slot.done = true;
      slot.error = "not syncing with a hub";
      return;
    }
  }
  {
    std::lock_guard l(wake_mu_);
    asked = true;
  }
  ask_cv_.notify_one();
}

void SyncClient::askReport(Millis from, Millis to) { ask(report_, ReportAnswer{from, to}, report_asked_); }

void SyncClient::askHistory(const std::string& vin) { ask(history_, HistoryAnswer{vin}, history_asked_); }

ReportAnswer SyncClient::reportAnswer() const {
  std::lock_guard s(state_mu_);
  return report_;
}

HistoryAnswer SyncClient::historyAnswer() const {
  std::lock_guard s(state_mu_);
  return history_;
}

template <typename F>
bool SyncClient::guarded(F&& round) {
  // nothing a hub sends, and no fault here, may end a sync thread (and with
  // it the kiosk): it is shown, and the next round tries again
  try {
    return round();
  } catch (const std::exception& e) {
    fail(std::string("sync fault: ") + e.what());
  } catch (...) {
    fail("sync fault");
  }
  return false;
}

void SyncClient::noteStable() {
  const bool unstable = instanceBackoff().count() > 0;
  std::lock_guard s(state_mu_);
  state_.fault = unstable ? SyncFault::Unstable : SyncFault::None;
  if (unstable) state_.error = "the hub's instance id keeps changing: syncing slowly";
  else state_.error.clear();
}

std::chrono::milliseconds SyncClient::instanceBackoff() {
  std::lock_guard lock(mu_);
  if (instance_backoff_ > 0 && clock_() - last_instance_change_ >= 60'000) instance_backoff_ = 0;  // settled
  return std::chrono::milliseconds(instance_backoff_);
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
      const bool ok = guarded([this] {
        if (!state().enrolled) enroll();
        return pushOnce();
      });
      backoff = ok ? 250 : std::min(backoff * 2, 5000);
      if (on_change_) on_change_();
      if (ok && state().pending > 0) continue;  // more queued (back from offline): the next batch now
      const auto wait = std::chrono::milliseconds(ok ? 1000 : backoff) + instanceBackoff();  // takes mu_: not under wake_mu_
      std::unique_lock l(wake_mu_);
      wake_cv_.wait_for(l, wait, [this] { return woken_ || !running_; });
      woken_ = false;
    }
  });
  // issue 16: a month's report or a car's visits asked for, one at a
  // time, the latest of each kind
  asker_ = std::thread([this] {
    while (true) {
      bool report = false, history = false;
      {
        std::unique_lock l(wake_mu_);
        ask_cv_.wait(l, [this] { return report_asked_ || history_asked_ || !running_; });
        if (!running_) return;
        std::swap(report, report_asked_);
        std::swap(history, history_asked_);
      }
      // each answered whatever the hub sends, and kept unless asked otherwise meanwhile
      auto answer = [this](auto& slot, auto ask, auto same) {
        std::decay_t<decltype(slot)> asked;
        {
          std::lock_guard s(state_mu_);
          asked = slot;
        }
        std::decay_t<decltype(slot)> got;
        try {
          got = ask(asked);
        } catch (const std::exception& e) {
          got = asked;
          got.done = true;
          got.error = std::string("asking the hub: ") + e.what();
        }
        {
          std::lock_guard s(state_mu_);
          if (same(slot, got) && !slot.done) slot = std::move(got);
        }
        if (on_change_) on_change_();
      };
      if (report)
        answer(report_, [this](const ReportAnswer& q) { return fetchReport(q.from, q.to); },
               [](const ReportAnswer& x, const ReportAnswer& y) { return x.from == y.from && x.to == y.to; });
      if (history)
        answer(history_, [this](const HistoryAnswer& q) { return fetchHistory(q.vin); },
               [](const HistoryAnswer& x, const HistoryAnswer& y) { return x.vin == y.vin; });
    }
  });
  puller_ = std::thread([this] {
    int backoff = 250;
    Millis credentialsAt = 0;
    while (running_) {
      // PIN hashes change rarely: fetch them at start and every few minutes
      const bool ok = guarded([&] {
        if (needsSnapshot() && !fetchSnapshot()) return false;  // issue 16: a new kiosk
        if (clock_() - credentialsAt > 5 * 60'000 && fetchCredentials()) credentialsAt = clock_();
        return pullOnce(opt_.poll_ms);
      });
      backoff = ok ? 250 : std::min(backoff * 2, 5000);
      const auto extra = instanceBackoff();
      if (!ok || extra.count() > 0) {
        std::unique_lock l(wake_mu_);
        wake_cv_.wait_for(l, std::chrono::milliseconds(ok ? 0 : backoff) + extra, [this] { return !running_.load(); });
      }
    }
  });
}

void SyncClient::stop() {
  if (!running_.exchange(false)) return;
  {
    std::lock_guard l(wake_mu_);  // (so neither thread misses it between its check and its wait)
  }
  wake_cv_.notify_all();
  ask_cv_.notify_all();
  {
    std::lock_guard l(pull_client_mu_);
    if (pull_client_) pull_client_->stop();  // ends a long poll now
    if (ask_client_) ask_client_->stop();    // ...and a report being asked
  }
  if (pusher_.joinable()) pusher_.join();
  if (puller_.joinable()) puller_.join();  // a long poll ends within poll_ms
  if (asker_.joinable()) asker_.join();
}

}  // namespace bk::sync
