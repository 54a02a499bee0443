#include "demo/demo.hpp"

#include "domain/ids.hpp"
#include "domain/setup.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <stdexcept>

namespace bk::demo {
namespace {

constexpr Millis kMin = 60'000;
constexpr Millis kHour = 60 * kMin;
constexpr Millis kDay = 24 * kHour;

const char* kNames[40] = {
    "王建国", "李志强", "张伟", "刘洋", "陈磊", "杨帆", "赵勇", "黄海涛", "周鹏", "吴军",
    "徐斌", "孙浩", "马超", "朱明", "胡军", "郭涛", "何亮", "高峰", "林峰", "罗斌",
    "郑凯", "梁晨", "谢东", "宋杰", "唐磊", "韩冰", "冯刚", "董建华", "萧然", "程远",
    "曹立新", "袁芳", "邓丽", "许晴", "傅敏", "沈洁", "曾静", "彭涛", "吕娜", "苏红"};

const char* kModels[] = {"丰田凯美瑞 2.5L", "丰田卡罗拉 1.8L", "本田雅阁 1.5T", "大众帕萨特 2.0T",
                         "日产天籁 2.0L", "别克君越 2.0T", "丰田RAV4 2.0L", "本田CR-V 1.5T"};
const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"};
const char* kPlatePrefix[] = {"粤A", "粤B", "粤S", "粤E"};

struct Staff {
  std::vector<Id> mech, body, paint, detail, foremen, advisors, inspectors;
  Id supervisor, director, manager, warranty;
};

class Sim {
 public:
  Sim(Store& st, const Catalog& cat, const Options& o) : st_(st), cat_(cat), opt_(o), rng_(o.seed) {}

  Summary run() {
    enrol();
    if (opt_.minimal) {  // one work order just opened, nothing clocked, and one car to hand over
      workOrderOpenOnly(opt_.now - 10 * kMin);
      readyToHandOver(opt_.now - 4 * kHour);
      sum_.events = st_.eventCount();
      return sum_;
    }
    // History on working days (08:00–17:00 local), then a busy last few
    // hours right up to `now`, so the floor has work running whenever the
    // demo starts.
    const Millis tz = Millis{opt_.utc_offset_minutes} * kMin;
    const Millis busyFrom = opt_.now - 7 * kHour;
    const Millis start = dayStart(opt_.now + tz) - tz - opt_.days * kDay;
    std::vector<Millis> arrivals;
    for (int d = 0; d <= opt_.days; ++d) {
      const Millis day = start + d * kDay;
      const int count = opt_.work_orders_per_day + (uni(0, 2) == 0 ? 1 : 0);
      for (int k = 0; k < count; ++k) {
        const Millis opened = day + 8 * kHour + uni(0, 9 * 60) * kMin;
        if (opened < busyFrom) arrivals.push_back(opened);
      }
    }
    for (int k = 0; k < opt_.busy_today; ++k)
      arrivals.push_back(busyFrom + uni(0, 6 * 60 + 40) * kMin);
    std::sort(arrivals.begin(), arrivals.end());
    int n = 0;
    const Millis forgotten = opt_.now - 5 * kHour;  // issue 14: past the policy's 4 h limit
    bool ghost = false;
    for (Millis opened : arrivals) {
      if (!ghost && opened >= forgotten) ghost = forgottenTimer(forgotten);
      workOrder(++n, opened);
    }
    comebacks();
    floorScenes();
    offlineConflict();
    sum_.events = st_.eventCount();
    sum_.delivered = static_cast<int>(st_.workOrderCount().delivered);  // issue 16: memory holds only the recent ones
    sum_.running = static_cast<int>(st_.shop().open_entries.size());
    return sum_;
  }

 private:
  int uni(int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng_); }
  // A new record's id: the demo's short one (prefix and number), or, for
  // the benchmark histories, as a kiosk makes it (kiosk/app.cpp: the prefix
  // and a time-ordered UUID in 32 hex digits), its random bits from a
  // generator of their own (the shop played is the same either way).
  Id idOf(const char* prefix, int n, Millis at) {
    if (!opt_.kiosk_ids) return prefix + std::to_string(n);
    std::array<std::uint8_t, 8> r;
    const std::uint64_t bits = idRng_();
    for (std::size_t i = 0; i < r.size(); ++i) r[i] = static_cast<std::uint8_t>(bits >> (8 * i));
    return prefix + toHex(uuid_.next(at, r));
  }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  template <typename T> const T& pick(const std::vector<T>& v) { return v[static_cast<std::size_t>(uni(0, int(v.size()) - 1))]; }
  static Millis dayStart(Millis t) { return t - t % kDay; }  // UTC day; fine for a demo

  // The generator only moves time forward inside a work order; anything
  // after `now` has not happened yet, so the work order stays in progress.
  bool live(Millis t) const { return t <= opt_.now; }

  void must(Recorded r, const char* what) {
    if (!r) throw std::logic_error(std::string("demo: rules refused ") + what + ": " +
                                   std::string(name(r.reason())) + " " + r.outcome.refusal->detail);
  }
  void act(Action a, Millis t, const char* what) { must(st_.record(std::move(a), t), what); }
  void signed_(Action a, const Id& who, Millis t, const char* what) {
    signAction(a, who, t, keys_.at(who));  // issue 11: each person's own key
    must(st_.record(std::move(a), t), what);
  }

  // Issue 13: the demo shop goes live through the same paths as a real one:
  // its policy, then its bays and staff as the CSV files a shop keeps,
  // planned and checked by domain/setup.hpp as `bk-hub bays import` and
  // `bk-hub staff import` do, then each person's key registered with a
  // setup code, as at a kiosk (the generator keeps the key pairs, so it
  // signs without unsealing every time). A person is a row until then.
  Id person(int i, std::vector<Role> roles, Trade trade) {
    char id[16], badge[16];
    std::snprintf(id, sizeof id, "p%02d", i);
    std::snprintf(badge, sizeof badge, "%06d", 100000 + i);
    std::string r;
    for (Role role : roles) r += (r.empty() ? "" : ";") + std::string(name(role));
    // a bigger shop (Options::crews) reuses the names with a number
    const std::string nm = std::string(kNames[(i - 1) % 40]) + (i > 40 ? std::to_string((i - 1) / 40 + 1) : "");
    staff_csv_ += std::string(id) + "," + badge + "," + nm + "," + r + "," +
                  std::string(trade == Trade::None ? "" : name(trade)) + ",,yes\n";
    return id;
  }

  void goLive(const Millis at) {
    std::vector<setup::LineError> errors;
    const setup::StaffPlan plan = setup::planStaff(staff_csv_, st_.shop(), errors);
    if (!errors.empty()) throw std::logic_error("demo: staff CSV: " + setup::describe(errors));
    for (const Person& p : plan.enrol) act(EnrollPerson{p}, at, "enrol");
    for (const Person& p : plan.enrol) {
      // a setup code (as the import issues one), and the key made with it
      Id setupId;
      if (opt_.set_pins) {
        auto [code, issue] = st_.makeSetupCode(p.id, {}, at);
        setupId = issue.code;
        act(issue, at, "setup code");
      }
      Seed seed{};
      std::array<std::uint8_t, 40> saltNonce{};
      for (auto& b : seed) b = static_cast<std::uint8_t>(uni(0, 255));
      for (auto& b : saltNonce) b = static_cast<std::uint8_t>(uni(0, 255));
      const KeyPair key(seed);
      const PinHasher::Sealed sealed = st_.sealSeed(seed, opt_.pin, saltNonce);  // the same shop for the same seed
      act(registration(p.id, key, sealed.sealed, sealed.salt, at + 1, setupId), at + 1, "key");
      keys_.emplace(p.id, key);
      ++sum_.people;
    }
  }

  void enrol() {
    const Millis enrolled = opt_.now - opt_.days * kDay - kDay;
    Policy policy;
    policy.shop_name = "骏达丰田 (演示)";
    policy.utc_offset_minutes = opt_.utc_offset_minutes;
    act(SetPolicy{policy, enrolled}, enrolled, "policy");
    std::string bays = "id,name,trade\n";
    for (int b = 1; b <= 20; ++b) {
      Trade t = b <= 10 ? Trade::Mechanical : b <= 14 ? Trade::Body : b <= 18 ? Trade::Paint : Trade::Detailing;
      const char* zh = b <= 10 ? "机电" : b <= 14 ? "钣金" : b <= 18 ? "喷漆" : "美容";
      char id[16], nm[32];
      std::snprintf(id, sizeof id, "b%02d", b);
      std::snprintf(nm, sizeof nm, "%s %02d", zh, b);
      bays += std::string(id) + "," + nm + "," + zh + "\n";
      bays_[t].push_back(id);
    }
    std::vector<setup::LineError> errors;
    for (const Bay& b : setup::planBays(bays, st_.shop(), errors).define) {
      act(DefineBay{b}, enrolled, "bay");
      ++sum_.bays;
    }
    if (!errors.empty()) throw std::logic_error("demo: bays CSV: " + setup::describe(errors));
    staff_csv_ = "id,badge,name,roles,trade,home_bay,active\n";
    int i = 0;
    const int c = std::max(1, opt_.crews);
    for (int k = 0; k < 14 * c; ++k) s_.mech.push_back(person(++i, {Role::Technician}, Trade::Mechanical));
    for (int k = 0; k < 5 * c; ++k) s_.body.push_back(person(++i, {Role::Technician}, Trade::Body));
    for (int k = 0; k < 5 * c; ++k) s_.paint.push_back(person(++i, {Role::Technician}, Trade::Paint));
    for (int k = 0; k < 2 * c; ++k) s_.detail.push_back(person(++i, {Role::Technician}, Trade::Detailing));
    const Trade ft[4] = {Trade::Mechanical, Trade::Mechanical, Trade::Body, Trade::Paint};
    for (int k = 0; k < 4; ++k) s_.foremen.push_back(person(++i, {Role::Foreman}, ft[k]));
    s_.supervisor = person(++i, {Role::Supervisor, Role::Foreman}, Trade::Mechanical);
    s_.director = person(++i, {Role::TechDirector}, Trade::Mechanical);
    for (int k = 0; k < 2 * c; ++k) s_.inspectors.push_back(person(++i, {Role::QualityInspector}, Trade::None));
    for (int k = 0; k < 4 * c; ++k) s_.advisors.push_back(person(++i, {Role::ServiceAdvisor}, Trade::None));
    s_.manager = person(++i, {Role::ServiceManager}, Trade::None);
    s_.warranty = person(++i, {Role::WarrantyClerk}, Trade::None);
    goLive(enrolled);
  }

  const std::vector<Id>& techs(Trade t) {
    return t == Trade::Body ? s_.body : t == Trade::Paint ? s_.paint : t == Trade::Detailing ? s_.detail : s_.mech;
  }
  // The technician of a trade who is free first (R1: one operation at a time).
  Id freeTech(Trade t) {
    const auto& v = techs(t);
    Id best = v[0];
    for (auto& id : v) if (free_[id] < free_[best] || (free_[id] == free_[best] && chance(0.3))) best = id;
    return best;
  }
  // Each technician has a home bay of their trade, shared round-robin.
  Id bayOf(const Id& tech, Trade t) {
    auto& b = bays_[t == Trade::None ? Trade::Mechanical : t];
    auto [it, fresh] = home_.emplace(tech, Id{});
    if (fresh) it->second = b[next_bay_[t]++ % b.size()];
    return it->second;
  }
  Id foremanFor(Trade t) {
    if (t == Trade::Body) return s_.foremen[2];
    if (t == Trade::Paint) return s_.foremen[3];
    return s_.foremen[static_cast<std::size_t>(uni(0, 1))];
  }
  // Every item judged (issue 12): measured ones by their value, now and
  // then one not applicable with its reason; a failing one when `fail`.
  std::vector<ChecklistItem> items(InspectionKind k, Trade t, bool fail, const std::string& op_code) {
    auto v = cat_.blankItems(k, t, op_code);
    bool failed = false;
    for (auto& it : v) {
      if (it.min && it.max) {
        const double span = *it.max - *it.min;
        it.value = std::round((*it.min + span * (0.2 + 0.6 * uni(0, 100) / 100.0)) * 10) / 10;
        if (fail && !failed) { it.value = *it.max + span * 0.3; failed = true; }
        it.verdict = measuredVerdict(it);
      } else if (!it.unit.empty() || chance(0.03)) {
        it.verdict = Verdict::NotApplicable;
        it.na_reason = pick(cat_.phrases("na_reasons")).code;
      } else {
        it.verdict = Verdict::Pass;
      }
    }
    if (fail && !failed) {
      for (auto it = v.rbegin(); it != v.rend(); ++it)
        if (it->unit.empty()) { it->verdict = Verdict::Fail; it->na_reason.clear(); break; }
    }
    return v;
  }
  // A customer's finger signature: a few strokes of a hand-written curve.
  std::vector<Stroke> fingerSignature() {
    std::vector<Stroke> out;
    const int strokes = uni(2, 4);
    for (int k = 0; k < strokes; ++k) {
      Stroke st;
      const int x0 = 100 + k * 250, y0 = uni(350, 650), n = uni(12, 30);
      for (int i = 0; i < n; ++i)
        st.push_back({std::clamp(x0 + i * 8, 0, kPadScale),
                      std::clamp(y0 + static_cast<int>(150 * std::sin(i * 0.45 + k)), 0, kPadScale)});
      out.push_back(std::move(st));
    }
    return out;
  }
  std::string defectFor(Trade t) { return pick(cat_.defects(t)).code; }

  // Clock a technician on an operation for `minutes` of work from `from`,
  // sometimes pausing for parts. Returns when the work ended, or -1 if it
  // has not ended by `now` (still running).
  Millis work(const Id& op, const Id& tech, Trade trade, Millis from, int minutes) {
    Millis t = std::max(from, free_[tech]);
    const Id bay = bayOf(tech, trade);
    if (!live(t)) { free_[tech] = t; return -1; }
    act(ClockOn{idOf("te-", ++entry_, t), tech, op, bay, t}, t, "clock on");
    Millis end = t + Millis{minutes} * kMin * uni(80, 125) / 100;
    if (minutes >= 90 && chance(0.12)) {  // waiting for parts part-way
      const Millis pause = t + (end - t) / 2;
      const Millis back = pause + uni(30, 150) * kMin;
      if (!live(pause)) { free_[tech] = end; return -1; }
      act(ClockOff{tech, op, StopReason::WaitingParts, pause}, pause, "pause");
      if (!live(back)) { free_[tech] = back; return -1; }
      act(ClockOn{idOf("te-", ++entry_, back), tech, op, bay, back}, back, "resume");
      end += back - pause;
    }
    free_[tech] = end;
    return live(end) ? end : -1;
  }

  Id inspect(InspectionKind kind, const Id& wo, std::optional<Id> op, std::optional<Id> down, const Id& who,
             Trade trade, bool pass, Millis t, std::optional<Id> defect_op = {}, std::optional<Verdict> road = {}) {
    Inspection in;
    in.id = idOf("in-", ++insp_, t);
    in.kind = kind;
    in.wo = wo;
    in.op = op;
    in.downstream = down;
    in.inspector = who;
    const Operation* target = op ? st_.shop().operation(*op) : nullptr;
    in.items = items(kind, trade, !pass, target ? target->title : std::string());
    in.catalog = cat_.version();
    in.result = pass ? Verdict::Pass : Verdict::Fail;
    if (!pass) in.defect = defectFor(trade);
    in.defect_op = defect_op;
    in.road_test = road;
    if (road) {
      const int start = uni(8000, 120000);
      const std::string found = *road == Verdict::Pass ? "road.no_findings" : "road.noise";
      in.road = RoadTest{who, start, start + uni(3, 12), uni(10, 25), {found}};
    }
    signed_(RecordInspection{in, {}}, who, t, "inspection");
    return in.id;
  }

  // Finish an operation: self-inspection (R5), then the foreman (R6); a
  // failed peer inspection sends it back as rework (R7). Returns when it was
  // done, or -1 if that is still ahead of `now`.
  Millis finish(const Operation& op, Millis end) {
    if (end < 0) return -1;
    inspect(InspectionKind::Self, op.wo, op.id, {}, op.main_tech, op.trade, true, end);
    for (int round = 0;; ++round) {
      const Millis t = end + uni(10, 60) * kMin;
      if (!live(t)) return -1;
      const bool pass = round > 0 || !chance(0.1);
      inspect(InspectionKind::Peer, op.wo, op.id, {}, foremanFor(op.trade), op.trade, pass, t);
      if (pass) return t;
      ++sum_.reworks;
      end = work(op.id, op.main_tech, op.trade, t + 5 * kMin, uni(20, 60));
      if (end < 0) return -1;
      inspect(InspectionKind::Self, op.wo, op.id, {}, op.main_tech, op.trade, true, end);
    }
  }

  std::vector<std::string> partsFor(Trade t) {
    std::vector<std::string> fits;
    for (auto& p : cat_.phrases("parts")) if (p.trade == t) fits.push_back(p.code);
    if (fits.empty()) return {};
    return {pick(fits)};
  }

  // R12: proposed by the main technician, then warranty (when claimed),
  // quote, technical director, service manager, customer.
  std::optional<Millis> addOn(const Id& wo, const Operation& on, Category cat, Millis t) {
    std::vector<Phrase> fits;
    for (auto& p : cat_.phrases("addon_reasons")) if (p.trade == on.trade) fits.push_back(p);
    if (fits.empty()) return std::nullopt;
    std::vector<Phrase> safety;
    for (auto& p : fits) if (p.safety) safety.push_back(p);
    const bool today = t > opt_.now - 10 * kHour;
    const Phrase& reason = today && !safety.empty() && chance(0.6) ? pick(safety) : pick(fits);
    const Id id = idOf("ad-", ++addon_, t);
    const Id opId = opt_.kiosk_ids ? idOf("op-", addon_, t) : Id(on.wo + "-a" + std::to_string(addon_));
    const bool claimed = cat == Category::Warranty ? chance(0.7) : chance(0.1);
    if (!live(t)) return std::nullopt;
    act(ProposeAddOn{id, opId, wo, on.id, on.main_tech, on.trade, reason.code, reason.minutes,
                     partsFor(on.trade), reason.safety, claimed, t}, t, "propose add-on");
    ++sum_.addons;
    auto step = [&](Action a, const Id& who, const char* what) {
      t += uni(10, 40) * kMin;
      if (!live(t)) return false;
      signed_(std::move(a), who, t, what);
      return true;
    };
    bool covered = false;
    if (claimed) {
      covered = chance(0.6);
      if (!step(DecideWarranty{id, covered, covered ? "" : pick(cat_.phrases("not_covered_reasons")).code, {}},
                s_.warranty, "warranty")) return std::nullopt;
    }
    const std::int64_t price = covered ? 0 : std::int64_t{reason.minutes} * 300 + uni(1, 20) * 5000;
    if (!step(QuoteAddOn{id, price, reason.minutes, {}}, pick(s_.advisors), "quote")) return std::nullopt;
    // issue 14: now and then the director sends the quote back, and the
    // advisor quotes again; now and then the manager refuses the add-on
    if (chance(0.1)) {
      if (!step(ReturnAddOn{id, false, "addon_return.price_wrong", {}}, s_.director, "send back")) return std::nullopt;
      if (!step(QuoteAddOn{id, price * 9 / 10, reason.minutes, {}}, pick(s_.advisors), "quote")) return std::nullopt;
    }
    if (!step(SignAddOnTechnical{id, {}}, s_.director, "technical")) return std::nullopt;
    if (!reason.safety && chance(0.05)) {
      if (!step(ReturnAddOn{id, true, "addon_return.not_needed", {}}, s_.manager, "refuse")) return std::nullopt;
      return t;  // refused: the work order goes on without it
    }
    if (!step(SignAddOnCost{id, {}}, s_.manager, "cost")) return std::nullopt;
    // today's safety items are often declined, so the shop at `now` has a
    // car whose customer signs the reminder (潜在问题提醒单) at delivery
    const bool granted = covered || chance(today && reason.safety ? 0.2 : 0.7);
    if (!granted) ++sum_.addons_declined;
    if (!step(RecordConsent{id, granted, granted ? ConsentChannel::Phone : ConsentChannel::InPerson,
                            !granted && reason.safety, {}},
              chance(0.8) ? pick(s_.advisors) : s_.manager, "consent")) return std::nullopt;
    if (!granted) return t;
    const Operation& added = st_.shop().operations.at(opId);
    const Millis done = finish(added, work(opId, added.main_tech, added.trade, t, added.std_minutes));
    if (done < 0) return std::nullopt;  // still being worked at `now`
    return done;
  }

  // The minimal shop's work orders (n = 1, 2): a general repair in a
  // mechanical bay, opened at `opened`, with one operation by `tech`.
  void minimalWorkOrder(int n, const char* plate, const char* customer, Millis opened, const std::string& op_code,
                        int minutes, const Id& tech) {
    WorkOrder w;
    w.id = "wo-0000" + std::to_string(n);
    w.number = "RO2000" + std::to_string(n);
    w.vehicle = {plate, "LVGBE40K8GG00000" + std::to_string(n), kModels[n - 1]};
    w.customer = customer;
    w.advisor = s_.advisors[0];
    w.category = Category::GeneralRepair;
    w.opened_at = opened;
    w.promised_at = opened + (3 + n) * kHour;
    w.bay = bays_[Trade::Mechanical][static_cast<std::size_t>(n - 1)];
    act(OpenWorkOrder{w, {OperationSpec{w.id + "-1", Trade::Mechanical, op_code, minutes, tech, false}}}, opened,
        "open work order");
    ++sum_.work_orders;
  }

  // Issue 14: a technician who clocked on this morning and never clocked
  // off: a ghost timer past the policy's limit, for the foreman to correct.
  // Someone free by then is picked, and given nothing after it.
  bool forgottenTimer(Millis t) {
    for (auto it = s_.mech.rbegin(); it != s_.mech.rend(); ++it) {
      const Id tech = *it;
      if (free_[tech] > t) continue;
      WorkOrder w;
      w.id = "wo-g0001";
      w.number = "RO30001";
      w.vehicle = {"粤A·G7788", "LVGBE40K8GG000077", kModels[2]};
      w.customer = "赵先生";
      w.advisor = s_.advisors[0];
      w.category = Category::GeneralRepair;
      w.opened_at = t - 15 * kMin;
      w.promised_at = t + 4 * kHour;
      w.bay = bayOf(tech, Trade::Mechanical);
      act(OpenWorkOrder{w, {OperationSpec{w.id + "-1", Trade::Mechanical, "mech.electrical", 120, tech, false}}}, w.opened_at,
          "open work order");
      act(ClockOn{"te-g1", tech, w.id + "-1", w.bay, t}, t, "clock on");
      free_[tech] = opt_.now + kDay;  // the timer runs on; nothing else is given to them
      ++sum_.work_orders;
      return true;
    }
    return false;
  }

  // Issue 14: the floor as a newcomer (and the screenshot tour) should find
  // it at `now`: a technician on a job with a second one waiting and an
  // unread message from the foreman, and another whose job is paused,
  // waiting for parts. Each is someone with nothing running by then.
  void floorScenes() {
    // whoever has been free longest, of any trade, with the jobs of that trade
    auto idlest = [&](const Id& other) -> std::pair<Id, Trade> {
      std::pair<Id, Trade> best{"", Trade::None};
      for (auto [list, trade] : {std::pair{&s_.mech, Trade::Mechanical}, {&s_.body, Trade::Body}, {&s_.paint, Trade::Paint}})
        for (const Id& tech : *list)
          if (tech != other && st_.shop().openEntriesOf(tech).empty() && (best.first.empty() || free_[tech] < free_[best.first]))
            best = {tech, trade};
      return best;
    };
    auto codesFor = [](Trade t, bool two) -> std::vector<const char*> {
      if (t == Trade::Body) return two ? std::vector<const char*>{"body.door", "body.bumper_front"} : std::vector<const char*>{"body.frame"};
      if (t == Trade::Paint) return two ? std::vector<const char*>{"paint.door", "paint.bumper"} : std::vector<const char*>{"paint.full_side"};
      return two ? std::vector<const char*>{"mech.brake_pads", "mech.aircon"} : std::vector<const char*>{"mech.shock_front"};
    };
    auto open = [&](const char* id, const char* number, const char* plate, const Id& tech, Trade trade,
                    const std::vector<const char*>& codes, const char* complaint, Millis opened) {
      WorkOrder w;
      w.id = id;
      w.number = number;
      w.vehicle = {plate, std::string("LVGBE40K8GG0") + (number + 2), kModels[3]};
      w.customer = "钱女士";
      w.advisor = s_.advisors[0];
      w.category = trade == Trade::Mechanical ? Category::GeneralRepair : Category::BodyPaint;
      w.opened_at = opened;
      w.promised_at = opened + 6 * kHour;
      w.bay = bayOf(tech, trade);
      w.complaint = complaint;
      // issue 15: the first is a car that has been here before (its history)
      w.odometer_km = 36'500;
      for (auto& [wid, earlier] : st_.shop().work_orders)
        if (std::string(id) == "wo-g0002" && earlier.delivered_at && earlier.id != comebackOf_)
          w.vehicle = earlier.vehicle, w.odometer_km = earlier.odometer_km + 350;
      // issue 15: back within the comeback window for something new: the
      // advisor says it is no comeback, and why
      if (const WorkOrder* c = comebackCandidate(st_.shop(), w.vehicle.vin, opened)) {
        w.not_comeback_of = c->id;
        w.not_comeback_reason = "not_comeback.unrelated";
      }
      w.warranty_until = opened + 400 * kDay;
      w.warranty_km = 100'000;
      std::vector<OperationSpec> ops;
      for (const char* code : codes) {
        const LaborOp* lo = cat_.laborOp(code);
        ops.push_back({w.id + "-" + std::to_string(ops.size() + 1), trade, code, lo->minutes, tech, false, instructionsFor(code)});
      }
      act(OpenWorkOrder{w, ops}, opened, "open work order");
      ++sum_.work_orders;
      free_[tech] = opt_.now + kDay;  // nothing else is given to them
      return w;
    };
    // on a job since a while ago, a second one waiting, and the foreman's message
    const auto [a, ta] = idlest("");
    if (a.empty()) return;
    const Millis onAt = std::clamp(free_[a], opt_.now - 40 * kMin, opt_.now - 5 * kMin);
    const WorkOrder two = open("wo-g0002", "RO30002", "粤B·H2468", a, ta, codesFor(ta, true), "刹车有异响，空调不凉", onAt - 10 * kMin);
    act(ClockOn{"te-g2", a, two.id + "-1", two.bay, onAt}, onAt, "clock on");
    const Millis said = (onAt + opt_.now) / 2;
    act(SendMessage{"msg-g1", s_.foremen[0], a, "message.parts_arrived", "te-g2", said}, said, "message");
    // an add-on found on it, quoted, at the technical director's step
    const Phrase* reason = nullptr;
    for (const Phrase& ph : cat_.phrases("addon_reasons")) if (!reason && ph.trade == ta && !ph.safety) reason = &ph;
    if (reason) {
      const std::vector<std::string> parts = partsFor(ta);
      act(ProposeAddOn{"ad-g1", "wo-g0002-a1", two.id, two.id + "-1", a, ta, reason->code, reason->minutes, parts, false, false,
                       onAt + 2 * kMin}, onAt + 2 * kMin, "propose add-on");
      signed_(QuoteAddOn{"ad-g1", labourQuoteCents(st_.shop().policy, reason->minutes) + cat_.partsCents(parts), reason->minutes, {}},
              s_.advisors[0], onAt + 4 * kMin, "quote");
      ++sum_.addons;
    }
    // paused half-way, waiting for parts
    const auto [b, tb] = idlest(a);
    if (b.empty()) return;
    const Millis from = std::clamp(free_[b], opt_.now - 150 * kMin, opt_.now - 20 * kMin);
    const WorkOrder paused = open("wo-g0003", "RO30003", "粤B·K1357", b, tb, codesFor(tb, false), "过减速带时前面咚咚响", from - 10 * kMin);
    act(ClockOn{"te-g3", b, paused.id + "-1", paused.bay, from}, from, "clock on");
    const Millis pause = (from + opt_.now) / 2;
    // found before the pause and claimed under warranty: at the warranty clerk's step
    const Phrase* claim = nullptr;
    for (const Phrase& ph : cat_.phrases("addon_reasons")) if (!claim && ph.trade == tb) claim = &ph;
    if (claim) {
      act(ProposeAddOn{"ad-g2", "wo-g0003-a1", paused.id, paused.id + "-1", b, tb, claim->code, claim->minutes, partsFor(tb),
                       claim->safety, true, pause - kMin}, pause - kMin, "propose add-on");
      ++sum_.addons;
    }
    act(ClockOff{b, paused.id + "-1", StopReason::WaitingParts, pause}, pause, "pause");
  }

  // Issue 15: two cars back within the comeback window (返修), opened by
  // the advisor from the car's history: one this morning whose cause the
  // foreman has yet to find (at the top of the floor), and one from a few
  // days ago that a quality inspector found was the shop's workmanship
  // (charged by R8), worked on since, apart from other hours.
  void comebacks() {
    std::vector<const WorkOrder*> recent;  // delivered within the window, newest first
    const auto& shop = st_.shop();
    const Millis window = Millis{shop.policy.comeback_days} * kDay;
    for (auto it = shop.delivered_by_time.rbegin(); it != shop.delivered_by_time.rend(); ++it) {
      if (opt_.now - it->first > window - 2 * kDay) break;
      const WorkOrder& w = shop.work_orders.at(it->second);
      if (opt_.now - it->first >= 3 * kHour && !shop.opsOf(w.id).empty()) recent.push_back(&w);
    }
    auto older = std::find_if(recent.begin(), recent.end(), [&](const WorkOrder* w) { return opt_.now - *w->delivered_at >= 4 * kDay; });
    if (recent.size() < 2 || older == recent.end() || *older == recent.front()) return;
    auto open = [&](const WorkOrder& orig, const char* id, const char* number, const char* concern, Millis opened) {
      const Operation& op = *shop.opsOf(orig.id).front();
      WorkOrder w;
      w.id = id;
      w.number = number;
      w.vehicle = orig.vehicle;
      w.customer = orig.customer;
      w.advisor = orig.advisor;
      w.category = orig.category;
      w.opened_at = opened;
      w.promised_at = opened + 4 * kHour;
      w.bay = orig.bay;
      w.comeback_of = orig.id;
      w.concern = concern;
      act(OpenWorkOrder{w, {OperationSpec{w.id + "-1", op.trade, op.title, op.std_minutes, op.main_tech, false, {}}}}, opened,
          "open a comeback");
      ++sum_.work_orders;
      return &op;
    };
    // found: workmanship, by a quality inspector who did none of the work
    const Millis back = *(*older)->delivered_at + 2 * kDay;
    const Operation* redo = open(**older, "wo-g0005", "RO30005", "concern.same_noise", back);
    Id inspector;
    for (const Id& q : s_.inspectors)
      if (!shop.workedOn(q, redo->id)) inspector = q;
    if (!inspector.empty()) {
      Inspection in;
      in.id = "in-g5";
      in.kind = InspectionKind::Comeback;
      in.wo = "wo-g0005";
      in.op = redo->id;
      in.inspector = inspector;
      in.items = cat_.blankItems(InspectionKind::Comeback, Trade::None);
      for (auto& it : in.items) it.verdict = Verdict::Pass;
      in.catalog = cat_.version();
      in.cause = ComebackCause::Workmanship;
      in.result = Verdict::Fail;
      in.defect = cat_.defects(redo->trade).front().code;
      signed_(RecordInspection{in, {}}, inspector, back + kHour, "comeback cause");
    }
    // this morning's, its cause still to find
    comebackOf_ = recent.front()->id;
    open(*recent.front(), "wo-g0004", "RO30004", "concern.same_warning", opt_.now - 90 * kMin);
  }

  // Issue 14: a bay that was off the network clocked a technician on a job
  // the floor had meanwhile finished; the store keeps the event, with no
  // effect, for the foreman to decide (R16), as the hub does with a push.
  void offlineConflict() {
    const Operation* done = nullptr;
    for (auto& [id, op] : st_.shop().operations) {
      const WorkOrder& w = st_.shop().work_orders.at(op.wo);
      if (op.phase == Phase::Done && !w.delivered_at && !op.addon) done = &op;
    }
    if (!done) return;
    const Millis at = opt_.now;
    const Action a = ClockOn{"te-offline-1", done->main_tech, done->id, bayOf(done->main_tech, done->trade), at - 20 * kMin};
    StoredEvent e;
    e.id = UuidV7().next(at, {7, 7, 7, 7, 7, 7, 7, 7});
    e.origin = "kiosk-offline";
    e.origin_seq = 1;
    e.wall_ms = at;
    e.hlc = (at << 16) + 0xFF;  // after everything the demo recorded
    e.type = "clock_on";
    e.body = canonical(toJson(a));
    const Remote r = st_.ingestRemote(e, at);
    if (r.status != Remote::Status::Applied || !r.ingested.review) throw std::logic_error("demo: the offline clock-on was not kept for review");
  }

  void workOrderOpenOnly(Millis opened) { minimalWorkOrder(1, "粤B·A1234", "王先生", opened, "mech.brake_pads", 90, s_.mech[0]); }

  // Issue 12: a car whose work is done and inspected, with a safety add-on
  // the customer declined: at delivery they sign for it with a finger.
  void readyToHandOver(Millis opened) {
    const Id tech = s_.mech[1];
    minimalWorkOrder(2, "粤B·C5678", "李女士", opened, "maint.regular", 60, tech);
    const WorkOrder w = st_.shop().work_orders.at("wo-00002");
    Millis t = opened + 10 * kMin;
    act(ClockOn{"te-r1", tech, "wo-00002-1", bayOf(tech, Trade::Mechanical), t}, t, "clock on");
    const Phrase* safety = nullptr;
    for (auto& p : cat_.phrases("addon_reasons")) if (p.safety && p.trade == Trade::Mechanical && !safety) safety = &p;
    if (!safety) throw std::logic_error("demo: the catalog has no mechanical safety add-on");
    act(ProposeAddOn{"ad-r1", "wo-00002-a1", w.id, "wo-00002-1", tech, Trade::Mechanical, safety->code, safety->minutes, {},
                     true, false, t + 20 * kMin},
        t + 20 * kMin, "propose add-on");
    signed_(QuoteAddOn{"ad-r1", std::int64_t{safety->minutes} * 300 + 20000, safety->minutes, {}}, w.advisor, t + 30 * kMin, "quote");
    signed_(SignAddOnTechnical{"ad-r1", {}}, s_.director, t + 35 * kMin, "technical");
    signed_(SignAddOnCost{"ad-r1", {}}, s_.manager, t + 40 * kMin, "cost");
    signed_(RecordConsent{"ad-r1", false, ConsentChannel::InPerson, true, {}}, w.advisor, t + 50 * kMin, "consent");
    inspect(InspectionKind::Self, w.id, "wo-00002-1", {}, tech, Trade::Mechanical, true, t + 70 * kMin);
    inspect(InspectionKind::Peer, w.id, "wo-00002-1", {}, s_.foremen[0], Trade::Mechanical, true, t + 90 * kMin);
    inspect(InspectionKind::Final, w.id, std::nullopt, std::nullopt, s_.inspectors[0], Trade::Mechanical, true, t + 120 * kMin);
    ++sum_.addons;
    ++sum_.addons_declined;
  }

  // What a customer tells the advisor, for the job the desk then writes up.
  static std::string complaintFor(const std::string& code) {
    static const std::map<std::string, std::string> said{
        {"maint.regular", "到保养里程了，做常规保养"}, {"maint.major", "做大保养，顺便检查底盘"},
        {"mech.brake_pads", "刹车时有吱吱的异响，踩刹车发软"}, {"mech.shock_front", "过减速带时前面咚咚响"},
        {"mech.aircon", "空调不凉，出风有异味"}, {"mech.spark_plugs", "冷车启动抖动，加速无力"},
        {"mech.timing_belt", "发动机有哒哒声，到了换正时皮带的里程"}, {"mech.electrical", "仪表盘故障灯亮，车窗有时升不上去"},
        {"mech.engine_ovh", "发动机烧机油，排气冒蓝烟"}, {"mech.gearbox_ovh", "换挡顿挫，二挡升三挡打滑"},
        {"body.bumper_front", "倒车撞了前保险杠，有裂口"}, {"body.door", "左前门被刮，门有凹陷"},
        {"body.frame", "侧面碰撞，车门关不严"}, {"mech.water_pump", "水温偏高，车底有冷却液滴漏"}};
    auto it = said.find(code);
    return it == said.end() ? std::string() : it->second;
  }

  // The desk's instructions (施工要求) for some jobs.
  static std::string instructionsFor(const std::string& code) {
    static const std::map<std::string, std::string> said{
        {"mech.brake_pads", "用原厂刹车片，更换后路试确认无异响"}, {"paint.bumper", "与原车对色，交车前在日光下检查色差"},
        {"paint.door", "与原车对色，门把手拆下后喷涂"}, {"paint.full_side", "整侧喷涂，注意与车顶过渡"},
        {"body.frame", "上大梁校正仪，校正后出测量报告"}, {"mech.timing_belt", "正时皮带、张紧轮、水泵一起更换"}};
    auto it = said.find(code);
    return it == said.end() ? std::string() : it->second;
  }

  void workOrder(int n, Millis opened) {
    // Categories by how often a 4S shop sees them.
    const int r = uni(0, 99);
    const Category cat = r < 40 ? Category::Maintenance : r < 65 ? Category::GeneralRepair
                       : r < 75 ? Category::MajorOverhaul : r < 92 ? Category::BodyPaint : Category::Warranty;
    std::vector<std::string> codes;
    switch (cat) {
      case Category::Maintenance: codes = {chance(0.7) ? "maint.regular" : "maint.major"}; if (chance(0.2)) codes.push_back("wash.prep"); break;
      case Category::GeneralRepair: {
        const char* rep[] = {"mech.brake_pads", "mech.shock_front", "mech.aircon", "mech.spark_plugs", "mech.timing_belt", "mech.electrical"};
        codes = {rep[uni(0, 5)]};
        if (chance(0.3)) codes.push_back(rep[uni(0, 5)]);
        break;
      }
      case Category::MajorOverhaul: codes = {chance(0.6) ? "mech.engine_ovh" : "mech.gearbox_ovh"}; break;
      case Category::BodyPaint: {
        const int k = uni(0, 2);
        const char* b[] = {"body.bumper_front", "body.door", "body.frame"};
        const char* p[] = {"paint.bumper", "paint.door", "paint.full_side"};
        codes = {b[k], p[k], "wash.prep"};
        break;
      }
      case Category::Warranty: codes = {"mech.water_pump"}; break;
    }
    if (codes.size() == 2 && codes[0] == codes[1]) codes.pop_back();

    char id[16], number[24], plate[16], vin[18];
    std::snprintf(id, sizeof id, "wo-%05d", n);  // (or, as the desk's kiosk makes it: below)
    std::snprintf(number, sizeof number, "RO%05d", 20000 + n);
    std::snprintf(plate, sizeof plate, "%s·%c%04d", kPlatePrefix[uni(0, 3)], 'A' + uni(0, 25), uni(0, 9999));
    static constexpr char vc[] = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
    for (int i = 0; i < 17; ++i) vin[i] = vc[uni(0, 32)];
    vin[17] = 0;

    OpenWorkOrder o;
    WorkOrder& w = o.wo;
    w.id = opt_.kiosk_ids ? idOf("wo-", n, opened) : Id(id);
    w.number = number;
    w.vehicle = {plate, vin, kModels[uni(0, 7)]};
    w.customer = std::string(kSurnames[uni(0, 9)]) + (chance(0.6) ? "先生" : "女士");
    w.advisor = pick(s_.advisors);
    w.category = cat;
    w.road_test_required = cat == Category::MajorOverhaul || (cat == Category::GeneralRepair && chance(0.5));
    w.opened_at = opened;
    // issue 14: what the customer said at the desk, the odometer, and the
    // factory warranty (3 years or 100,000 km from a sale up to 5 years back)
    w.complaint = complaintFor(codes.front());
    const int ageDays = uni(60, 5 * 365);
    w.odometer_km = ageDays * uni(25, 70);
    w.warranty_until = opened - Millis{ageDays} * kDay + 3 * 365 * kDay;
    w.warranty_km = 100'000;
    int total = 0;
    Trade prev = Trade::None;
    Id prevTech;
    for (std::size_t i = 0; i < codes.size(); ++i) {
      const LaborOp* lo = cat_.laborOp(codes[i]);
      OperationSpec sp{w.id + "-" + std::to_string(i + 1), lo->trade, lo->code, lo->minutes, freeTech(lo->trade), false};
      sp.handover = i > 0 && (lo->trade != prev || sp.main_tech != prevTech);  // R8
      sp.instructions = instructionsFor(lo->code);
      prev = lo->trade;
      prevTech = sp.main_tech;
      total += lo->minutes;
      o.ops.push_back(sp);
    }
    w.promised_at = opened + Millis{total} * kMin * 2 + 2 * kHour;
    w.bay = bayOf(o.ops[0].main_tech, o.ops[0].trade);
    act(o, opened, "open work order");
    ++sum_.work_orders;
    const Id woId = w.id;

    Millis t = opened + uni(10, 40) * kMin;
    std::vector<Id> ops = st_.shop().ops_of_wo.at(woId);
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const Operation op = st_.shop().operations.at(ops[i]);
      if (op.addon) continue;
      if (op.upstream) {  // R8: accept the upstream work first
        t = std::max(t, free_[op.main_tech]);
        const Operation& up = st_.shop().operations.at(*op.upstream);
        for (int round = 0;; ++round) {
          if (!live(t)) return;
          const bool pass = round > 0 || !chance(0.06);
          inspect(InspectionKind::Handover, woId, up.id, op.id, op.main_tech, up.trade, pass, t);
          if (pass) break;
          ++sum_.reworks;  // found at handover: back upstream (R8)
          Millis e = finish(up, work(up.id, up.main_tech, up.trade, t + 10 * kMin, uni(30, 90)));
          if (e < 0) return;
          t = e + 10 * kMin;
        }
      }
      const Millis end = work(op.id, op.main_tech, op.trade, t, op.std_minutes);
      const Millis ok = finish(st_.shop().operations.at(op.id), end);
      if (ok < 0) return;
      t = ok;
      if (op.trade != Trade::Detailing && chance(end > opt_.now - 10 * kHour ? 0.4 : 0.15)) {  // found during the work (R12)
        auto done = addOn(woId, op, cat, end - 20 * kMin);
        if (!done) return;
        t = std::max(t, *done);
      }
      t += uni(5, 30) * kMin;
    }
    if (st_.shop().work_orders.at(woId).delivered_at) return;

    const WorkOrder& cur = st_.shop().work_orders.at(woId);
    if (finalRequired(st_.shop(), cur)) {
      for (int round = 0;; ++round) {
        t += uni(15, 60) * kMin;
        if (!live(t)) return;
        const bool pass = round > 0 || !chance(0.08);
        auto opsNow = st_.shop().opsOf(woId);
        std::vector<const Operation*> doneOps;
        for (auto* op : opsNow) if (op->phase == Phase::Done) doneOps.push_back(op);
        const Operation* bad = doneOps[static_cast<std::size_t>(uni(0, int(doneOps.size()) - 1))];
        const auto road = cur.road_test_required ? std::optional<Verdict>(Verdict::Pass) : std::nullopt;
        const Id finalId = inspect(InspectionKind::Final, woId, std::nullopt, std::nullopt, pick(s_.inspectors), bad->trade, pass, t,
                                   pass ? std::nullopt : std::optional<Id>(bad->id), road);
        if (pass) break;
        ++sum_.reworks;
        const Operation badOp = *bad;
        // R8: a defect found after handover is charged to whoever accepted it;
        // sometimes they dispute it and the service manager decides.
        const Id incident = "inc-" + finalId;
        const Incident& inc = st_.shop().incidents.at(incident);
        if (inc.charged_to != badOp.main_tech && chance(0.6)) {
          const Millis td = t + 30 * kMin;
          if (!live(td)) return;
          act(DisputeCharge{incident, inc.charged_to, pick(cat_.phrases("dispute_reasons")).code, td}, td, "dispute");
          ++sum_.disputes;
          const Millis tm = td + uni(60, 300) * kMin;
          if (!live(tm)) return;
          signed_(DecideDispute{incident, chance(0.5) ? badOp.main_tech : inc.charged_to, {}}, s_.manager, tm, "ruling");
        }
        Millis e = finish(st_.shop().operations.at(badOp.id), work(badOp.id, badOp.main_tech, badOp.trade, t + 15 * kMin, uni(30, 90)));
        if (e < 0) return;
        t = e;
      }
    }
    t += uni(20, 120) * kMin;
    if (!live(t)) return;
    DeliverWorkOrder d{woId, cur.advisor, t, {}, std::nullopt, std::nullopt};
    const OldParts parts[] = {OldParts::Returned, OldParts::Scrapped, OldParts::WarrantyReturn};
    d.old_parts = cur.category == Category::Warranty ? OldParts::WarrantyReturn : parts[uni(0, 1)];
    if (auto declined = declinedSafety(st_.shop(), woId); !declined.empty()) {  // 潜在问题提醒单
      CustomerAck ack{declined, fingerSignature(), {}};
      ack.hash = strokesHash(ack.strokes);
      d.ack = ack;
    }
    signed_(d, cur.advisor, t, "deliver");
  }

  Store& st_;
  const Catalog& cat_;
  Options opt_;
  std::mt19937 rng_;
  std::mt19937_64 idRng_{opt_.seed};
  UuidV7 uuid_;
  Staff s_;
  Summary sum_;
  std::map<Trade, std::vector<Id>> bays_;
  std::map<Id, KeyPair> keys_;
  std::string staff_csv_;  // the staff as a shop's CSV, until goLive
  std::map<Id, Millis> free_;
  Id comebackOf_;  // issue 15: the car whose comeback is still to be found
  std::map<Id, Id> home_;
  std::map<Trade, std::size_t> next_bay_;
  int entry_ = 0, insp_ = 0, addon_ = 0;
};

}  // namespace

Summary generate(Store& store, const Catalog& catalog, const Options& opt) {
  if (!store.shop().work_orders.empty()) throw std::logic_error("demo: the store is not empty");
  return Sim(store, catalog, opt).run();
}

}  // namespace bk::demo
