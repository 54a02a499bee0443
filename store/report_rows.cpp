#include "store/report_rows.hpp"

#include <algorithm>
#include <stdexcept>

namespace bk::reportrows {
namespace {

struct Unreadable : std::runtime_error {
  Unreadable() : std::runtime_error("report row") {}
};

class Writer {
 public:
  std::string out;
  void u(std::uint64_t v) {
    while (v >= 0x80) {
      out.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  }
  void s(std::int64_t v) { u((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63)); }
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  std::uint64_t u() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at_ >= in_.size()) throw Unreadable{};
      const auto b = static_cast<std::uint8_t>(in_[at_++]);
      v |= std::uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) return v;
    }
    throw Unreadable{};
  }
  std::int64_t s() {
    const std::uint64_t v = u();
    return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
  }
  std::size_t count(std::size_t most) {  // (a count never beyond what is left to read)
    const std::uint64_t n = u();
    if (n > most || n > in_.size() - at_) throw Unreadable{};
    return static_cast<std::size_t>(n);
  }
  std::size_t bound(std::uint64_t n) const {  // (a length never beyond what is left to read)
    if (n > in_.size() - at_) throw Unreadable{};
    return static_cast<std::size_t>(n);
  }
  std::string_view bytes(std::size_t n) {
    if (n > in_.size() - at_) throw Unreadable{};
    std::string_view v = in_.substr(at_, n);
    at_ += n;
    return v;
  }
  bool done() const { return at_ == in_.size(); }

 private:
  std::string_view in_;
  std::size_t at_ = 0;
};

// One work order's records in a shop.
struct Bundle {
  const WorkOrder* wo = nullptr;
  std::vector<const Operation*> ops;
  std::vector<const TimeEntry*> entries;
  std::vector<const Inspection*> inspections;
  std::vector<const Rework*> reworks;
  std::vector<const Incident*> incidents;
  std::vector<const AddOn*> addons;
};

std::size_t sharedPrefix(std::string_view a, std::string_view b) {
  std::size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

bool isHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
int hexValue(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

// The rest of a string (format 2): its length times two, and its bytes;
// or, when it ends in eight lower-case hex digits or more (a kiosk's ids:
// two letters, '-' and 32 of them), its length times two plus one, the
// length of what comes before them and that as it is, then the digits two
// a byte (an odd one last with 0).
void writeRest(Writer& w, std::string_view rest) {
  std::size_t head = rest.size();
  while (head > 0 && isHex(rest[head - 1])) --head;
  if (rest.size() - head < 8) {
    w.u(rest.size() * 2);
    w.out.append(rest);
    return;
  }
  w.u(rest.size() * 2 + 1);
  w.u(head);
  w.out.append(rest.substr(0, head));
  for (std::size_t k = head; k < rest.size(); k += 2)
    w.out.push_back(static_cast<char>(hexValue(rest[k]) * 16 + (k + 1 < rest.size() ? hexValue(rest[k + 1]) : 0)));
}

// The strings a row names, each once, sorted; a reference is an index.
// Each is written as the length it shares with the one before it, or with
// the work order's id (which the row does not hold: it is the row's key),
// whichever is longer, and the rest.
class Strings {
 public:
  explicit Strings(const Id& wo) : wo_(wo) {}
  void add(std::string_view v) { index_.emplace(std::string(v), 0); }
  void add(const Id& v) { add(v.view()); }
  void add(const std::string& v) { add(std::string_view(v)); }
  void add(const std::optional<Id>& v) { if (v) add(*v); }
  void add(const std::optional<std::string>& v) { if (v) add(*v); }
  void write(Writer& w) {
    w.u(index_.size());
    std::size_t i = 0;
    const std::string* last = nullptr;
    for (auto& [v, n] : index_) {
      n = i++;
      const std::size_t withLast = last ? sharedPrefix(*last, v) : 0, withWo = sharedPrefix(wo_, v);
      const bool fromWo = withWo > withLast;
      const std::size_t shared = fromWo ? withWo : withLast;
      w.u(shared * 2 + (fromWo ? 1 : 0));
      writeRest(w, std::string_view(v).substr(shared));
      last = &v;
    }
  }
  void ref(Writer& w, std::string_view v) const { w.u(at(v)); }
  void ref(Writer& w, const Id& v) const { ref(w, v.view()); }
  void ref(Writer& w, const std::string& v) const { ref(w, std::string_view(v)); }
  void ref(Writer& w, const std::optional<Id>& v) const { w.u(v ? at(v->view()) + 1 : 0); }
  void ref(Writer& w, const std::optional<std::string>& v) const { w.u(v ? at(*v) + 1 : 0); }

 private:
  std::size_t at(std::string_view v) const {
    const auto it = index_.find(v);
    if (it == index_.end()) throw std::out_of_range("report row: a string not added");
    return it->second;
  }
  const Id& wo_;
  std::map<std::string, std::size_t, std::less<>> index_;
};

template <typename E, std::size_t N>
E enumOf(std::uint64_t v, const EnumTable<E, N>&) {
  if (v >= N) throw Unreadable{};
  return static_cast<E>(v);
}

std::string encodeOne(const Bundle& b) {
  const WorkOrder& wo = *b.wo;
  Strings strs(wo.id);
  strs.add(wo.advisor);
  strs.add(wo.comeback_of);
  for (const Operation* o : b.ops) {
    strs.add(o->id);
    strs.add(o->main_tech);
  }
  for (const TimeEntry* e : b.entries) {
    strs.add(e->id);
    strs.add(e->op);
    strs.add(e->tech);
    strs.add(e->corrected_by);
  }
  for (const Inspection* in : b.inspections) {
    strs.add(in->id);
    strs.add(in->op);
    strs.add(in->supersedes);
  }
  for (const Rework* r : b.reworks) {
    strs.add(r->id);
    strs.add(r->op);
    strs.add(r->inspection);
    strs.add(r->defect);
    strs.add(r->assigned_to);
  }
  for (const Incident* i : b.incidents) {
    strs.add(i->id);
    strs.add(i->charged_to);
    strs.add(i->held_by);
  }
  for (const AddOn* a : b.addons) strs.add(a->id);

  Writer w;
  w.out.push_back(static_cast<char>(kFormat));
  strs.write(w);
  const Millis base = wo.opened_at;
  // (in modular arithmetic: any time a record holds, however far off, comes back the same)
  auto time = [&](Millis t) { w.s(static_cast<std::int64_t>(static_cast<std::uint64_t>(t) - static_cast<std::uint64_t>(base))); };
  auto maybeTime = [&](const std::optional<Millis>& t) {
    w.u(t ? 1 : 0);
    if (t) time(*t);
  };
  w.s(base);
  strs.ref(w, wo.advisor);
  maybeTime(wo.delivered_at);
  strs.ref(w, wo.comeback_of);
  w.u(b.ops.size());
  for (const Operation* o : b.ops) {
    strs.ref(w, o->id);
    w.s(o->seq);
    w.u(static_cast<std::uint64_t>(o->trade));
    w.s(o->std_minutes);
    strs.ref(w, o->main_tech);
    w.u(static_cast<std::uint64_t>(o->phase));
  }
  w.u(b.entries.size());
  for (const TimeEntry* e : b.entries) {
    strs.ref(w, e->id);
    strs.ref(w, e->op);
    strs.ref(w, e->tech);
    time(e->start);
    maybeTime(e->end);
    w.u(e->rework ? 1 : 0);
    strs.ref(w, e->corrected_by);
  }
  w.u(b.inspections.size());
  for (const Inspection* in : b.inspections) {
    strs.ref(w, in->id);
    w.u(static_cast<std::uint64_t>(in->kind));
    strs.ref(w, in->op);
    w.u(static_cast<std::uint64_t>(in->result));
    time(in->sig.at);
    strs.ref(w, in->supersedes);
    w.u(in->cause ? static_cast<std::uint64_t>(*in->cause) + 1 : 0);
  }
  w.u(b.reworks.size());
  for (const Rework* r : b.reworks) {
    strs.ref(w, r->id);
    strs.ref(w, r->op);
    strs.ref(w, r->inspection);
    w.u(static_cast<std::uint64_t>(r->found_in));
    strs.ref(w, r->defect);
    strs.ref(w, r->assigned_to);
    time(r->opened_at);
    maybeTime(r->closed_at);
  }
  w.u(b.incidents.size());
  for (const Incident* i : b.incidents) {
    strs.ref(w, i->id);
    w.u(static_cast<std::uint64_t>(i->trade));
    strs.ref(w, i->charged_to);
    time(i->at);
    strs.ref(w, i->held_by);
    w.u(i->voided ? 1 : 0);
  }
  w.u(b.addons.size());
  for (const AddOn* a : b.addons) {
    strs.ref(w, a->id);
    time(a->proposed_at);
    w.u(a->consent ? (a->consent->granted ? 2 : 1) : 0);
    if (a->consent) time(a->consent->sig.at);
    w.u(a->refused ? 1 : 0);
    if (a->refused) time(a->refused->sig.at);
  }
  return std::move(w.out);
}

// The row's records, read whole before any is added to the shop.
struct Decoded {
  WorkOrder wo;
  std::vector<Operation> ops;
  std::vector<TimeEntry> entries;
  std::vector<Inspection> inspections;
  std::vector<Rework> reworks;
  std::vector<Incident> incidents;
  std::vector<AddOn> addons;
};

Decoded decode(const Id& wo, std::string_view row) {
  Reader r(row);
  if (r.bytes(1)[0] != static_cast<char>(kFormat)) throw Unreadable{};
  std::vector<std::string> strs(r.count(row.size()));
  for (std::size_t i = 0; i < strs.size(); ++i) {
    const std::uint64_t code = r.u();  // (what it shares is not of the row's bytes: bound by what it shares with)
    const bool fromAny = code % 2 || i > 0;
    const std::string_view from = code % 2 ? wo.view() : i > 0 ? std::string_view(strs[i - 1]) : std::string_view();
    if (code / 2 > 0 && (!fromAny || code / 2 > from.size())) throw Unreadable{};
    const std::size_t shared = static_cast<std::size_t>(code / 2);
    if (shared) strs[i].assign(from.substr(0, shared));
    const std::uint64_t rest = r.u();
    if (rest % 2 == 0) {
      strs[i].append(r.bytes(r.bound(rest / 2)));
    } else {  // what comes before its hex digits, then the digits two a byte
      static constexpr char kDigits[] = "0123456789abcdef";
      const std::uint64_t head = r.u();
      if (head > rest / 2) throw Unreadable{};
      strs[i].append(r.bytes(r.bound(head)));
      const std::uint64_t digits = rest / 2 - head;
      const std::string_view packed = r.bytes(r.bound((digits + 1) / 2));
      for (std::uint64_t k = 0; k < digits; ++k) {
        const auto b = static_cast<std::uint8_t>(packed[k / 2]);
        strs[i].push_back(kDigits[k % 2 ? b & 15 : b >> 4]);
      }
    }
  }
  auto str = [&]() -> const std::string& {
    const std::uint64_t i = r.u();
    if (i >= strs.size()) throw Unreadable{};
    return strs[i];
  };
  auto maybeStr = [&]() -> std::optional<std::string> {
    const std::uint64_t i = r.u();
    if (i == 0) return std::nullopt;
    if (i > strs.size()) throw Unreadable{};
    return strs[i - 1];
  };
  auto flag = [&] {
    const std::uint64_t v = r.u();
    if (v > 1) throw Unreadable{};
    return v == 1;
  };
  Decoded d;
  const Millis base = r.s();
  auto time = [&] { return static_cast<Millis>(static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(r.s())); };
  auto maybeTime = [&]() -> std::optional<Millis> {
    if (!flag()) return std::nullopt;
    return time();
  };
  d.wo.id = wo;
  d.wo.opened_at = base;
  d.wo.advisor = str();
  d.wo.delivered_at = maybeTime();
  d.wo.comeback_of = str();
  d.ops.resize(r.count(row.size()));
  for (Operation& o : d.ops) {
    o.id = str();
    o.wo = d.wo.id;
    o.seq = static_cast<int>(r.s());
    o.trade = enumOf(r.u(), kTradeNames);
    o.std_minutes = static_cast<int>(r.s());
    o.main_tech = str();
    o.phase = enumOf(r.u(), kPhaseNames);
  }
  d.entries.resize(r.count(row.size()));
  for (TimeEntry& e : d.entries) {
    e.id = str();
    e.wo = d.wo.id;
    e.op = str();
    e.tech = str();
    e.start = time();
    e.end = maybeTime();
    e.rework = flag();
    e.corrected_by = str();
  }
  d.inspections.resize(r.count(row.size()));
  for (Inspection& in : d.inspections) {
    in.id = str();
    in.wo = d.wo.id;
    in.kind = enumOf(r.u(), kInspectionKindNames);
    in.op = maybeStr();
    in.result = enumOf(r.u(), kVerdictNames);
    in.sig.at = time();
    in.supersedes = maybeStr();
    if (const std::uint64_t c = r.u(); c) in.cause = enumOf(c - 1, kComebackCauseNames);
  }
  d.reworks.resize(r.count(row.size()));
  for (Rework& rw : d.reworks) {
    rw.id = str();
    rw.wo = d.wo.id;
    rw.op = str();
    rw.inspection = str();
    rw.found_in = enumOf(r.u(), kInspectionKindNames);
    rw.defect = str();
    rw.assigned_to = str();
    rw.opened_at = time();
    rw.closed_at = maybeTime();
  }
  d.incidents.resize(r.count(row.size()));
  for (Incident& i : d.incidents) {
    i.id = str();
    i.wo = d.wo.id;
    i.trade = enumOf(r.u(), kTradeNames);
    i.charged_to = str();
    i.at = time();
    i.held_by = maybeStr();
    i.voided = flag();
  }
  d.addons.resize(r.count(row.size()));
  for (AddOn& a : d.addons) {
    a.id = str();
    a.wo = d.wo.id;
    a.proposed_at = time();
    if (const std::uint64_t c = r.u(); c > 2) {
      throw Unreadable{};
    } else if (c) {
      a.consent = ConsentStep{};
      a.consent->granted = c == 2;
      a.consent->sig.at = time();
    }
    if (flag()) {
      a.refused = AddOnReturn{};
      a.refused->refuse = true;
      a.refused->sig.at = time();
    }
  }
  if (!r.done()) throw Unreadable{};
  return d;
}

}  // namespace

std::map<Id, std::string> encode(const Shop& s, const std::set<Id>& wos) {
  std::map<Id, Bundle> bundles;
  for (const Id& id : wos)
    if (const WorkOrder* w = s.workOrder(id)) bundles[id].wo = w;
  auto of = [&](const Id& wo) -> Bundle* {
    auto it = bundles.find(wo);
    return it == bundles.end() ? nullptr : &it->second;
  };
  // each work order's own by the shop's indexes (a pass over every record
  // memory holds, at each trim of a hub's two months, took 14 ms); the
  // incidents and add-ons, which have none, in one pass each (a few
  // thousand); every list in id order, whatever order the indexes keep
  auto byId = [](auto& v) { std::sort(v.begin(), v.end(), [](const auto* a, const auto* b) { return a->id < b->id; }); };
  for (auto& [id, b] : bundles) {
    b.ops = s.opsOf(id);
    for (const Operation* o : b.ops) {
      if (auto e = s.entries_of_op.find(o->id); e != s.entries_of_op.end())
        for (const Id& eid : e->second)
          if (auto it = s.entries.find(eid); it != s.entries.end() && it->second.wo == id) b.entries.push_back(&it->second);
      if (auto r = s.reworks_of_op.find(o->id); r != s.reworks_of_op.end())
        for (const Id& rid : r->second)
          if (auto it = s.reworks.find(rid); it != s.reworks.end() && it->second.wo == id) b.reworks.push_back(&it->second);
    }
    if (auto in = s.inspections_of_wo.find(id); in != s.inspections_of_wo.end())
      for (const Id& iid : in->second)
        if (auto it = s.inspections.find(iid); it != s.inspections.end()) b.inspections.push_back(&it->second);
  }
  for (auto& [id, i] : s.incidents)
    if (Bundle* b = of(i.wo)) b->incidents.push_back(&i);
  for (auto& [id, a] : s.addons)
    if (Bundle* b = of(a.wo)) b->addons.push_back(&a);
  std::map<Id, std::string> out;
  for (auto& [id, b] : bundles) {
    byId(b.ops);
    byId(b.entries);
    byId(b.inspections);
    byId(b.reworks);
    out.emplace(id, encodeOne(b));
  }
  return out;
}

bool decodeInto(Shop& s, const Id& wo, std::string_view row) {
  Decoded d;
  try {
    d = decode(wo, row);
  } catch (const Unreadable&) {
    return false;
  }
  for (Operation& o : d.ops) s.operations.emplace(o.id, std::move(o));
  for (TimeEntry& e : d.entries) s.entries.emplace(e.id, std::move(e));
  for (Inspection& in : d.inspections) s.inspections.emplace(in.id, std::move(in));
  for (Rework& rw : d.reworks) s.reworks.emplace(rw.id, std::move(rw));
  for (Incident& i : d.incidents) s.incidents.emplace(i.id, std::move(i));
  for (AddOn& a : d.addons) s.addons.emplace(a.id, std::move(a));
  Id id = d.wo.id;
  s.work_orders.emplace(std::move(id), std::move(d.wo));
  return true;
}

}  // namespace bk::reportrows
