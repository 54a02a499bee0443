// Issue 13: going live. The staff and bays CSV and the policy file, each
// fault with its line and column and nothing changed; setup codes for a
// person's own first PIN; leavers retired with their history kept; the
// policy as a signed event every store follows.
#include "domain/setup.hpp"
#include "tests/support.hpp"

#include <doctest/doctest.h>

using namespace bkt;
namespace su = bk::setup;

namespace {

Shop shopWithBays() {
  Shop s;
  for (const char* id : {"b01", "b02", "b03", "b04"}) s.bays[id] = Bay{id, std::string("工位 ") + id, Trade::Mechanical};
  return s;
}

bool hasError(const std::vector<su::LineError>& errors, int line, const std::string& column, const std::string& part) {
  for (const auto& e : errors)
    if (e.line == line && e.column == column && e.what.find(part) != std::string::npos) return true;
  return false;
}

const char* kStaff =
    "\xEF\xBB\xBF"
    "badge,name,roles,trade,home_bay,active\r\n"
    "100001,王建国,技师,机电,b01,yes\r\n"
    "100002,李志强,technician,mechanical,b02,\r\n"
    "100003,\"张伟, 组长\",technician;foreman,body,b03,是\r\n"
    "100004,刘洋,quality_inspector,,,yes\r\n"
    "\r\n"
    "100005,陈磊,service_manager,,,yes\r\n";

}  // namespace

TEST_CASE("CSV as a spreadsheet saves it: a byte-order mark, CRLF, quoted commas, quotes and line breaks") {
  std::vector<su::LineError> errors;
  const auto rows = su::parseCsv("\xEF\xBB\xBF" "a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",z\n\n,\nlast,row", errors);
  REQUIRE(errors.empty());
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].cells == std::vector<std::string>{"a", "b"});
  CHECK(rows[1].cells == std::vector<std::string>{"x, y", "say \"hi\""});
  CHECK(rows[2].cells == std::vector<std::string>{"two\nlines", "z"});
  CHECK(rows[3].line == 7);  // blank lines skipped, lines still counted
  CHECK(su::csvField("a,\"b\"") == "\"a,\"\"b\"\"\"");
  su::parseCsv("a,b\n\"never closed,c\n", errors);
  CHECK(hasError(errors, 2, "", "never closed"));
  errors.clear();
  su::parseCsv("a,b\n\xC3\x28,x\n", errors);  // invalid UTF-8 (a GBK file, say)
  CHECK(hasError(errors, 0, "", "UTF-8"));
}

TEST_CASE("The staff CSV: new people, then the same file again changes nothing, then a change, a leaver and a badge passed on") {
  Shop s = shopWithBays();
  std::vector<su::LineError> errors;
  su::StaffPlan plan = su::planStaff(kStaff, s, errors);
  REQUIRE(errors.empty());
  REQUIRE(plan.enrol.size() == 5);
  CHECK(plan.added.size() == 5);
  const Person& zhang = plan.enrol[2];
  CHECK(zhang.name == "张伟, 组长");
  CHECK(zhang.roles == std::vector<Role>{Role::Technician, Role::Foreman});
  CHECK(zhang.trade == Trade::Body);
  CHECK(zhang.home_bay == "b03");
  CHECK(zhang.id == "p-100003");
  CHECK(plan.enrol[0].trade == Trade::Mechanical);  // 机电
  for (const Person& p : plan.enrol) {
    REQUIRE(check(s, EnrollPerson{p}));
    apply(s, EnrollPerson{p});
  }
  // idempotent
  plan = su::planStaff(kStaff, s, errors);
  REQUIRE(errors.empty());
  CHECK(plan.enrol.empty());
  CHECK(plan.unchanged == 5);
  // the export is the same file, with ids; importing it changes nothing
  const std::string exported = su::writeStaff(s);
  CHECK(exported.find("p-100003,100003,\"张伟, 组长\",technician;foreman,body,b03,yes") != std::string::npos);
  plan = su::planStaff(exported, s, errors);
  REQUIRE(errors.empty());
  CHECK(plan.enrol.empty());
  // 王建国 leaves; his badge goes to a new technician; 刘洋 becomes a foreman too
  const std::string next =
      "badge,name,roles,trade,home_bay,active\n"
      "100001,王建国,技师,机电,b01,no\n"
      "100002,李志强,technician,mechanical,b02,\n"
      "100003,\"张伟, 组长\",technician;foreman,body,b03,是\n"
      "100004,刘洋,quality_inspector;foreman,,,yes\n"
      "100005,陈磊,service_manager,,,yes\n"
      "100001,赵勇,technician,mechanical,b01,yes\n";
  plan = su::planStaff(next, s, errors);
  REQUIRE(errors.empty());
  CHECK(plan.added == std::vector<Id>{"p-100001-2"});
  CHECK(plan.retired == std::vector<Id>{"p-100001"});
  CHECK(plan.enrol.size() == 3);
  // leavers first, as the hub applies them, so the badge is free
  std::stable_partition(plan.enrol.begin(), plan.enrol.end(), [](const Person& p) { return !p.active; });
  for (const Person& p : plan.enrol) {
    REQUIRE(check(s, EnrollPerson{p}));
    apply(s, EnrollPerson{p});
  }
  CHECK_FALSE(s.people.at("p-100001").active);
  CHECK(s.people.at("p-100001-2").badge == "100001");
  CHECK(s.people.at("p-100004").has(Role::Foreman));
}

TEST_CASE("A bad staff file names every faulty line and column, and plans nothing") {
  Shop s = shopWithBays();
  std::vector<su::LineError> errors;
  const std::string bad =
      "badge,name,roles,trade,home_bay,active\n"
      "100001,王建国,boss,机电,b01,yes\n"        // line 2: unknown role
      "100002,,technician,mechanical,b02,\n"     // line 3: no name
      "100003,张伟,technician,,b03,yes\n"        // line 4: a technician without a trade
      "100001,刘洋,foreman,mechanical,b09,yes\n"  // line 5: badge again, unknown bay
      "100006,陈磊,technician,mechanical,b01,maybe\n";  // line 6: active?
  const su::StaffPlan plan = su::planStaff(bad, s, errors);
  CHECK(plan.enrol.empty());
  CHECK(hasError(errors, 2, "roles", "unknown role 'boss'"));
  CHECK(hasError(errors, 3, "name", "missing"));
  CHECK(hasError(errors, 4, "trade", "needs a trade"));
  CHECK(hasError(errors, 5, "home_bay", "b09"));
  CHECK(hasError(errors, 5, "badge", "also on line 2"));
  CHECK(hasError(errors, 6, "active", "maybe"));
  CHECK(su::describe(errors).find("line 2, roles: unknown role 'boss'") != std::string::npos);
  // columns: unknown, missing
  errors.clear();
  (void)su::planStaff("badge,name,role,trade,home_bay\n1,a,technician,body,\n", s, errors);
  CHECK(hasError(errors, 1, "role", "unknown column"));
  CHECK(hasError(errors, 1, "roles", "missing column"));
  CHECK(hasError(errors, 1, "active", "missing column"));
  // a badge an active person keeps, given to someone new: retire them first
  Person keeper{"p-7", "吴军", {Role::Technician}, Trade::Mechanical, "100007", {}};
  s.people[keeper.id] = keeper;
  errors.clear();
  (void)su::planStaff("badge,name,roles,trade,home_bay,active\n100007,新人,technician,body,,yes\n", s, errors);
  CHECK(hasError(errors, 2, "badge", "belongs to 吴军 (p-7): retire them first"));
}

TEST_CASE("The bays CSV: defined, the same again unchanged, and faults by line") {
  Shop s;
  std::vector<su::LineError> errors;
  su::BayPlan plan = su::planBays("id,name,trade\nb01,机电 01,机电\nb02,钣金 02,body\n", s, errors);
  REQUIRE(errors.empty());
  REQUIRE(plan.define.size() == 2);
  for (const Bay& b : plan.define) apply(s, DefineBay{b});
  CHECK(s.bays.at("b01").trade == Trade::Mechanical);
  plan = su::planBays(su::writeBays(s), s, errors);
  REQUIRE(errors.empty());
  CHECK(plan.define.empty());
  CHECK(plan.unchanged == 2);
  (void)su::planBays("id,name,trade\nb 1,x,body\nb02,,paint\nb03,y,welding\nb02,z,body\n", s, errors);
  CHECK(hasError(errors, 2, "id", "'b 1'"));
  CHECK(hasError(errors, 3, "name", "missing"));
  CHECK(hasError(errors, 4, "trade", "welding"));
  CHECK(hasError(errors, 5, "id", "also on line 3"));
}

TEST_CASE("The policy file: every key read, written back the same, and faults by line") {
  std::vector<su::LineError> errors;
  const std::string text =
      "# our shop\n"
      "shop_name = 广州骏达丰田\n"
      "utc_offset_minutes = 480\n"
      "final_inspection = maintenance, general_repair\n"
      "ghost_timer_minutes = 300\n"
      "idle_signout_seconds = 120\n"
      "pin_length = 6\n"
      "labour_rate = 210.50\n"
      "working_hours = 07:30-19:00\n"
      "setup_code_days = 3\n";
  const Policy p = su::parsePolicy(text, errors);
  REQUIRE(errors.empty());
  CHECK(p.shop_name == "广州骏达丰田");
  CHECK(p.final_required == std::set<Category>{Category::Maintenance, Category::GeneralRepair});
  CHECK(p.overlong_entry == 300 * MIN);
  CHECK(p.idle_signout_seconds == 120);
  CHECK(p.labour_cents_per_hour == 21050);
  CHECK(p.work_start_minute == 7 * 60 + 30);
  CHECK(p.work_end_minute == 19 * 60);
  CHECK(p.setup_code_days == 3);
  CHECK(su::parsePolicy(su::writePolicy(p), errors) == p);
  CHECK(errors.empty());
  CHECK(labourQuoteCents(p, 60) == 21100);  // to the yuan
  CHECK(labourQuoteCents(Policy{}, 90) == 27000);
  // faults, each on its line
  const std::string bad =
      "pin_length = 4\n"
      "idle_signout_seconds = soon\n"
      "colour = red\n"
      "working_hours = 18:00-08:00\n"
      "final_inspection = general_repair, oil_change\n"
      "pin_length = 6\n"
      "just words\n"
      "labour_rate = -5\n";
  (void)su::parsePolicy(bad, errors);
  CHECK(hasError(errors, 1, "pin_length", "5 to 8"));
  CHECK(hasError(errors, 2, "idle_signout_seconds", "'soon'"));
  CHECK(hasError(errors, 3, "colour", "unknown key"));
  CHECK(hasError(errors, 4, "working_hours", "start first"));
  CHECK(hasError(errors, 5, "final_inspection", "oil_change"));
  CHECK(hasError(errors, 6, "pin_length", "also set on line 1"));
  CHECK(hasError(errors, 7, "", "key = value"));
  CHECK(hasError(errors, 8, "labour_rate", "-5"));
}

TEST_CASE("The policy is a signed event: every store follows it, keeps it, and a floor client cannot set it") {
  StaffedStore f;
  Policy p;
  p.shop_name = "骏达";
  p.idle_signout_seconds = 45;
  p.final_required = {Category::Maintenance};
  REQUIRE(f.st.record(SetPolicy{p, T0}, T0));
  CHECK(f.st.shop().policy == p);
  CHECK(f.st.loadRecords().policy == p);
  CHECK(matchesReplay(f.st));
  Policy wrong = p;
  wrong.pin_length = 3;
  CHECK(f.st.record(SetPolicy{wrong, T0}, T0).reason() == Reason::BadInput);
  CHECK(outOfScope(Scope::Floor, SetPolicy{p, T0}).has_value());
  CHECK(outOfScope(Scope::Desk, SetPolicy{p, T0}).has_value());
  // another store takes the event and follows the policy
  Node other("kiosk-b");
  for (auto& e : f.st.events(0, 10'000)) (void)other.st.ingestRemote(e, T0);
  CHECK(other.st.shop().policy == p);
}

TEST_CASE("A first PIN from a setup code: a wrong code counts as a wrong PIN, the code works once, the PIN then works everywhere") {
  StaffedStore f;
  Store& st = f.st;
  REQUIRE(st.record(EnrollPerson{Person{"p-9", "新人", {Role::Technician}, Trade::Mechanical, "100009", {}}}, T0));
  auto [code, issue] = st.makeSetupCode("p-9", {}, T0);
  CHECK(code.size() == 8);
  CHECK(issue.hash.find(code) == std::string::npos);  // only its hash goes in the log
  REQUIRE(st.record(issue, T0));
  CHECK(st.setupPending("p-9", T0 + MIN));
  // nobody registers a first key without the code once one is out
  CHECK(st.setPin("p-9", "482913", T0).refusal->reason == Reason::SetupCodeInvalid);
  // a wrong code: refused, and counted like a wrong PIN
  const std::string wrong = code == "11111111" ? "22222222" : "11111111";
  CHECK(st.setupPin("p-9", wrong, "482913", T0 + MIN).refusal->reason == Reason::SetupCodeInvalid);
  CHECK(st.shop().pin_attempts.at("p-9").size() == 1);
  // a PIN too short for the policy
  CHECK(st.setupPin("p-9", code, "4829", T0 + MIN).refusal->reason == Reason::BadInput);
  REQUIRE(st.setupPin("p-9", code, "482913", T0 + 2 * MIN));
  CHECK(st.shop().person("p-9")->currentKey());
  CHECK(st.shop().setup_codes.at("p-9").used);
  CHECK_FALSE(st.setupPending("p-9", T0 + 3 * MIN));
  CHECK(st.signInPin("p-9", "482913", T0 + 3 * MIN));
  // the code is used up
  CHECK(st.setupPin("p-9", code, "777777", T0 + 4 * MIN).refusal->reason == Reason::SetupCodeInvalid);
  // the PIN works at another kiosk once the events reach it: checked against
  // the key sealed under it, which the log carries
  Node other("kiosk-b");
  for (auto& e : st.events(0, 10'000)) (void)other.st.ingestRemote(e, T0 + 5 * MIN);
  CHECK(other.st.signInPin("p-9", "482913", T0 + 5 * MIN));
  CHECK(other.st.signInPin("p-9", "000000", T0 + 5 * MIN).outcome.refusal->reason == Reason::WrongPin);
}

TEST_CASE("A forgotten PIN: a service manager's signed reset issues a new code, the person makes a new key with it") {
  StaffedStore f;
  Store& st = f.st;
  const Id old = st.shop().person("tech1")->currentKey()->id;
  auto [code, issue] = st.makeSetupCode("tech1", "manager", T0);
  // unsigned from a person: refused
  CHECK_FALSE(st.record(issue, T0));
  REQUIRE(st.sign(issue, "manager", testPin("manager"), T0));
  // nobody resets their own
  auto [own, ownIssue] = st.makeSetupCode("manager", "manager", T0);
  CHECK(st.sign(ownIssue, "manager", testPin("manager"), T0).reason() == Reason::OwnWork);
  // a technician cannot
  auto [c2, byTech] = st.makeSetupCode("tech2", "tech1", T0);
  CHECK(st.sign(byTech, "tech1", testPin("tech1"), T0).reason() == Reason::LacksRole);
  REQUIRE(st.setupPin("tech1", code, "635241", T0 + MIN));
  CHECK(st.shop().person("tech1")->currentKey()->id != old);
  CHECK(st.signInPin("tech1", "635241", T0 + 2 * MIN));
  CHECK_FALSE(st.signInPin("tech1", testPin("tech1"), T0 + 2 * MIN));
}

TEST_CASE("A setup code expires with the policy's days") {
  StaffedStore f;
  Store& st = f.st;
  REQUIRE(st.record(EnrollPerson{Person{"p-9", "新人", {Role::Technician}, Trade::Mechanical, "100009", {}}}, T0));
  auto [code, issue] = st.makeSetupCode("p-9", {}, T0);
  REQUIRE(st.record(issue, T0));
  const Millis after = T0 + 7LL * 24 * 60 * MIN + 1;
  CHECK_FALSE(st.setupPending("p-9", after));
  CHECK(st.setupPin("p-9", code, "482913", after).refusal->reason == Reason::SetupCodeInvalid);
  // and no code lives longer than the policy allows
  issue.expires_at = T0 + 30LL * 24 * 60 * MIN;
  issue.code = "sc-long";
  CHECK(st.record(issue, T0).reason() == Reason::BadInput);
}

TEST_CASE("A leaver is retired: badge and PIN refused, nothing new in their name, history kept, the badge free for someone else") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  w.clockOn("tech1", wo + "-1", T0 + MIN);
  Person leaver = *w.s.person("tech2");
  leaver.active = false;
  leaver.keys.clear();
  w.must(EnrollPerson{leaver});
  CHECK(w.refused(ClockOn{"te-x", "tech2", wo + "-1", "bay1", T0 + 2 * MIN}) == Reason::PersonRetired);
  CHECK(w.s.person("tech2")->currentKey());  // keys kept: old signatures still verify
  Person newcomer{"p-new", "新技师", {Role::Technician}, Trade::Mechanical, leaver.badge, {}};
  w.must(EnrollPerson{newcomer});
  // while the badge is theirs, nobody else may be given it
  Person third{"p-3", "第三人", {Role::Technician}, Trade::Mechanical, leaver.badge, {}};
  CHECK(w.refused(EnrollPerson{third}) == Reason::DuplicateId);

  StaffedStore f;
  Person p = *f.st.shop().person("tech2");
  const std::string badge = p.badge;
  p.active = false;
  p.keys.clear();
  REQUIRE(f.st.record(EnrollPerson{p}, T0));
  CHECK(f.st.signInBadge(badge, T0).outcome.refusal->reason == Reason::PersonRetired);
  CHECK(f.st.signInPin("tech2", testPin("tech2"), T0).outcome.refusal->reason == Reason::PersonRetired);
  REQUIRE(f.st.record(EnrollPerson{Person{"p-new", "新技师", {Role::Technician}, Trade::Mechanical, badge, {}}}, T0));
  CHECK(f.st.signInBadge(badge, T0).person == "p-new");
}

TEST_CASE("A leaver's event made offline and placed after their retirement is held for a person, with no effect") {
  Node desk("desk"), bay("kiosk-a"), hub("hub");
  for (auto& act : staffAndBays()) REQUIRE(desk.st.record(act, T0));
  REQUIRE(desk.st.record(testWorkOrder("wo-1", Category::GeneralRepair, {spec("wo-1-1", Trade::Mechanical, "tech2")}), T0));
  for (auto& e : desk.st.events(0, 100000)) REQUIRE(hub.st.ingestRemote(e, T0).status == Remote::Status::Applied);
  for (auto& e : hub.st.events(0, 100000)) REQUIRE(bay.st.ingestRemote(e, T0).status == Remote::Status::Applied);
  // the bay, offline, lets tech2 clock on; meanwhile the hub retires tech2
  REQUIRE(bay.st.record(ClockOn{"te-1", "tech2", "wo-1-1", "bay1", T0 + 10 * MIN}, T0 + 10 * MIN));
  Person leaver = *hub.st.shop().person("tech2");
  leaver.active = false;
  leaver.keys.clear();
  REQUIRE(hub.st.record(EnrollPerson{leaver}, T0 + 5 * MIN));
  for (auto& e : bay.own()) REQUIRE(hub.st.ingestRemote(e, T0 + 20 * MIN).status == Remote::Status::Applied);
  CHECK(hub.st.shop().open_entries.empty());  // no effect
  REQUIRE(hub.st.shop().reviews.size() == 1);
  CHECK(hub.st.shop().reviews.begin()->second.reason == Reason::PersonRetired);
}
