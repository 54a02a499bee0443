// Issue 13, done when: a shop goes live from nothing through bk-hub's own
// commands (the real binary), with no demo code: init; 4 bays and 12 people
// with Chinese names from CSV (a bad file first, refused with its line,
// changing nothing); the first PINs set from setup codes at a kiosk (the
// headless harness, synced with the real hub over HTTP); a work order in
// through the desk API; clocked, inspected, signed and delivered; a leaver
// retired while the hub serves (through its admin port) and their badge
// refused at the kiosk; a policy change reaching the kiosk.
#include "tests/hub/hub_fixture.hpp"
#include "tests/kiosk/harness.hpp"
#include "platform/system.hpp"
#include "sync/client.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

using namespace bkt;

namespace {

struct Ran {
  int rc = -1;
  std::string out;
};
// bk-hub with these arguments; its stdout and (`log`) stderr together
Ran hubCli(const std::string& args, bool log = true) {
  Ran r;
  FILE* f = ::popen((std::string(BK_HUB_BIN) + " " + args + (log ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
  REQUIRE(f);
  char buf[512];
  while (std::fgets(buf, sizeof buf, f)) r.out += buf;
  const int status = ::pclose(f);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string readFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

// badge -> setup code, from a slips CSV the import wrote
std::map<std::string, std::string> codesIn(const std::string& csv) {
  std::map<std::string, std::string> out;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto a = line.find(','), b = line.find(',', a + 1), c = line.find(',', b + 1);
    if (c != std::string::npos) out[line.substr(0, a)] = line.substr(b + 1, c - b - 1);
  }
  return out;
}

const char* kBays =
    "id,name,trade\n"
    "b01,机电 01,机电\n"
    "b02,机电 02,mechanical\n"
    "b03,钣金 03,body\n"
    "b04,喷漆 04,paint\n";

const char* kStaff =
    "badge,name,roles,trade,home_bay,active\n"
    "200001,王建国,技师,机电,b01,yes\n"
    "200002,李志强,technician,mechanical,b02,yes\n"
    "200003,张伟,technician,body,b03,yes\n"
    "200004,刘洋,technician,paint,b04,yes\n"
    "200005,陈磊,technician,mechanical,b01,yes\n"
    "200006,杨帆,班组长,机电,,yes\n"
    "200007,赵勇,foreman,body,,yes\n"
    "200008,黄海涛,质检员,,,yes\n"
    "200009,周鹏,service_advisor,,,yes\n"
    "200010,吴军,服务顾问,,,yes\n"
    "200011,徐斌,tech_director,mechanical,,yes\n"
    "200012,孙浩,warranty_clerk,,,yes\n";

}  // namespace

TEST_CASE("Going live from nothing through bk-hub's commands: staff and bays from CSV, first PINs from setup codes, a car through, a leaver, a policy change") {
  TempDir d;
  const std::string db = d.file("shop/hub.db"), pepper = d.file("shop/pepper.key");
  const std::string dbArgs = " --db " + db + " --pepper " + pepper;
  std::filesystem::create_directories(d.file("shop"));
  {  // the shop's pepper; the kiosk of this test holds the same (its harness's)
    const auto p = testPepper();
    writeFile(pepper, std::string(p.begin(), p.end()));
    ::chmod(pepper.c_str(), 0600);
  }
  // init: an empty shop and its first service manager's setup code
  Ran r = hubCli("init" + dbArgs + " --shop-name 骏达丰田 --manager-name 吕娜 --manager-badge 900001 --slips " +
                 d.file("manager.csv"));
  REQUIRE_MESSAGE(r.rc == 0, r.out);
  CHECK(codesIn(readFile(d.file("manager.csv"))).count("900001"));
  CHECK(hubCli("init" + dbArgs + " --shop-name x --manager-name y --manager-badge 1 --slips " + d.file("again.csv")).rc == 1);

  // bays, then people; a bad staff file first: refused with its line, nothing changed
  writeFile(d.file("bays.csv"), kBays);
  r = hubCli("bays import" + dbArgs + " " + d.file("bays.csv"));
  REQUIRE_MESSAGE(r.rc == 0, r.out);
  writeFile(d.file("bad.csv"), std::string(kStaff) + "200013,,technician,body,b03,yes\n");
  r = hubCli("staff import" + dbArgs + " " + d.file("bad.csv") + " --slips " + d.file("slips.csv"));
  CHECK(r.rc == 1);
  CHECK(r.out.find("line 14, name: missing") != std::string::npos);
  CHECK(r.out.find("nothing was changed") != std::string::npos);
  CHECK(hubCli("staff export" + dbArgs).out.find("王建国") == std::string::npos);
  writeFile(d.file("staff.csv"), kStaff);
  r = hubCli("staff import" + dbArgs + " " + d.file("staff.csv") + " --slips " + d.file("slips.csv") + " --slips-pdf " +
             d.file("slips.pdf"));
  REQUIRE_MESSAGE(r.rc == 0, r.out);
  CHECK(r.out.find("12 added") != std::string::npos);
  const auto codes = codesIn(readFile(d.file("slips.csv")));
  REQUIRE(codes.size() == 12);
  CHECK(readFile(d.file("slips.pdf")).rfind("%PDF", 0) == 0);

  // the hub serves; a bay's kiosk and the front desk enrol
  const int port = freePort();
  std::fflush(nullptr);
  const pid_t hubPid = ::fork();
  REQUIRE(hubPid >= 0);
  if (hubPid == 0) {
    ::freopen("/dev/null", "w", stdout);
    ::freopen("/dev/null", "w", stderr);
    const std::string p = std::to_string(port);
    ::execl(BK_HUB_BIN, BK_HUB_BIN, "serve", "--db", db.c_str(), "--pepper", pepper.c_str(), "--port", p.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  struct Stop {
    pid_t pid;
    ~Stop() { ::kill(pid, SIGTERM); ::waitpid(pid, nullptr, 0); }
  } stopHub{hubPid};
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(30, 0);
  for (int i = 0; i < 300 && !c.Get("/api/v1/health"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(c.Get("/api/v1/health"));
  auto enrolCode = [&](const std::string& id, const std::string& scope) {
    Ran e = hubCli("enroll-code" + dbArgs + " --kiosk " + id + " --scope " + scope, false);
    REQUIRE(e.rc == 0);
    std::string code = e.out.substr(0, e.out.find('\n'));
    return code;
  };
  const std::string kioskCode = enrolCode("kiosk-b01", "floor");
  auto er = c.Post("/api/v1/enroll", json{{"code", enrolCode("desk-1", "desk")}, {"kiosk_id", "desk-1"}}.dump(), "application/json");
  REQUIRE(er);
  REQUIRE(er->status == 200);
  const std::string deskToken = json::parse(er->body)["token"];

  const AuthPolicy product;  // the kiosk hashes and seals PINs as bk-hub does
  Harness h("zh", [](Store&, const Catalog&) {}, "b01", &product);
  h.now = platform::nowMillis();
  std::mutex mu;
  sync::SyncClient sync(*h.store, mu, testPepper(),
                        sync::SyncOptions{"http://127.0.0.1:" + std::to_string(port), kioskCode, 200, 1000},
                        [] { return platform::nowMillis(); });
  REQUIRE(sync.enroll());
  auto catchUp = [&] {
    (void)sync.pushOnce();
    for (int i = 0; i < 20; ++i) {
      (void)sync.pullOnce(0);
      const auto s = sync.state();
      if (s.pulled >= s.hub_last && s.pending == 0) break;
    }
    h.now = platform::nowMillis();
    h.frame();
  };
  catchUp();
  REQUIRE(h.shop().people.size() == 13);
  REQUIRE(h.shop().bays.size() == 4);
  CHECK(h.shop().policy.shop_name == "骏达丰田");
  auto idOf = [&](const std::string& badge) {
    for (auto& [id, p] : h.shop().people)
      if (p.badge == badge && p.active) return id;
    FAIL("no badge " << badge);
    return Id{};
  };

  // the technician's first PIN, at the kiosk: badge, code, PIN twice
  const Id tech = idOf("200001");
  h.type("200001");
  h.enter();
  h.frame();
  REQUIRE(h.st().setup);
  h.pin("setup.pad.0", codes.at("200001"));
  h.pin("setup.pad.1", "271828");
  h.pin("setup.pad.2", "271828");
  REQUIRE(h.st().session);
  CHECK(h.st().session->person == tech);
  h.tap("nav.signout");
  // the foreman, the inspector and an advisor set theirs at the same kiosk
  const Id foreman = idOf("200006"), qi = idOf("200008"), advisor = idOf("200009");
  for (auto [badge, pin] : {std::pair{"200006", "314159"}, {"200008", "161803"}, {"200009", "141421"}})
    REQUIRE(h.store->setupPin(idOf(badge), codes.at(badge), pin, h.now));
  catchUp();

  // a work order through the desk API
  const Millis now = platform::nowMillis();
  const json wo = {{"wo", {{"id", "wo-1"}, {"number", "W0001"}, {"vehicle", {{"plate", "粤A·88888"}, {"vin", "LFV3A23C0K3000001"}, {"model", "凯美瑞"}}},
                           {"customer", "张先生"}, {"advisor", advisor}, {"category", "general_repair"}, {"road_test_required", false},
                           {"opened_at", now}, {"promised_at", now + 480 * MIN}, {"bay", "b01"}}},
                   {"ops", {{{"id", "wo-1-1"}, {"trade", "mechanical"}, {"title", "mech.brake_pads"}, {"std_minutes", 90},
                             {"main_tech", tech}, {"handover", false}}}}};
  auto wr = c.Post("/api/v1/work-orders", bearer(deskToken), wo.dump(), "application/json");
  REQUIRE(wr);
  REQUIRE_MESSAGE(wr->status == 201, wr->body);
  catchUp();
  REQUIRE(h.shop().workOrder("wo-1"));

  // clocked, inspected and signed at the kiosk, each with their own PIN
  auto signedInspection = [&](InspectionKind kind, std::optional<Id> op, const Id& who, const std::string& pin) {
    Inspection in;
    in.id = "in-" + std::string(name(kind));
    in.kind = kind;
    in.wo = "wo-1";
    in.op = op;
    in.inspector = who;
    in.items = catalog().blankItems(kind, Trade::Mechanical, "mech.brake_pads");
    for (ChecklistItem& it : in.items) {  // every item judged, a measured one by its value
      it.verdict = Verdict::Pass;
      if (!it.unit.empty()) it.value = it.min ? *it.min : it.max ? *it.max : 1.0;
    }
    in.catalog = catalog().version();
    Recorded rec = h.store->sign(RecordInspection{in, {}}, who, pin, h.now);
    REQUIRE_MESSAGE(rec, (rec.outcome.refusal ? std::string(name(rec.reason())) + " " + rec.outcome.refusal->detail : ""));
  };
  REQUIRE(h.store->record(ClockOn{"te-1", tech, "wo-1-1", "b01", h.now}, h.now));
  h.now += 30 * MIN;
  signedInspection(InspectionKind::Self, "wo-1-1", tech, "271828");
  signedInspection(InspectionKind::Peer, "wo-1-1", foreman, "314159");
  signedInspection(InspectionKind::Final, std::nullopt, qi, "161803");
  catchUp();
  // delivered through the desk API, the advisor's PIN checked by the hub
  auto dr = c.Post("/api/v1/work-orders/wo-1/deliver", bearer(deskToken),
                   json{{"by", advisor}, {"pin", "141421"}, {"old_parts", "returned"}}.dump(), "application/json");
  REQUIRE(dr);
  REQUIRE_MESSAGE(dr->status == 200, dr->body);
  catchUp();
  REQUIRE(h.shop().workOrder("wo-1")->delivered_at);
  CHECK_FALSE(h.shop().workOrder("wo-1")->gate_pass.empty());

  // a leaver, retired while the hub serves: the command goes through its admin port
  std::string staff = kStaff;
  const auto row = staff.find("200005,陈磊");
  staff.replace(row, staff.find('\n', row) - row, "200005,陈磊,technician,mechanical,b01,no");
  writeFile(d.file("staff.csv"), staff);
  r = hubCli("staff import" + dbArgs + " " + d.file("staff.csv"));
  REQUIRE_MESSAGE(r.rc == 0, r.out);
  CHECK(r.out.find("1 retired") != std::string::npos);
  catchUp();
  h.type("200005");
  h.enter();
  h.frame();
  CHECK_FALSE(h.st().session);
  REQUIRE(h.st().message);
  CHECK(h.st().message->text == h.texts("reason.person_retired"));

  // a policy change reaches the kiosk
  r = hubCli("policy show" + dbArgs + " --out " + d.file("policy.txt"));
  REQUIRE(r.rc == 0);
  std::string policy = readFile(d.file("policy.txt"));
  policy.replace(policy.find("idle_signout_seconds = 90"), 25, "idle_signout_seconds = 45");
  writeFile(d.file("policy.txt"), policy);
  r = hubCli("policy set" + dbArgs + " " + d.file("policy.txt"));
  REQUIRE_MESSAGE(r.rc == 0, r.out);
  catchUp();
  CHECK(h.shop().policy.idle_signout_seconds == 45);
  CHECK(h.app->idleSeconds() == 45);
  // a bad policy file is refused with its line, and nothing changes
  writeFile(d.file("bad-policy.txt"), "idle_signout_seconds = 45\npin_length = 3\n");
  r = hubCli("policy set" + dbArgs + " " + d.file("bad-policy.txt"));
  CHECK(r.rc == 1);
  CHECK(r.out.find("line 2, pin_length") != std::string::npos);
}
