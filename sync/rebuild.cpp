#include "sync/rebuild.hpp"

#include <filesystem>
#include <fstream>

namespace bk::sync {

namespace {
// Kept in the rebuilt store's meta until the rebuild is complete: a kiosk
// restarted meanwhile goes on with it rather than recording anything.
constexpr const char* kSalvageFile = "rebuild_salvage";
constexpr const char* kSetAside = "rebuild_set_aside";
constexpr const char* kUnreadable = "rebuild_unreadable";
}  // namespace

bool rebuildPending(const Store& store) { return !store.meta(kSalvageFile).empty(); }

Rebuild::Rebuild(StoreOptions store, Entropy& entropy, SyncOptions sync, SyncClient::Clock clock)
    : so_(std::move(store)), entropy_(entropy), opt_(std::move(sync)), clock_(std::move(clock)) {}

std::unique_ptr<Store> Rebuild::openOrSetAside() {
  try {
    if (std::filesystem::exists(so_.path)) {
      auto store = std::make_unique<Store>(so_, entropy_);
      if (!rebuildPending(*store)) throw std::runtime_error("the store at " + so_.path + " is sound: nothing to rebuild");
      return store;  // a rebuild begun before: go on with it
    }
  } catch (const sql::SqliteError& e) {
    if (!damagedDatabase(e.code)) throw;
  }
  // damaged: set it aside, and keep every own event that can be read in a
  // file at once (the rebuild may be cut short; the file is the evidence)
  const Salvaged s = setAsideAndSalvage(so_.path, so_.kiosk_id, clock_());
  const std::string stamp = s.set_aside.substr(so_.path.size() + std::string(".damaged-").size());
  const std::string salvage = so_.path + ".salvaged-" + stamp + ".jsonl";
  if (!writeEvents(s.own, salvage)) throw std::runtime_error("cannot write " + salvage);
  auto store = std::make_unique<Store>(so_, entropy_);
  store->setMeta(kSalvageFile, salvage);
  store->setMeta(kSetAside, s.set_aside);
  store->setMeta(kUnreadable, std::to_string(s.unreadable));
  if (!s.sealed_token.empty()) store->cursors().setSealedToken(s.sealed_token);
  // the token and the device key go together: a token without its key
  // would push batches the hub refuses (a new code makes both again)
  if (!s.sealed_token.empty() && !s.sealed_device_key.empty()) store->cursors().setSealedDeviceKey(s.sealed_device_key);
  return store;
}

RebuildResult Rebuild::run(const Progress& progress, const std::atomic<bool>& cancel) {
  RebuildResult out;
  if (opt_.hub.empty()) {
    out.error = "no hub configured (--hub): nothing to rebuild from";
    return out;
  }
  try {
    std::unique_ptr<Store> store = openOrSetAside();
    out.set_aside = store->meta(kSetAside);
    out.unreadable = std::stoi("0" + store->meta(kUnreadable));
    std::mutex mu;
    SyncClient sync(*store, mu, so_.pepper, opt_, clock_);
    if (!sync.state().enrolled && !sync.enroll()) {
      out.needs_code = opt_.enrol_code.empty();
      out.error = out.needs_code ? "this kiosk's token could not be read: an enrolment code is needed"
                                 : sync.state().error;
      return out;
    }
    // issue 16: the hub's snapshot (this kiosk's own events in it), then
    // everything since; a hub without snapshots: its whole log
    if (sync.needsSnapshot() && !sync.fetchSnapshot()) {
      out.error = sync.state().error.empty() ? "the hub did not answer" : sync.state().error;
      return out;
    }
    do {
      if (cancel.load()) {
        out.error = "cancelled";
        return out;
      }
      if (!sync.pullOnce(0)) {
        out.error = sync.state().error.empty() ? "the hub did not answer" : sync.state().error;
        return out;
      }
      if (progress) progress(sync.state().pulled, sync.state().hub_last);
    } while (sync.state().pulled < sync.state().hub_last);
    // the hub holds every own event up to here; what it lacks is kept
    const std::int64_t held = store->lastOwnSeq();
    store->cursors().setAcked(held);
    const std::string salvage = store->meta(kSalvageFile);
    std::vector<json> lacking;
    {
      std::ifstream in(salvage);
      if (!in) throw std::runtime_error("cannot read " + salvage);
      for (std::string line; std::getline(in, line);) {
        json e = json::parse(line);
        if (e["seq"].get<std::int64_t>() > held) lacking.push_back(std::move(e));
      }
    }
    if (!lacking.empty()) {
      const std::string stamp = out.set_aside.substr(so_.path.size() + std::string(".damaged-").size());
      out.unsynced_file = so_.path + ".unsynced-" + stamp + ".jsonl";
      if (!std::filesystem::exists(out.unsynced_file) && !writeEvents(lacking, out.unsynced_file))
        throw std::runtime_error("cannot write " + out.unsynced_file);
    }
    out.unsynced = lacking.size();
    std::filesystem::remove(salvage);  // the hub has the rest
    store->setMeta(kSalvageFile, "");
    out.events = store->eventCount();
    out.ok = true;
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

}  // namespace bk::sync
