// Issue 12 at the kiosk: an inspection signs only when every item is set (a
// measured one with its value, N/A with a reason); the advisor hands a car
// over with the old parts said and the customer's finger signature for the
// safety items they declined, and the gate pass is shown.
#include "domain/rules.hpp"
#include "tests/kiosk/harness.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace bkt;

namespace {
void sign(Harness& h, Inspection in, const Id& who, Millis at) { REQUIRE(h.store->sign(RecordInspection{judged(in), {}}, who, testPin(who), at)); }
void signed_(Harness& h, Action a, const Id& who, Millis at) { REQUIRE(h.store->sign(std::move(a), who, testPin(who), at)); }
}  // namespace

TEST_CASE("kiosk: an inspection is signed only once every item is set, a measured one with its value") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  REQUIRE(h.store->record(ClockOn{"te-1", "tech1", op, "bay1", h.now}, h.now));
  h.signIn("tech1", "246802");
  h.tap("work.finish");
  REQUIRE(h.st().screen == ui::Screen::Inspect);
  for (auto& it : h.st().inspect.items) CHECK_FALSE(it.verdict.has_value());  // nothing judged for them
  CHECK(h.exists("inspect.sign"));
  CHECK_FALSE(h.has("inspect.sign"));
  h.passAll();
  // every item but the measured torque: still not signable, it needs its value
  CHECK_FALSE(h.has("inspect.sign"));
  auto torque = [&]() -> ChecklistItem& {
    for (auto& it : h.st().inspect.items) if (it.key == "wheel_torque") return it;
    FAIL("no wheel torque item");
    throw std::logic_error("unreachable");
  };
  CHECK_FALSE(torque().value.has_value());
  CHECK(itemProblem(torque()).has_value());
  SUBCASE("N/A needs its reason from the list") {
    h.tap("inspect.item.wheel_torque.na");
    CHECK(torque().verdict == Verdict::NotApplicable);
    CHECK_FALSE(h.has("inspect.sign"));
    h.tap("inspect.item.wheel_torque.na_reason.na.not_touched");
    h.tap("inspect.sign");
    h.pin("sign.pin", "246802");
    REQUIRE(h.shop().inspections.size() == 1);
    const Inspection& in = h.shop().inspections.begin()->second;
    for (auto& it : in.items)
      if (it.key == "wheel_torque") CHECK(it.na_reason == "na.not_touched");
    CHECK(in.catalog == h.cat.version());
  }
  SUBCASE("the value decides, and the sign dialog shows each item with its value") {
    h.tap("inspect.item.wheel_torque.value");
    for (const char* k : {"1", "2", "2"}) h.tap(std::string("inspect.keypad.") + k);
    h.tap("inspect.keypad.ok");
    CHECK(torque().verdict == Verdict::Pass);
    h.tap("inspect.sign");
    REQUIRE(h.st().sign.open);
    const auto& shown = std::get<RecordInspection>(h.st().sign.action).inspection;
    for (auto& it : shown.items) {
      CHECK(it.verdict.has_value());
      CHECK_FALSE(it.zh.empty());  // what the technician read is what is signed
    }
    h.pin("sign.pin", "246802");
    CHECK(h.shop().operations.at(op).phase == Phase::AwaitingPeer);
  }
}

TEST_CASE("kiosk: the advisor hands the car over: old parts, the customer's finger signature, a gate pass") {
  Harness h;
  const Id wo = h.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  Millis t = h.now;
  REQUIRE(h.store->record(ClockOn{"te-1", "tech1", op, "bay1", t}, t));
  REQUIRE(h.store->record(ProposeAddOn{"ad-1", "op-ad", wo, op, "tech1", Trade::Mechanical, "addon.brake_disc_worn", 60,
                                       {}, true, false, t + 1}, t + 1));
  signed_(h, QuoteAddOn{"ad-1", 60000, 60, {}}, "advisor", t + 2);
  signed_(h, SignAddOnTechnical{"ad-1", {}}, "director", t + 3);
  signed_(h, SignAddOnCost{"ad-1", {}}, "manager", t + 4);
  signed_(h, RecordConsent{"ad-1", false, ConsentChannel::InPerson, true, {}}, "advisor", t + 5);
  sign(h, {"in-s", InspectionKind::Self, wo, op, {}, "tech1", {}, Verdict::Pass}, "tech1", t + 10 * MIN);
  h.signIn("advisor");
  h.tap("nav.delivery");
  CHECK_FALSE(h.exists("delivery.open." + wo));  // blocked: the peer and final inspections
  h.tap("nav.signout");
  sign(h, {"in-p", InspectionKind::Peer, wo, op, {}, "foreman", {}, Verdict::Pass}, "foreman", t + 20 * MIN);
  sign(h, {"in-f", InspectionKind::Final, wo, {}, {}, "qi", {}, Verdict::Pass}, "qi", t + 30 * MIN);
  REQUIRE(deliveryBlockers(h.shop(), h.shop().work_orders.at(wo)).empty());

  h.signIn("advisor");
  h.tap("nav.delivery");
  h.tap("delivery.open." + wo);
  // the customer signs for the declined safety item first: nothing else shows
  CHECK_FALSE(h.exists("delivery.deliver"));
  CHECK_FALSE(h.has("delivery.customer_done"));  // not before they have signed
  h.stroke("delivery.pad", {{0.5f, 0.5f}});  // a dot is not a signature
  CHECK_FALSE(h.has("delivery.customer_done"));
  h.tap("delivery.pad.clear");
  CHECK(h.st().delivery.strokes.empty());
  h.stroke("delivery.pad", {{0.1f, 0.5f}, {0.2f, 0.3f}, {0.3f, 0.7f}, {0.4f, 0.4f}, {0.5f, 0.6f}});
  h.stroke("delivery.pad", {{0.6f, 0.4f}, {0.8f, 0.45f}});
  REQUIRE(h.st().delivery.strokes.size() == 2);
  CHECK(h.st().delivery.strokes[0].size() >= 4);
  h.tap("delivery.customer_done");  // the screen back to the advisor
  // signing again is within the screen, beside the long English note too
  for (const ui::Lang lang : {ui::Lang::En, ui::Lang::Zh}) {
    h.texts.lang = lang;
    h.frames(2);
    const auto hit = std::find_if(h.app->hits().begin(), h.app->hits().end(), [](const auto& x) { return x.id == "delivery.resign"; });
    REQUIRE(hit != h.app->hits().end());
    CHECK(hit->max.x <= ImGui::GetIO().DisplaySize.x - h.app->metrics().mm(1));
  }
  CHECK_FALSE(h.has("delivery.deliver"));  // the old parts: no default
  h.tap("delivery.old_parts.returned");
  h.tap("delivery.deliver");
  REQUIRE(h.st().sign.open);
  h.pin("sign.pin", "123456");
  const WorkOrder& w = h.shop().work_orders.at(wo);
  REQUIRE(w.delivered_at);
  CHECK(w.delivered_by == Id("advisor"));
  CHECK(w.old_parts == OldParts::Returned);
  REQUIRE(w.ack);
  CHECK(w.ack->addons == std::vector<Id>{"ad-1"});
  CHECK(w.ack->strokes.size() == 2);
  CHECK(w.ack->hash == strokesHash(w.ack->strokes));
  CHECK_FALSE(w.gate_pass.empty());
  CHECK(h.st().delivery.done == wo);  // the gate pass is on screen
  CHECK(h.st().delivery.wo.empty());
  CHECK_FALSE(h.exists("delivery.open." + wo));
  CHECK_FALSE(h.exists("delivery.print"));  // no printer at this bay

  // a bay with a printer: the quality record goes to CUPS as a PDF (here a
  // stand-in for lp that keeps what it was given)
  const std::string lp = h.dir.file("lp");
  {
    std::ofstream script(lp);
    script << "#!/bin/sh\necho \"$@\" > " << h.dir.file("lp-args") << "\ncp \"$3\" " << h.dir.file("printed.pdf") << "\n";
  }
  std::filesystem::permissions(lp, std::filesystem::perms::owner_all);
  h.app->config().printer = "bay-printer";
  h.app->config().print_command = lp;
  h.app->config().export_dir = h.dir.file("exports");
  h.frames(2);
  h.tap("delivery.print");
  std::ifstream args(h.dir.file("lp-args"));
  std::string line;
  std::getline(args, line);
  CHECK(line.starts_with("-d bay-printer "));
  std::ifstream printed(h.dir.file("printed.pdf"), std::ios::binary);
  std::string pdf((std::istreambuf_iterator<char>(printed)), {});
  CHECK(pdf.starts_with("%PDF-"));
  FILE* p = popen(("pdftotext -enc UTF-8 " + h.dir.file("printed.pdf") + " -").c_str(), "r");
  REQUIRE(p);
  std::string text;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) text.append(buf, n);
  pclose(p);
  CHECK(text.find("维修质量检验单") != std::string::npos);
  CHECK(text.find(w.gate_pass) != std::string::npos);
  REQUIRE(h.st().message);
  CHECK(h.st().message->tone == ui::Tone::Good);
  // a printer that fails: said, not hidden
  h.app->config().print_command = "false";
  h.tap("delivery.print");
  CHECK(h.st().message->tone == ui::Tone::Bad);
}
