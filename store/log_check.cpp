// Issue 16: `bk-hub verify` in bounded memory (Store::checkLog). The log is
// replayed with R16's ingest like rebuildFromEvents, but held as a working
// set holds the shop: each day of the log's time, the delivered work orders
// settled two days since leave the replay, each checked against its records
// on disk as it leaves. A later event that reads one (a comeback, a late
// event from a bay, a dispute decided) brings it back from disk first, found
// the same way the live store finds it (readsBeyond): what it brings back is
// exactly what the replay let go. At the end what the replay holds is
// checked against the rest of the records. Memory holds a working set, not
// the shop's history.
#include "store/store.hpp"

#include <unordered_map>

namespace bk {
namespace {
constexpr Millis kDay = 86'400'000;
constexpr Millis kReplayHeld = 2 * kDay;  // how long a delivered work order stays in the replay

// How many records of each work order in `gone` the replay holds.
std::map<Id, std::int64_t> recordsOf(const Shop& s, const std::set<Id>& gone) {
  std::map<Id, std::int64_t> n;
  for (const Id& id : gone) n[id] = 1;  // the work order itself
  auto count = [&](const auto& m) {
    for (auto& [id, r] : m)
      if (auto it = n.find(r.wo); it != n.end()) ++it->second;
  };
  count(s.operations);
  count(s.entries);
  count(s.inspections);
  count(s.reworks);
  count(s.incidents);
  count(s.addons);
  return n;
}
}  // namespace

Store::LogCheck Store::checkLog(const std::set<Id>& keep, std::size_t max) const {
  LogCheck out;
  Shop& s = out.held;
  s = replayStart();
  struct Left {
    std::int64_t number = 0;   // its row's number, which its records carry
    std::int64_t records = 0;  // how many it had as it left
  };
  std::unordered_map<Id, Left> left;  // out of the replay, the same as on disk as they left
  std::set<Id> stay = keep;           // never leave: asked for, or different from the disk as they would have
  std::set<Id> differed;              // (the latter)
  Millis latest = 0, trimmed = 0, held_since = 0;
  bool partial = false;
  sql::Stmt bundle(*db_, wsql::kBundle);
  auto letGo = [&] {
    const Millis horizon = latest - kReplayHeld;
    std::set<Id> gone = settledBefore(s, horizon, stay);
    if (gone.empty()) return;
    const std::map<Id, std::int64_t> records = recordsOf(s, gone);
    for (auto it = gone.begin(); it != gone.end();) {
      const auto number = work_orders_->numberOf(*it);
      const std::int64_t n = records.at(*it);
      if (number && bundleDiffers(bundle, s, *it, n).empty()) {
        left[*it] = Left{*number, n};
        ++it;
      } else {  // checked with the rest at the end, to say what differs
        stay.insert(*it);
        differed.insert(*it);
        it = gone.erase(it);
      }
    }
    // (and their report rows, which a month's report reads for them)
    for (std::string& d : reportRowsDiffer(s, gone, max))
      if (out.differ.size() < max) out.differ.push_back(std::move(d));
    evictFrom(s, gone);
    out.left += static_cast<std::int64_t>(gone.size());
    partial = true;
    held_since = std::max(held_since, horizon);
    releaseFreed();
  };
  replayInto(s, [&](const Action* a, Millis wall) {
    ++out.events;
    s.dirty.clear();  // (what ingest touched: nothing writes it here)
    latest = std::max(latest, wall);
    // (first: the event that moves the log's time on may read what leaves)
    if (latest - trimmed >= kDay) {
      if (trimmed) letGo();
      trimmed = latest;
    }
    if (a && partial) {
      std::set<Id> back = readsBeyond(s, *a, *work_orders_, held_since);
      std::erase_if(back, [&](const Id& id) { return !left.count(id); });  // (not yet made in the replay)
      if (!back.empty()) {
        for (const Id& id : back) left.erase(id);
        loadBundles(s, {back.begin(), back.end()});
        s.reindex();
      }
    }
  });
  s.dirty.clear();
  std::set<std::int64_t> numbers;
  std::int64_t leftRecords = 0;
  for (auto& [id, l] : left) {
    numbers.insert(l.number);
    leftRecords += l.records;
  }
  // each work order that differed as it would have left, checked again
  // as the log leaves it (named, if it still differs), then the rest
  if (!differed.empty()) {
    const std::map<Id, std::int64_t> records = recordsOf(s, differed);
    for (const Id& id : differed)
      if (std::string why = bundleDiffers(bundle, s, id, records.at(id)); !why.empty() && out.differ.size() < max)
        out.differ.push_back(std::move(why));
  }
  for (std::string& d : differFrom(s, max, numbers, leftRecords))
    if (out.differ.size() < max) out.differ.push_back(std::move(d));
  out.people = signatureFindings(s);
  return out;
}

}  // namespace bk
