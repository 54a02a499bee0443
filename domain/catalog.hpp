#pragma once
// Checklist templates and defect lists, kept as data in assets/catalog (both
// languages), never in code.
#include "domain/model.hpp"

namespace bk {

struct TemplateItem {
  std::string key, zh, en, unit;
  std::optional<double> min, max;
  std::vector<std::string> ops;  // only on these labour operations (empty: on any)
  bool measured() const { return !unit.empty(); }
};

struct DefectDef {
  std::string code, zh, en;
  Trade trade = Trade::None;  // None: general, offered for every trade
};

struct LaborOp {  // 工时项目: what the front desk puts on a work order
  std::string code, zh, en;
  Trade trade = Trade::None;
  int minutes = 0;
};

struct Phrase {  // a pick-list entry, so no flow needs a keyboard
  std::string code, zh, en;
  Trade trade = Trade::None;
  int minutes = 0;
  bool safety = false;
  std::int64_t price_cents = 0;  // issue 14: a part's catalog price (parts only)
};

class Catalog {
 public:
  // Throws std::runtime_error naming what is wrong in the files.
  static Catalog parse(const json& checklists, const json& defects, const json& operations,
                       const json& phrases);
  static Catalog load(const std::string& catalog_dir);

  // The items for an inspection kind: those for any trade, then the trade's;
  // an item meant for some labour operations only is left out of a job
  // that is another known one (`op_code`: the operation's labour code).
  std::vector<TemplateItem> checklist(InspectionKind kind, Trade trade, const std::string& op_code = {}) const;
  // A fresh checklist to fill in (issue 12): every verdict unset, measured
  // values empty, each item's text as the signer will read it.
  std::vector<ChecklistItem> blankItems(InspectionKind kind, Trade trade, const std::string& op_code = {}) const;
  // Issue 12: which catalog an inspection used (a hash of its files'
  // content), recorded in every inspection.
  const std::string& version() const { return version_; }
  // The trade's defects followed by the general ones.
  std::vector<DefectDef> defects(Trade trade) const;
  const DefectDef* defect(const std::string& code) const;
  const TemplateItem* item(const std::string& key) const;
  const std::vector<DefectDef>& allDefects() const { return defects_; }
  const std::vector<LaborOp>& laborOps() const { return labor_; }
  const LaborOp* laborOp(const std::string& code) const;
  // Phrase groups: addon_reasons, not_covered_reasons, dispute_reasons, review_resolutions,
  // parts, na_reasons, road_test_findings.
  const std::vector<Phrase>& phrases(const std::string& group) const;
  const Phrase* phrase(const std::string& code) const;
  // Issue 14: the parts' catalog prices added up (a code not in the parts
  // list counts nothing), for an add-on's quote.
  std::int64_t partsCents(const std::vector<std::string>& parts) const;
  // A code's text in the language ("zh" or "en"): a labour operation, phrase,
  // defect or checklist item; the code itself when unknown (free text).
  std::string text(const std::string& code, const std::string& lang) const;
  // Every text of both languages, for a font's glyph set.
  std::string allText() const;

 private:
  std::map<std::pair<InspectionKind, Trade>, std::vector<TemplateItem>> lists_;
  std::vector<DefectDef> defects_;
  std::vector<LaborOp> labor_;
  std::map<std::string, std::vector<Phrase>> phrases_;
  std::string version_;
};

}  // namespace bk
