#include "record/quality_record.hpp"

#include "domain/actions.hpp"
#include "domain/report.hpp"
#include "domain/rules.hpp"

#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <qrencode.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace bk::record {

// ---- labels -----------------------------------------------------------------

Labels Labels::load(const std::string& dir) {
  Labels l;
  for (auto [file, out] : {std::pair{"zh.json", &l.zh_}, std::pair{"en.json", &l.en_}}) {
    const json j = readJsonFile(dir + "/" + file);
    for (auto& [k, v] : j.items())
      if (v.is_string()) (*out)[k] = v.get<std::string>();
  }
  return l;
}

const std::string& Labels::operator()(const std::string& lang, const std::string& key) const {
  const auto& first = lang == "en" ? en_ : zh_;
  const auto& second = lang == "en" ? zh_ : en_;
  if (auto it = first.find(key); it != first.end()) return it->second;
  if (auto it = second.find(key); it != second.end()) return it->second;
  static thread_local std::string k;
  k = key;
  return k;
}

// ---- what the record states, and its verification id --------------------------

namespace {

json recordFacts(const Shop& s, const WorkOrder& wo) {
  json ops = json::array(), ins = json::array(), rws = json::array(), incs = json::array(), adds = json::array();
  for (const Operation* op : s.opsOf(wo.id)) ops.push_back(*op);
  for (auto& [id, in] : s.inspections) if (in.wo == wo.id) ins.push_back(in);
  for (auto& [id, rw] : s.reworks) if (rw.wo == wo.id) rws.push_back(rw);
  for (auto& [id, inc] : s.incidents) if (inc.wo == wo.id) incs.push_back(inc);
  for (auto& [id, a] : s.addons) if (a.wo == wo.id) adds.push_back(a);
  return {{"work_order", wo}, {"operations", ops}, {"inspections", ins}, {"reworks", rws}, {"incidents", incs}, {"addons", adds}};
}

constexpr const char* kIdPrefix = "BK1.";
constexpr std::size_t kIdDigest = 24;

}  // namespace

std::string recordDigest(const Shop& s, const WorkOrder& wo) { return sha256Hex(canonical(recordFacts(s, wo))); }

std::string verificationId(const Shop& s, const WorkOrder& wo) {
  return kIdPrefix + wo.id + "." + recordDigest(s, wo).substr(0, kIdDigest);
}

std::string checkVerificationId(const Shop& s, const std::string& id) {
  const std::string prefix = kIdPrefix;
  const auto dot = id.rfind('.');
  if (!id.starts_with(prefix) || dot == std::string::npos || dot <= prefix.size() || id.size() - dot - 1 != kIdDigest)
    return "not a verification id of a quality record (BK1.<work order>.<24 hex>)";
  const Id wo = id.substr(prefix.size(), dot - prefix.size());
  const WorkOrder* w = s.workOrder(wo);
  if (!w) return "the log has no work order " + wo;
  if (recordDigest(s, *w).substr(0, kIdDigest) != id.substr(dot + 1))
    return "the record of " + w->number + " in the log is not the one printed: it changed after printing, or the paper was altered";
  return {};
}

// ---- drawing -------------------------------------------------------------------

namespace {

constexpr double kPageW = 595.28, kPageH = 841.89, kMargin = 42, kQr = 92;

std::string timeText(Millis t, int offset_min) {
  if (t <= 0) return "—";
  const std::time_t secs = static_cast<std::time_t>((t + Millis{offset_min} * 60000) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%d %H:%M", &tm);
  return b;
}

std::string number(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", v);
  return b;
}

// A page-flowing writer: text wrapped to the width, a new page (with the
// footer) when the next line would not fit.
class Writer {
 public:
  Writer(cairo_t* cr, cairo_font_face_t* face, std::string footer)
      : cr_(cr), face_(face), footer_(std::move(footer)) {
    cairo_set_font_face(cr_, face_);
    y_ = kMargin;
  }
  double y() const { return y_; }
  void skip(double dy) { y_ += dy; }
  void ensure(double h) {
    if (y_ + h <= kPageH - kMargin - 18) return;
    finishPage();
    cairo_show_page(cr_);
    y_ = kMargin;
  }
  void finishPage() {
    ++page_;
    cairo_set_source_rgb(cr_, 0.35, 0.35, 0.35);
    cairo_set_font_size(cr_, 7.5);
    cairo_move_to(cr_, kMargin, kPageH - kMargin + 10);
    cairo_show_text(cr_, (footer_ + "   · " + std::to_string(page_)).c_str());
    cairo_set_source_rgb(cr_, 0, 0, 0);
  }
  // Writes `text` at x (wrapped to `width`), `size` pt; returns the lines used.
  int line(const std::string& text, double size, double x = kMargin, double width = kPageW - 2 * kMargin,
           double grey = 0) {
    cairo_set_font_size(cr_, size);
    cairo_set_source_rgb(cr_, grey, grey, grey);
    int lines = 0;
    std::string rest = text;
    while (!rest.empty() || lines == 0) {
      std::size_t cut = fit(rest, width);
      ensure(size * 1.45);
      cairo_move_to(cr_, x, y_ + size);
      cairo_show_text(cr_, rest.substr(0, cut).c_str());
      y_ += size * 1.45;
      ++lines;
      rest = rest.substr(cut);
      while (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
      if (rest.empty()) break;
    }
    cairo_set_source_rgb(cr_, 0, 0, 0);
    return lines;
  }
  void rule() {
    ensure(8);
    cairo_set_line_width(cr_, 0.6);
    cairo_move_to(cr_, kMargin, y_ + 3);
    cairo_line_to(cr_, kPageW - kMargin, y_ + 3);
    cairo_stroke(cr_);
    y_ += 8;
  }
  cairo_t* cr() const { return cr_; }

 private:
  // How many bytes of `s` fit in `width` (whole UTF-8 characters, at a
  // space when there is one in the line).
  std::size_t fit(const std::string& s, double width) {
    cairo_text_extents_t e;
    cairo_text_extents(cr_, s.c_str(), &e);
    if (e.x_advance <= width) return s.size();
    std::size_t lo = 0, best = 0;
    while (lo < s.size()) {
      std::size_t next = lo + 1;
      while (next < s.size() && (static_cast<unsigned char>(s[next]) & 0xC0) == 0x80) ++next;
      cairo_text_extents(cr_, s.substr(0, next).c_str(), &e);
      if (e.x_advance > width) break;
      best = lo = next;
    }
    if (best == 0) return std::min<std::size_t>(s.size(), 1);
    const auto space = s.rfind(' ', best);
    return space != std::string::npos && space > best / 2 ? space : best;
  }
  cairo_t* cr_;
  cairo_font_face_t* face_;
  std::string footer_;
  double y_ = 0;
  int page_ = 0;
};

void drawQr(cairo_t* cr, const std::string& text, double x, double y, double size) {
  std::unique_ptr<QRcode, void (*)(QRcode*)> qr(QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1),
                                                QRcode_free);
  if (!qr) throw std::runtime_error("quality record: cannot encode the QR code");
  const int n = qr->width, quiet = 2;
  const double cell = size / (n + 2 * quiet);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c)
      if (qr->data[r * n + c] & 1) cairo_rectangle(cr, x + (c + quiet) * cell, y + (r + quiet) * cell, cell, cell);
  cairo_fill(cr);
}

void drawStrokes(cairo_t* cr, const std::vector<Stroke>& strokes, double x, double y, double w, double h) {
  cairo_set_line_width(cr, 0.5);
  cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
  cairo_rectangle(cr, x, y, w, h);
  cairo_stroke(cr);
  cairo_set_source_rgb(cr, 0.05, 0.05, 0.3);
  cairo_set_line_width(cr, 1.2);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  for (const Stroke& st : strokes) {
    for (std::size_t i = 0; i < st.size(); ++i) {
      const double px = x + w * st[i][0] / kPadScale, py = y + h * st[i][1] / kPadScale;
      if (i == 0) cairo_move_to(cr, px, py);
      else cairo_line_to(cr, px, py);
    }
    if (st.size() == 1) cairo_line_to(cr, x + w * st[0][0] / kPadScale + 0.5, y + h * st[0][1] / kPadScale);
    cairo_stroke(cr);
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
}

cairo_status_t appendTo(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// One FreeType library for the process (cairo may keep a face in its cache
// after a render returns; the face is freed with cairo's font face), and one
// render at a time: FreeType faces of one library are not thread-safe.
std::mutex& faceMutex() {
  static std::mutex mu;
  return mu;
}
// Ends a document: everything written and released; throws if cairo failed.
void finish(cairo_t* cr, cairo_surface_t* surface, cairo_font_face_t* face, const char* what) {
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  cairo_font_face_destroy(face);
  if (status != CAIRO_STATUS_SUCCESS) throw std::runtime_error(std::string(what) + ": " + cairo_status_to_string(status));
}

// The font as a cairo face (the caller holds faceMutex()).
cairo_font_face_t* openFace(const std::string& font) {
  static FT_Library ft = [] {
    FT_Library lib = nullptr;
    if (FT_Init_FreeType(&lib)) throw std::runtime_error("quality record: FreeType does not start");
    return lib;
  }();
  FT_Face ftFace = nullptr;
  if (FT_New_Face(ft, font.c_str(), 0, &ftFace)) throw std::runtime_error("quality record: cannot read the font " + font);
  cairo_font_face_t* face = cairo_ft_font_face_create_for_ft_face(ftFace, 0);
  static const cairo_user_data_key_t faceKey{};
  if (cairo_font_face_set_user_data(face, &faceKey, ftFace, [](void* f) { FT_Done_Face(static_cast<FT_Face>(f)); }) !=
      CAIRO_STATUS_SUCCESS) {
    cairo_font_face_destroy(face);
    FT_Done_Face(ftFace);
    throw std::runtime_error("quality record: cairo cannot take the font");
  }
  return face;
}

}  // namespace

std::string renderPdf(const Shop& s, const Catalog& cat, const Labels& labels, const WorkOrder& wo, const Options& o) {
  const std::string& lang = o.lang;
  auto L = [&](const std::string& key) -> const std::string& { return labels(lang, key); };
  auto data = [&](const std::string& code) { return cat.text(code, lang); };
  auto who = [&](const Id& id) { const Person* p = s.person(id); return p ? p->name : id.str(); };
  auto when = [&](Millis t) { return timeText(t, o.utc_offset_minutes); };

  std::lock_guard lock(faceMutex());
  cairo_font_face_t* face = openFace(o.font);

  std::string pdf;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(appendTo, &pdf, kPageW, kPageH);
  const std::string id = verificationId(s, wo);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, (L("record.title") + " " + wo.number).c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Bay Kiosk bk-hub");
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT, id.c_str());
  cairo_t* cr = cairo_create(surface);
  {
    Writer w(cr, face, L("record.title") + " " + wo.number + " · " + id);

    // heading, with the QR code of the verification id at the right
    const double top = w.y();
    drawQr(cr, id, kPageW - kMargin - kQr, top - 6, kQr);
    const double textW = kPageW - 2 * kMargin - kQr - 10;
    if (!o.shop.empty()) w.line(o.shop, 10, kMargin, textW, 0.3);
    w.line(L("record.title"), 19, kMargin, textW);
    w.line(L("record.verification") + ": " + id, 7.5, kMargin, textW, 0.3);
    w.line(L("record.printed") + " " + when(o.printed_at), 7.5, kMargin, textW, 0.3);
    w.skip(std::max(0.0, top + kQr - 4 - w.y()));
    w.rule();

    // the work order
    const std::string category = L("category." + std::string(name(wo.category)));
    w.line(L("record.work_order") + " " + wo.number + "    " + wo.vehicle.plate + "    " + wo.vehicle.model, 12);
    w.line("VIN " + wo.vehicle.vin + "    " + L("record.customer") + " " + wo.customer + "    " + L("record.advisor") +
               " " + who(wo.advisor) + "    " + category,
           9);
    w.line(L("record.opened") + " " + when(wo.opened_at) + "    " + L("record.promised") + " " + when(wo.promised_at), 9);
    if (wo.delivered_at) {
      w.line(L("record.delivered") + " " + when(*wo.delivered_at) + " · " + who(wo.delivered_by.value_or("")) + "    " +
                 L("delivery.gate_pass") + " " + wo.gate_pass,
             10);
      if (wo.old_parts) w.line(L("delivery.old_parts") + ": " + L("old_parts." + std::string(name(*wo.old_parts))), 9);
    } else {
      std::string blockers;
      for (const Refusal& r : deliveryBlockers(s, wo)) blockers += (blockers.empty() ? "" : "; ") + L("reason." + std::string(name(r.reason)));
      w.line(L("record.not_delivered") + (blockers.empty() ? "" : ": " + blockers), 9, kMargin, kPageW - 2 * kMargin, 0.3);
    }
    w.skip(4);

    // the operations
    w.line(L("record.operations"), 12);
    for (const Operation* op : s.opsOf(wo.id))
      w.line(std::to_string(op->seq) + ". " + data(op->title) + "  · " + L("trade." + std::string(name(op->trade))) + " · " +
                 who(op->main_tech) + " · " + L("phase." + std::string(name(op->phase))) +
                 (op->addon ? "  (" + L("record.addon") + ")" : ""),
             9, kMargin + 8);
    w.skip(4);

    // every inspection in the order signed, with its items as signed
    std::vector<const Inspection*> ins;
    for (auto& [iid, in] : s.inspections) if (in.wo == wo.id) ins.push_back(&in);
    std::sort(ins.begin(), ins.end(), [](auto* a, auto* b) { return a->sig.at != b->sig.at ? a->sig.at < b->sig.at : a->id < b->id; });
    w.line(L("record.inspections"), 12);
    if (ins.empty()) w.line(L("record.none"), 9, kMargin + 8, kPageW - 2 * kMargin, 0.3);
    for (const Inspection* in : ins) {
      w.ensure(40);
      const Operation* op = in->op ? s.operation(*in->op) : nullptr;
      std::string head = L("inspection." + std::string(name(in->kind))) + "  " + (op ? data(op->title) + "  " : "") +
                         L("verdict." + std::string(name(in->result)));
      if (in->supersedes) head += "  (" + L("record.correction") + ")";
      if (s.superseded_by.count(in->id)) head += "  (" + L("record.corrected") + ")";
      w.line(head, 10.5, kMargin + 4);
      w.line(L("record.signed_by") + " " + who(in->sig.signer) + " · " + when(in->sig.at) + " · " +
                 L("meaning." + in->sig.meaning) + " · " + L("record.key") + " " + (in->sig.key.empty() ? "—" : in->sig.key) +
                 " · " + in->sig.digest.substr(0, 16),
             7.5, kMargin + 12, kPageW - 2 * kMargin - 12, 0.3);
      for (const ChecklistItem& it : in->items) {
        const std::string& own = lang == "en" ? it.en : it.zh;
        std::string text = (own.empty() ? data(it.key) : own) + "   " +
                           (it.verdict ? L("verdict." + std::string(name(*it.verdict))) : std::string("—"));
        if (it.value) text += "   " + number(*it.value) + " " + it.unit;
        if (it.min && it.max) text += "  (" + number(*it.min) + "–" + number(*it.max) + " " + it.unit + ")";
        if (!it.na_reason.empty()) text += "   " + data(it.na_reason);
        w.line(text, 8.5, kMargin + 16, kPageW - 2 * kMargin - 16);
      }
      if (in->road) {
        std::string found;
        for (auto& f : in->road->findings) found += (found.empty() ? "" : ", ") + data(f);
        w.line(L("inspect.road_test") + " " + (in->road_test ? L("verdict." + std::string(name(*in->road_test))) : "—") +
                   ":  " + L("road.driver") + " " + who(in->road->driver) + " · " + std::to_string(in->road->odo_start) +
                   "–" + std::to_string(in->road->odo_end) + " km · " + std::to_string(in->road->minutes) + " min · " + found,
               8.5, kMargin + 16, kPageW - 2 * kMargin - 16);
      } else if (in->road_test) {
        w.line(L("inspect.road_test") + " " + L("verdict." + std::string(name(*in->road_test))), 8.5, kMargin + 16);
      }
      if (in->defect) {
        const DefectDef* d = cat.defect(*in->defect);
        w.line(L("inspect.defect") + ": " + (d ? (lang == "en" ? d->en : d->zh) : *in->defect), 8.5, kMargin + 16);
      }
      if (!in->catalog.empty()) w.line(L("record.catalog") + " " + in->catalog, 7, kMargin + 16, kPageW - 2 * kMargin, 0.4);
      w.skip(3);
    }

    // rework history (R7), with who answers for it (R8)
    std::vector<const Rework*> rws;
    for (auto& [rid, rw] : s.reworks) if (rw.wo == wo.id) rws.push_back(&rw);
    std::sort(rws.begin(), rws.end(), [](auto* a, auto* b) { return a->opened_at < b->opened_at; });
    w.skip(2);
    w.line(L("record.rework"), 12);
    if (rws.empty()) w.line(L("record.none"), 9, kMargin + 8, kPageW - 2 * kMargin, 0.3);
    for (const Rework* rw : rws) {
      const Operation* op = s.operation(rw->op);
      const DefectDef* d = cat.defect(rw->defect);
      auto inc = s.incidents.find("inc-" + rw->inspection);
      w.line((op ? data(op->title) : rw->op.str()) + " · " + L("inspection." + std::string(name(rw->found_in))) + " · " +
                 (d ? (lang == "en" ? d->en : d->zh) : rw->defect) + " · " + when(rw->opened_at) + " – " +
                 (rw->closed_at ? when(*rw->closed_at) : L("record.open")) +
                 (inc == s.incidents.end() ? ""
                  : inc->second.voided ? " · " + L("record.charge_voided")  // issue 15
                  : inc->second.held_by ? " · " + L("record.charge_held")
                  : " · " + L("record.charged_to") + " " + who(inc->second.charged_to)),
             9, kMargin + 8);
    }

    // declined safety items (R13) and the customer's acknowledgement
    const std::vector<Id> declined = declinedSafety(s, wo.id);
    if (!declined.empty()) {
      w.skip(4);
      w.line(L("delivery.declined_safety"), 12);
      for (const Id& aid : declined) {
        const AddOn& a = s.addons.at(aid);
        w.line("· " + data(a.reason) + " · " + L("record.declined") + " " + when(a.consent->sig.at) + " · " + who(a.consent->sig.signer),
               9, kMargin + 8);
      }
      if (wo.ack) {
        w.line(L("record.customer_signature"), 9, kMargin + 8);
        w.ensure(80);
        drawStrokes(cr, wo.ack->strokes, kMargin + 8, w.y(), 220, 66);
        w.skip(70);
        w.line("SHA-256 " + wo.ack->hash, 7, kMargin + 8, kPageW - 2 * kMargin, 0.3);
      } else {
        w.line(L("record.customer_not_signed"), 9, kMargin + 8, kPageW - 2 * kMargin, 0.3);
      }
    }
    w.finishPage();
  }
  finish(cr, surface, face, "quality record");
  return pdf;
}

// Issue 13: setup-code slips, four to an A4 page, cut lines between.
std::string renderSlips(const std::vector<Slip>& slips, const Labels& labels, const Options& o) {
  std::lock_guard lock(faceMutex());
  cairo_font_face_t* face = openFace(o.font);
  std::string pdf;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(appendTo, &pdf, kPageW, kPageH);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, labels("zh", "slip.title").c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Bay Kiosk bk-hub");
  cairo_t* cr = cairo_create(surface);
  cairo_set_font_face(cr, face);
  const double slipH = (kPageH - 2 * 24) / 4;
  auto text = [&](const std::string& t, double x, double y, double size, double grey = 0) {
    cairo_set_font_size(cr, size);
    cairo_set_source_rgb(cr, grey, grey, grey);
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, t.c_str());
  };
  for (std::size_t i = 0; i < slips.size(); ++i) {
    const Slip& sl = slips[i];
    const double top = 24 + slipH * static_cast<double>(i % 4);
    if (i % 4 == 0 && i > 0) cairo_show_page(cr);
    if (i % 4 != 3 && i + 1 < slips.size()) {  // a dashed line to cut along
      const double dash[] = {4, 3};
      cairo_set_dash(cr, dash, 2, 0);
      cairo_set_line_width(cr, 0.5);
      cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
      cairo_move_to(cr, 24, top + slipH);
      cairo_line_to(cr, kPageW - 24, top + slipH);
      cairo_stroke(cr);
      cairo_set_dash(cr, nullptr, 0, 0);
    }
    const double x = kMargin;
    double y = top + 26;
    if (!o.shop.empty()) text(o.shop, x, y, 9, 0.35), y += 16;
    text(labels("zh", "slip.title") + " · " + labels("en", "slip.title"), x, y, 13), y += 26;
    text(sl.name + "    " + labels("zh", "slip.badge") + " / " + labels("en", "slip.badge") + " " + sl.badge, x, y, 15), y += 40;
    // the code, large and spaced in pairs so it is read and typed without a slip
    std::string spaced;
    for (std::size_t k = 0; k < sl.code.size(); ++k) spaced += (k && k % 4 == 0 ? "  " : "") + std::string(1, sl.code[k]);
    text(labels("zh", "slip.code") + " / " + labels("en", "slip.code"), x, y - 22, 8, 0.35);
    text(spaced, x, y + 8, 30), y += 30;
    text(labels("zh", "slip.expires") + " / " + labels("en", "slip.expires") + " " + timeText(sl.expires_at, o.utc_offset_minutes),
         x, y, 9, 0.2), y += 16;
    text(labels("zh", "slip.instructions"), x, y, 9.5), y += 14;
    text(labels("en", "slip.instructions"), x, y, 8.5, 0.25);
  }
  if (slips.empty()) text(labels("zh", "slip.none") + " / " + labels("en", "slip.none"), kMargin, 80, 12);
  cairo_show_page(cr);
  finish(cr, surface, face, "setup slips");
  return pdf;
}

// Issue 15: the month's fault slips (过失单), a page for each technician:
// every incident charged to them in the month with where it stood, and the
// service manager's signature while the slips signed are these.
std::string renderFaultSlips(const Shop& s, const Catalog& cat, const Labels& labels, const std::string& month,
                             const Options& o) {
  const std::string& lang = o.lang;
  auto L = [&](const std::string& key) -> const std::string& { return labels(lang, key); };
  auto who = [&](const Id& id) { const Person* p = s.person(id); return p ? p->name : id.str(); };
  const std::vector<SlipRow> rows = faultSlipRows(s, month);
  std::vector<FaultSlipLine> lines;
  for (const SlipRow& r : rows) lines.push_back(r.line);
  const auto signedIt = s.fault_slips.find(month);
  const FaultSlips* signedSlips = signedIt != s.fault_slips.end() && signedIt->second.lines == lines ? &signedIt->second : nullptr;

  std::lock_guard lock(faceMutex());
  cairo_font_face_t* face = openFace(o.font);
  std::string pdf;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(appendTo, &pdf, kPageW, kPageH);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, (L("slips.title") + " " + month).c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Bay Kiosk");
  cairo_t* cr = cairo_create(surface);
  {
    Writer w(cr, face, L("slips.title") + " " + month);
    auto heading = [&](const std::string& person) {
      if (!o.shop.empty()) w.line(o.shop, 10, kMargin, kPageW - 2 * kMargin, 0.3);
      w.line(L("slips.title") + "  " + month, 19);
      if (!person.empty()) w.line(person, 14);
      w.line(L("record.printed") + " " + timeText(o.printed_at, o.utc_offset_minutes), 7.5, kMargin,
             kPageW - 2 * kMargin, 0.3);
      w.rule();
    };
    auto signature = [&] {
      w.skip(10);
      if (signedSlips)
        w.line(L("slips.signed_by") + " " + who(signedSlips->sig.signer) + "  " +
                   timeText(signedSlips->sig.at, o.utc_offset_minutes) + "  · " + L("record.key") + " " +
                   signedSlips->sig.key + "  · SHA-256 " + signedSlips->sig.digest.substr(0, 16),
               9);
      else w.line(L("slips.not_signed"), 10, kMargin, kPageW - 2 * kMargin, 0.3);
      w.skip(14);
      w.line(L("slips.technician_signature") + "  ______________________", 10);
    };
    if (rows.empty()) {
      heading({});
      w.line(L("slips.none"), 12);
      signature();
    }
    for (std::size_t i = 0; i < rows.size();) {
      const Id person = rows[i].line.charged_to;
      if (i > 0) {
        w.finishPage();
        cairo_show_page(cr);
        w.skip(kMargin - w.y());
      }
      const Person* p = s.person(person);
      heading(who(person) + (p && p->trade != Trade::None ? "  · " + L("trade." + std::string(name(p->trade))) : ""));
      int n = 0;
      for (; i < rows.size() && rows[i].line.charged_to == person; ++i, ++n) {
        const SlipRow& r = rows[i];
        const std::string where = r.rework ? L("inspection." + std::string(name(r.rework->found_in))) : "";
        w.line(std::to_string(n + 1) + ".  " + timeText(r.incident->at, o.utc_offset_minutes) + "   " +
                   (r.wo ? r.wo->number + "  " + r.wo->vehicle.plate : r.incident->wo.str()) + "   " +
                   (r.op ? cat.text(r.op->title, lang) : r.incident->op.str()),
               10.5);
        w.line(L("record.defect") + ": " + cat.text(r.incident->defect, lang) + "   · " + where + "   · " +
                   L("slips.state." + r.line.state),
               9.5, kMargin + 14);
      }
      w.skip(4);
      w.line(L("slips.count") + " " + std::to_string(n), 11);
      signature();
    }
    w.finishPage();
  }
  finish(cr, surface, face, "fault slips");
  return pdf;
}

}  // namespace bk::record
