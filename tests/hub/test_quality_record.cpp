// Issue 12: the quality record (维修质量检验单) as a PDF, drawn with cairo and
// libqrencode, read back with pdftotext in both languages; its verification
// id checked against the shop; and served by the hub over HTTP.
#include "domain/report.hpp"
#include "record/quality_record.hpp"
#include "tests/hub/hub_fixture.hpp"

#include <cstdio>
#include <fstream>

using namespace bkt;

namespace {

const record::Labels& labels() {
  static const record::Labels l = record::Labels::load(std::string(BK_ASSETS_DIR) + "/i18n");
  return l;
}

// The text of a PDF, as pdftotext (poppler) reads it.
std::string pdfText(const std::string& pdf, const TempDir& dir, const std::string& name) {
  const std::string file = dir.file(name + ".pdf");
  std::ofstream(file, std::ios::binary) << pdf;
  std::string out;
  FILE* p = popen(("pdftotext -enc UTF-8 " + file + " - 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  CHECK(pclose(p) == 0);
  return out;
}

// A delivered car: a measured self-inspection, a peer inspection that failed
// once (rework), a final with its road test, a safety add-on the customer
// declined and signed for at delivery.
struct DeliveredCar : World {
  Id wo;
  DeliveredCar() {
    wo = openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")}, true);
    const Id op = wo + "-1";
    must(ProposeAddOn{"ad-1", "op-ad-1", wo, op, "tech1", Trade::Mechanical, "addon.brake_disc_worn", 60, {}, true, false, T0});
    must(sealed(QuoteAddOn{"ad-1", 60000, 60, {}}, "advisor", T0 + 1));
    must(sealed(SignAddOnTechnical{"ad-1", {}}, "director", T0 + 2));
    must(sealed(SignAddOnCost{"ad-1", {}}, "manager", T0 + 3));
    must(sealed(RecordConsent{"ad-1", false, ConsentChannel::InPerson, true, {}}, "advisor", T0 + 4));
    clockOn("tech1", op, T0 + MIN);
    auto self = inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 60 * MIN);
    self.inspection.items = {ChecklistItem{"works", Verdict::Pass}, ChecklistItem{"wheel_torque", Verdict::Pass, 121.5, "N·m", 110.0, 130.0}};
    self.inspection.items[0].zh = "修理部位工作正常";
    self.inspection.items[0].en = "Repaired part works properly";
    must(sealed(self, "tech1", T0 + 60 * MIN));
    must(inspection(InspectionKind::Peer, wo, op, "foreman", false, T0 + 70 * MIN));
    finish(op, T0 + 80 * MIN);
    must(inspection(InspectionKind::Final, wo, std::nullopt, "qi", true, T0 + 4 * 60 * MIN));
    must(sealed(testDelivery(wo, "advisor", T0 + 5 * 60 * MIN, &s), "advisor", T0 + 5 * 60 * MIN));
  }
};

}  // namespace

TEST_CASE("quality record: a delivered car's record as a PDF, in Chinese and English, read back with pdftotext") {
  DeliveredCar w;
  const WorkOrder& wo = w.s.work_orders.at(w.wo);
  REQUIRE(wo.delivered_at);
  TempDir dir;
  record::Options o;
  o.shop = "广州测试4S店";
  o.printed_at = T0 + 6 * 60 * MIN;
  const std::string zhPdf = record::renderPdf(w.s, catalog(), labels(), wo, o);
  CHECK(zhPdf.starts_with("%PDF-"));
  const std::string zh = pdfText(zhPdf, dir, "zh");
  const std::string id = record::verificationId(w.s, wo);
  for (const std::string& want : {std::string("维修质量检验单"), std::string("广州测试4S店"), wo.number, wo.vehicle.plate,
                                  id, std::string("自检"), std::string("互检"), std::string("终检"),
                                  std::string("修理部位工作正常"), std::string("121.5 N·m"), std::string("110–130"),
                                  std::string("返工记录"), std::string("客户拒修的安全项目"), std::string("刹车盘磨损超限"),
                                  wo.gate_pass, std::string("交还客户"), std::string("路试"), std::string("试车人"),
                                  wo.ack->hash.substr(0, 32)}) {
    INFO("missing from the Chinese record: ", want);
    CHECK(zh.find(want) != std::string::npos);
  }
  // the signer, the time and the meaning of each inspection
  const Inspection* self = latestInspection(w.s, InspectionKind::Self, w.wo + "-1");
  REQUIRE(self);
  CHECK(zh.find(w.s.people.at("tech1").name) != std::string::npos);
  CHECK(zh.find(self->sig.key) != std::string::npos);
  o.lang = "en";
  const std::string en = pdfText(record::renderPdf(w.s, catalog(), labels(), wo, o), dir, "en");
  for (const std::string& want : {std::string("Repair quality inspection record"), std::string("Repaired part works properly"),
                                  std::string("Rework history"), std::string("Safety items the customer declined"),
                                  std::string("Gate pass"), std::string("Returned"), std::string("Signed by"), id}) {
    INFO("missing from the English record: ", want);
    CHECK(en.find(want) != std::string::npos);
  }
}

TEST_CASE("quality record: the verification id holds until the record changes, and a made-up one does not") {
  DeliveredCar w;
  const WorkOrder& wo = w.s.work_orders.at(w.wo);
  const std::string id = record::verificationId(w.s, wo);
  CHECK(id.starts_with("BK1." + w.wo + "."));
  CHECK(record::checkVerificationId(w.s, id).empty());
  std::string altered = id;
  altered.back() = altered.back() == '0' ? '1' : '0';
  CHECK(record::checkVerificationId(w.s, altered).find("not the one printed") != std::string::npos);
  CHECK(record::checkVerificationId(w.s, "BK1.wo-404." + id.substr(id.size() - 24)).find("no work order") != std::string::npos);
  CHECK_FALSE(record::checkVerificationId(w.s, "hello").empty());
  CHECK_FALSE(record::checkVerificationId(w.s, "BK1..").empty());
  // an inspection changed after printing (a log that lies): it no longer holds
  Shop lied = w.s;
  lied.inspections.begin()->second.items.front().verdict = Verdict::Fail;
  CHECK_FALSE(record::checkVerificationId(lied, id).empty());
}

TEST_CASE("hub: the quality record over the desk API, as application/pdf") {
  DeskAndHub f;
  f.hub.server.setRecordConfig(hub::RecordConfig{catalog(), labels(), "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "测试店"});
  auto r = f.c.Get("/api/v1/work-orders/wo-1/record.pdf", bearer(f.desk_token));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->get_header_value("Content-Type") == "application/pdf");
  CHECK(r->body.starts_with("%PDF-"));
  TempDir dir;
  const std::string text = pdfText(r->body, dir, "hub");
  CHECK(text.find("维修质量检验单") != std::string::npos);
  CHECK(text.find(record::verificationId(f.hub.store.shop(), f.hub.store.shop().work_orders.at("wo-1"))) != std::string::npos);
  r = f.c.Get("/api/v1/work-orders/wo-1/record.pdf?lang=en", bearer(f.desk_token));
  CHECK(pdfText(r->body, dir, "hub-en").find("Repair quality inspection record") != std::string::npos);
  CHECK(f.c.Get("/api/v1/work-orders/wo-1/record.pdf?lang=fr", bearer(f.desk_token))->status == 400);
  CHECK(f.c.Get("/api/v1/work-orders/wo-404/record.pdf", bearer(f.desk_token))->status == 404);
  CHECK(f.c.Get("/api/v1/work-orders/wo-1/record.pdf", bearer(f.token))->status == 403);  // a bay's token
  CHECK(f.c.Get("/api/v1/work-orders/wo-1/record.pdf")->status == 401);
}

TEST_CASE("issue 15: the month's fault slips as a PDF, a page for each technician, before and after the service manager signs") {
  DeliveredCar w;  // its peer inspection failed once: charged to tech1 (R8)
  w.s.policy.utc_offset_minutes = 480;
  const std::string month = "2026-01";
  const auto range = *calendarMonth(month, 480);
  const auto lines = faultSlipLines(w.s, range.first, range.second);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].charged_to == "tech1");
  TempDir dir;
  record::Options o;
  o.shop = "广州测试4S店";
  o.printed_at = range.second + MIN;
  std::string zh = pdfText(record::renderFaultSlips(w.s, catalog(), labels(), month, o), dir, "slips-zh");
  const WorkOrder& wo = w.s.work_orders.at(w.wo);
  for (const std::string& want : {std::string("过失单"), std::string("2026-01"), w.s.people.at("tech1").name, wo.number,
                                  wo.vehicle.plate, std::string("互检"), std::string("已定责"), std::string("服务经理尚未签字"),
                                  std::string("当事人签字")}) {
    INFO("missing from the Chinese slips: ", want);
    CHECK(zh.find(want) != std::string::npos);
  }
  // signed: the manager's name, time and key on it
  w.must(w.sealed(SignFaultSlips{month, lines, {}}, "manager", range.second + 2 * MIN));
  CHECK(w.refused(w.sealed(SignFaultSlips{month, lines, {}}, "manager", range.second + 3 * MIN)) == Reason::AlreadyResolved);
  o.lang = "en";
  const std::string en = pdfText(record::renderFaultSlips(w.s, catalog(), labels(), month, o), dir, "slips-en");
  for (const std::string& want : {std::string("Fault slips"), std::string("Signed by the service manager"),
                                  w.s.people.at("manager").name, std::string("charged"), std::string("Technician's signature")}) {
    INFO("missing from the English slips: ", want);
    CHECK(en.find(want) != std::string::npos);
  }
  // a month with nothing charged says so
  const std::string none = pdfText(record::renderFaultSlips(w.s, catalog(), labels(), "2025-12", o), dir, "slips-none");
  CHECK(none.find("No charges this month") != std::string::npos);
}
