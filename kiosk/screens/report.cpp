// The monthly quality report (返工报表) as charts drawn with ImGui's draw
// lists — rework by trade and defect, first-time pass rate, efficiency by
// technician (R4) — and a CSV export.
#include "kiosk/screens/screens.hpp"

#include "domain/rules.hpp"

#include <algorithm>
#include <cstdio>

namespace bk::ui {
namespace {

struct Bar {
  std::string label;
  double value;
  std::string shown;
};

// Horizontal bars: label, bar, value written beside it (no hover needed).
void bars(Ui& ui, const std::string& title, std::vector<Bar> rows, double max, float width, std::size_t limit,
          Tone tone, double reference = -1) {
  ImGui::PushFont(ui.fonts.large);
  for (const std::string& l : ui.lines(title, width, 2)) ui.text(l);  // issue 14: wrapped, not cut
  ImGui::PopFont();
  if (rows.empty()) { ui.text(ui.tr("floor.none"), nullptr, IM_COL32(150, 150, 150, 255)); return; }
  if (rows.size() > limit) rows.resize(limit);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float labelW = width * 0.46f, valueW = ui.m.mm(22), barW = width - labelW - valueW - ui.m.mm(2);
  const float line = ImGui::GetTextLineHeight();
  for (const Bar& b : rows) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    // issue 14: a long label takes two lines, and its row grows
    const auto ls = ui.lines(b.label, labelW - ui.m.mm(1), 2);
    const float h = line * static_cast<float>(ls.size()) + ui.m.mm(1.5f);
    ImGui::Dummy({width, h});
    for (std::size_t i = 0; i < ls.size(); ++i)
      ui.textAt(dl, {p.x, p.y + ui.m.mm(0.5f) + line * static_cast<float>(i)}, IM_COL32(230, 230, 230, 255), ui.bg, ls[i]);
    const float len = max > 0 ? static_cast<float>(b.value / max) * barW : 0;
    dl->AddRectFilled({p.x + labelW, p.y + ui.m.mm(0.6f)}, {p.x + labelW + std::max(len, 2.f), p.y + h - ui.m.mm(0.6f)},
                      toneColour(tone), 2);
    ui.textAt(dl, {p.x + labelW + barW + ui.m.mm(1.5f), p.y + ui.m.mm(0.5f)}, IM_COL32(255, 255, 255, 255), ui.bg, b.shown);
    if (reference > 0 && max > 0) {
      const float rx = p.x + labelW + static_cast<float>(reference / max) * barW;
      dl->AddLine({rx, p.y}, {rx, p.y + h}, IM_COL32(255, 255, 255, 160), 2);
    }
  }
}

std::string fixed(double v, const char* f) {
  char b[32];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

// Issue 15: comebacks (返修): the rate, first-time fixes, the hours and their
// labour, and the rate of each technician, the same numbers as the API's.
void comebacks(Ui& ui, const View& v, const MonthlyReport& r, float width) {
  const Comebacks& c = r.comebacks;
  ImGui::PushFont(ui.fonts.large);
  for (const std::string& l : ui.lines(ui.tr("report.comebacks"), width, 2)) ui.text(l);
  ImGui::PopFont();
  ui.wrapped(format(ui.tr("report.comeback_rate"), {std::to_string(c.counted), std::to_string(c.delivered),
                                                   fixed(c.rate() * 100, "%.0f%%"), std::to_string(v.shop.policy.comeback_days)}));
  ui.wrapped(format(ui.tr("report.first_time_fix"), {std::to_string(c.first_time_fixed), std::to_string(c.delivered),
                                                    fixed(c.firstTimeFixRate() * 100, "%.0f%%")}));
  if (c.provisional(v.now))  // DECISIONS.md: a car of the month may still come back
    ui.wrapped(format(ui.tr("report.provisional"), {dateText(c.provisional_until, v.utc_offset_minutes)}),
               toneColour(Tone::Warn, 1.3f));
  if (c.outside_window || c.cause_pending)
    ui.wrapped(format(ui.tr("report.comeback_notes"), {std::to_string(c.outside_window), std::to_string(c.cause_pending)}),
               IM_COL32(190, 190, 190, 255));
  auto yuan = [](std::int64_t cents) { return yuanText(static_cast<long long>((cents + 50) / 100)); };
  ui.wrapped(format(ui.tr("report.labour"), {fixed(r.rework_hours, "%.1f"), yuan(r.rework_cents), fixed(r.comeback_hours, "%.1f"),
                                            yuan(r.comeback_cents), fixed(r.comeback_hours_unbilled, "%.1f")}));
  std::vector<Bar> rows;
  double max = 0;
  for (auto& [id, rate] : c.by_technician) {
    if (!rate.count) continue;
    rows.push_back({personName(v.shop, id), rate.rate(), std::to_string(rate.count) + "/" + std::to_string(rate.of)});
    max = std::max(max, rate.rate());
  }
  std::sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.value > b.value; });
  if (!rows.empty()) bars(ui, ui.tr("report.comeback_by_technician"), rows, max, width, 12, Tone::Bad);
  std::vector<Bar> found;
  double most = 0;
  for (auto& [k, ch] : r.rework_by_found_in) {
    found.push_back({ui.tr("inspection." + std::string(name(k))), double(ch.count), std::to_string(ch.count)});
    most = std::max(most, double(ch.count));
  }
  bars(ui, ui.tr("report.rework_by_found_in"), found, most, width, 8, Tone::Warn);
}

// Issue 15: the month's fault slips (过失单) for the service manager: each
// technician's charges with where each stands, and the signature (PIN),
// off with the reason until the domain would take it.
void faultSlips(Ui& ui, const View& v, float width, Intents& out) {
  const Shop& s = v.shop;  // issue 16: the month's work orders were brought into it when the report opened
  const std::string& month = v.st.report_month;
  SignFaultSlips action{month, {}, {}};
  action.sig.signer = v.st.session ? v.st.session->person : Id{};
  action.sig.at = v.now;
  // the month's slips and whether they may be signed, worked out once per
  // change of the shop (and each minute: the month ends), not every frame
  const std::string key = month + "|" + action.sig.signer + "|" + std::to_string(v.now / 60000);
  std::vector<SlipRow> rows;
  std::optional<Outcome> cached;
  if (v.derived && v.derived->slips_key == key) {
    rows = v.derived->slips;
    cached = v.derived->slips_ready;
  } else {
    rows = faultSlipRows(s, month);
  }
  std::vector<FaultSlipLine> lines;
  for (const SlipRow& row : rows) lines.push_back(row.line);
  action.lines = lines;
  const Outcome ready = cached ? *cached : checkBeforeSigning(s, action);
  if (v.derived && !cached) {
    v.derived->slips_key = key;
    v.derived->slips = rows;
    v.derived->slips_ready = ready;
  }
  // first what is signed and what can be: the lines follow, however many
  const auto signedIt = s.fault_slips.find(month);
  if (signedIt != s.fault_slips.end()) {
    const bool current = signedIt->second.lines == lines;
    ui.wrapped(format(ui.tr(current ? "slips.signed" : "slips.signed_changed"),
                      {personName(s, signedIt->second.sig.signer), dateTimeText(signedIt->second.sig.at, v.utc_offset_minutes)}),
               toneColour(current ? Tone::Good : Tone::Warn, 1.4f));
  }
  if (ui.button("report.sign_slips", ui.tr("slips.sign"), Tone::Primary, ui.m.mm(90), Icon::Sign, bool(ready)))
    out.push_back(RequestSignature{action});
  if (!ready) ui.wrapped(refusalText(ui, *ready.refusal), toneColour(Tone::Warn, 1.3f));
  ImGui::Dummy({0, ui.m.gap()});
  if (rows.empty()) ui.text(ui.tr("slips.none"), nullptr, IM_COL32(170, 170, 170, 255));
  Id person;
  const float chipW = ui.m.mm(58);
  for (const SlipRow& row : rows) {
    if (row.line.charged_to != person) {
      person = row.line.charged_to;
      int n = 0;
      for (const SlipRow& r2 : rows) n += r2.line.charged_to == person;
      ImGui::Dummy({0, ui.m.mm(1)});
      ui.text(personName(s, person) + "  · " + std::to_string(n), ui.fonts.large);
    }
    const std::string where = row.rework ? ui.tr("inspection." + std::string(name(row.rework->found_in))) : "";
    const Tone tone = row.line.state == "disputed" ? Tone::Warn : row.line.state == "decided" ? Tone::Primary : Tone::Neutral;
    ui.chip(ui.tr("slips.state." + row.line.state), tone, Icon::None);
    ImGui::SameLine();
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width - chipW);
    ui.wrapped(dateText(row.incident->at, v.utc_offset_minutes) + "  " +
               (row.wo ? row.wo->number + "  " + row.wo->vehicle.plate : row.incident->wo.str()) + "  " +
               (row.op ? ui.data(row.op->title) : row.incident->op.str()) + "  · " + ui.data(row.incident->defect) + "  · " + where);
    ImGui::PopTextWrapPos();
  }
}

}  // namespace

void drawReport(Ui& ui, const View& v, Intents& out) {
  const Shop& s = v.shop;
  AppState& st = v.st;
  const ImVec2 avail = contentSize();
  ui.heading(ui.tr("report.title"));
  if (!st.report && st.held_from) {  // issue 16: a month before what this bay holds
    const std::string since = dateText(*st.held_from, v.utc_offset_minutes);
    if (!st.hub_report) {  // (a bay without a hub)
      ui.wrapped(format(ui.tr("report.before_bay"), {since}));
    } else {  // asked of the hub: still asking, or why it did not answer
      ui.text(st.report_month, ui.fonts.large);
      ui.wrapped(format(ui.tr("report.from_hub"), {since}), IM_COL32(170, 170, 170, 255));
      if (!st.hub_report->done) {
        ui.text(ui.tr("report.asking_hub"), ui.fonts.large);
      } else {
        if (st.hub_report->unreachable) ui.wrapped(ui.tr("report.hub_offline"), IM_COL32(240, 170, 90, 255));
        else ui.wrapped(format(ui.tr("report.hub_failed"), {st.hub_report->error}), IM_COL32(240, 170, 90, 255));
        if (ui.button("report.ask_again", ui.tr("report.ask_again"), Tone::Primary, ui.m.mm(60), Icon::None))
          out.push_back(ShowReportMonth{st.report_month});
      }
    }
    const std::string prev = addMonths(st.report_month, -1), next = addMonths(st.report_month, 1);
    if (st.hub_report) {
      if (ui.button("report.month.prev", prev, Tone::Neutral, ui.m.mm(40), Icon::Back, !prev.empty())) out.push_back(ShowReportMonth{prev});
      ImGui::SameLine();
    }
    if (ui.button("report.month.next", next + " >", Tone::Neutral, ui.m.mm(40))) out.push_back(ShowReportMonth{next});
    return;
  }
  ImGui::SameLine(avail.x - ui.m.mm(60));
  if (ui.button("report.export", ui.tr("report.export_csv"), Tone::Primary, ui.m.mm(58), Icon::Check)) out.push_back(ExportReport{});
  if (!st.last_export.empty()) ui.text(format(ui.tr("report.exported"), {st.last_export}), nullptr, IM_COL32(180, 220, 180, 255));
  if (!st.report) { ui.text(ui.tr("report.computing")); return; }
  const MonthlyReport& r = *st.report;
  // issue 15: a calendar month in the shop's time zone, like the API's; the
  // one before, or after (never past this month)
  {
    const std::string prev = addMonths(st.report_month, -1), next = addMonths(st.report_month, 1);
    const bool later = !next.empty() && next <= monthOf(v.now, v.utc_offset_minutes);
    if (ui.button("report.month.prev", prev, Tone::Neutral, ui.m.mm(40), Icon::Back, !prev.empty())) out.push_back(ShowReportMonth{prev});
    ImGui::SameLine();
    ImGui::PushFont(ui.fonts.large);
    ui.text(st.report_month);
    ImGui::PopFont();
    ImGui::SameLine();
    if (ui.button("report.month.next", next + " >", Tone::Neutral, ui.m.mm(40), Icon::None, later)) out.push_back(ShowReportMonth{next});
    ImGui::SameLine();
    ui.text(dateTimeText(r.from, v.utc_offset_minutes) + " — " + dateTimeText(r.to, v.utc_offset_minutes), nullptr,
            IM_COL32(180, 180, 180, 255));
  }
  if (st.hub_report && st.held_from)  // issue 16: the hub's figures, for a month before what this bay holds
    ui.wrapped(format(ui.tr("report.from_hub"), {dateText(*st.held_from, v.utc_offset_minutes)}), IM_COL32(170, 170, 170, 255));
  // issue 15: the service manager turns to the month's fault slips (signed
  // at a bay that holds the month: not from the hub's figures)
  if (v.has(Role::ServiceManager) && !st.hub_report) {
    if (ui.button("report.show_charts", ui.tr("report.charts"), st.report_slips ? Tone::Neutral : Tone::Primary, ui.m.mm(60),
                  Icon::None))
      st.report_slips = false;
    ImGui::SameLine();
    if (ui.button("report.show_slips", ui.tr("slips.title"), st.report_slips ? Tone::Primary : Tone::Neutral, ui.m.mm(60),
                  Icon::Sign))
      st.report_slips = true;
  } else {
    st.report_slips = false;
  }
  const float colW = (avail.x - ui.m.gap() - ui.m.mm(4)) / 2;
  ui.beginList("report.body", {avail.x, ImGui::GetContentRegionAvail().y});
  if (st.report_slips) {
    faultSlips(ui, v, avail.x - ui.m.mm(4), out);
    ui.endList();
    return;
  }
  ImGui::BeginGroup();
  {
    std::vector<Bar> rows;
    double max = 0;
    for (auto& [t, c] : r.rework_by_trade) {
      rows.push_back({ui.tr("trade." + std::string(name(t))), double(c.count),
                      std::to_string(c.count) + " · " + fixed(c.hours, "%.1fh")});
      max = std::max(max, double(c.count));
    }
    bars(ui, ui.tr("report.rework_by_trade"), rows, max, colW, 8, Tone::Bad);
  }
  {
    std::vector<Bar> rows;
    double max = 0;
    for (auto& [d, c] : r.rework_by_defect) {
      rows.push_back({ui.data(d), double(c.count), std::to_string(c.count)});
      max = std::max(max, double(c.count));
    }
    std::sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.value > b.value; });
    bars(ui, ui.tr("report.rework_by_defect"), rows, max, colW, 8, Tone::Warn);
  }
  {
    std::vector<Bar> rows;
    for (auto& [k, p] : r.first_pass)
      rows.push_back({ui.tr("inspection." + std::string(name(k))), p.rate(),
                      fixed(p.rate() * 100, "%.0f%%") + " (" + std::to_string(p.first) + ")"});
    bars(ui, ui.tr("report.first_pass"), rows, 1.0, colW, 8, Tone::Good);
  }
  ImGui::EndGroup();
  ImGui::SameLine();
  ImGui::BeginGroup();
  comebacks(ui, v, r, colW);  // issue 15: what judges the shop most, first
  {
    std::vector<Bar> rows;
    double max = 1.2;
    for (auto& [id, e] : r.efficiency) {
      if (e.actual_hours <= 0) continue;
      rows.push_back({personName(s, id), e.ratio(), fixed(e.ratio() * 100, "%.0f%%")});
      max = std::max(max, e.ratio());
    }
    std::sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.value > b.value; });
    bars(ui, ui.tr("report.efficiency"), rows, max, colW, 30, Tone::Primary, 1.0);
  }
  {
    int incidents = 0;
    for (auto& [t, n] : r.incidents_by_trade) incidents += n;
    ui.text(ui.tr("report.addons"), ui.fonts.large);
    ui.wrapped(format(ui.tr("report.addon_counts"), {std::to_string(r.addons_raised), std::to_string(r.addons_approved),
                                                  std::to_string(r.addons_declined), std::to_string(r.addons_refused)}));
    ui.text(format(ui.tr("report.incidents"), {std::to_string(incidents)}));
  }
  ImGui::EndGroup();
  ui.endList();
}

}  // namespace bk::ui
