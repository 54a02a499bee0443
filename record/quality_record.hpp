#pragma once
// Issue 12: the quality record (维修质量检验单) of a work order, as a PDF:
// every inspection with its items, values, signer, time and meaning, the
// road test, the rework history, the old parts, the declined safety items
// with the customer's finger signature, the gate pass, and a QR code of a
// verification id that `bk-hub verify-record` checks against the log.
// Drawn with cairo (PDF surface, the shop's CJK font through FreeType) and
// libqrencode.
#include "domain/catalog.hpp"

#include <map>
#include <string>

namespace bk::record {

// The record's texts, from assets/i18n ("record.*" and the shared keys).
class Labels {
 public:
  static Labels load(const std::string& i18n_dir);  // throws std::runtime_error
  // In `lang` ("zh" or "en"); the other language, then the key, if missing.
  const std::string& operator()(const std::string& lang, const std::string& key) const;

 private:
  std::map<std::string, std::string> zh_, en_;
};

struct Options {
  std::string lang = "zh";
  std::string font = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";
  std::string shop;  // the shop's name, in the heading
  int utc_offset_minutes = 480;
  Millis printed_at = 0;
};

// SHA-256 (hex) of everything the record states, as the log makes it: the
// work order, its operations, inspections, reworks, incidents and add-ons
// (their signatures included). A change to any of them changes it.
std::string recordDigest(const Shop& s, const WorkOrder& wo);
// What the QR code carries: "BK1.<work order id>.<first 24 hex of the digest>".
std::string verificationId(const Shop& s, const WorkOrder& wo);
// Does the record this id was printed from still hold in `s` (a state
// rebuilt from the log)? Empty: it holds; else why not, in words.
std::string checkVerificationId(const Shop& s, const std::string& id);

// The PDF's bytes. Throws std::runtime_error when the font cannot be read
// or cairo fails.
std::string renderPdf(const Shop& s, const Catalog& cat, const Labels& labels, const WorkOrder& wo, const Options& o);

// Issue 13: one slip per person with their setup code for a first PIN (or
// after a reset), four to an A4 page, in Chinese and English, to cut apart
// and hand to each person (the code is shown nowhere else).
struct Slip {
  std::string name, badge, code;
  Millis expires_at = 0;
};
std::string renderSlips(const std::vector<Slip>& slips, const Labels& labels, const Options& o);

// Issue 15: a month's fault slips (过失单), a page for each technician charged
// (domain/report.hpp faultSlipRows), with the service manager's signature
// while the slips signed are the month's as they stand.
std::string renderFaultSlips(const Shop& s, const Catalog& cat, const Labels& labels, const std::string& yyyy_mm,
                             const Options& o);

}  // namespace bk::record
