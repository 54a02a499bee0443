#include "domain/catalog.hpp"

#include "domain/actions.hpp"

#include <algorithm>

#include <fstream>
#include <stdexcept>

namespace bk {
namespace {

TemplateItem parseItem(const json& j) {
  TemplateItem t;
  t.key = j.at("key").get<std::string>();
  t.zh = j.at("zh").get<std::string>();
  t.en = j.at("en").get<std::string>();
  if (t.key.empty() || t.zh.empty() || t.en.empty()) throw std::runtime_error("empty checklist item");
  if (j.contains("unit")) {
    t.unit = j.at("unit").get<std::string>();
    t.min = j.at("min").get<double>();
    t.max = j.at("max").get<double>();
    if (*t.min > *t.max) throw std::runtime_error("tolerance min > max for " + t.key);
  }
  if (j.contains("ops")) t.ops = j.at("ops").get<std::vector<std::string>>();
  return t;
}

}  // namespace

Catalog Catalog::parse(const json& checklists, const json& defects, const json& operations,
                       const json& phrases) {
  Catalog c;
  try {
    for (auto& [kindName, byTrade] : checklists.items()) {
      if (kindName.starts_with("_")) continue;
      InspectionKind kind;
      if (!bk::parse(kindName, kind)) throw std::runtime_error("unknown inspection kind " + kindName);
      for (auto& [tradeName, items] : byTrade.items()) {
        Trade trade = Trade::None;
        if (tradeName != "any" && !bk::parse(tradeName, trade))
          throw std::runtime_error("unknown trade " + tradeName);
        auto& list = c.lists_[{kind, trade}];
        for (auto& it : items) list.push_back(parseItem(it));
      }
    }
    for (auto& [tradeName, list] : defects.items()) {
      if (tradeName.starts_with("_")) continue;
      Trade trade = Trade::None;
      if (tradeName != "general" && !bk::parse(tradeName, trade))
        throw std::runtime_error("unknown trade " + tradeName);
      for (auto& d : list) {
        DefectDef def{d.at("code").get<std::string>(), d.at("zh").get<std::string>(),
                      d.at("en").get<std::string>(), trade};
        if (c.defect(def.code)) throw std::runtime_error("duplicate defect " + def.code);
        c.defects_.push_back(def);
      }
    }
    for (auto& o : operations.at("operations")) {
      LaborOp op{o.at("code").get<std::string>(), o.at("zh").get<std::string>(),
                 o.at("en").get<std::string>(), o.at("trade").get<Trade>(), o.at("minutes").get<int>()};
      if (op.minutes <= 0) throw std::runtime_error("labour operation without minutes: " + op.code);
      c.labor_.push_back(op);
    }
    for (auto& [group, list] : phrases.items()) {
      if (group.starts_with("_")) continue;
      auto& out = c.phrases_[group];
      for (auto& p : list) {
        Phrase ph{p.at("code").get<std::string>(), p.at("zh").get<std::string>(),
                  p.at("en").get<std::string>()};
        if (p.contains("trade")) ph.trade = p.at("trade").get<Trade>();
        if (p.contains("minutes")) ph.minutes = p.at("minutes").get<int>();
        if (p.contains("safety")) ph.safety = p.at("safety").get<bool>();
        if (p.contains("price_cents")) ph.price_cents = p.at("price_cents").get<std::int64_t>();
        // issue 14: every part has its catalog price
        if (group == "parts" && (ph.price_cents <= 0 || ph.price_cents > 100'000'000))
          throw std::runtime_error("part without a price: " + ph.code);
        out.push_back(ph);
      }
    }
    for (auto& [k, list] : c.lists_)
      for (auto& t : list)
        for (auto& code : t.ops)
          if (!c.laborOp(code)) throw std::runtime_error("checklist item " + t.key + " names unknown operation " + code);
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("catalog: ") + e.what());
  }
  c.version_ = sha256Hex(canonical(json::array({checklists, defects, operations, phrases}))).substr(0, 12);
  return c;
}

Catalog Catalog::load(const std::string& dir) {
  return parse(readJsonFile(dir + "/checklists.json"), readJsonFile(dir + "/defects.json"),
               readJsonFile(dir + "/operations.json"), readJsonFile(dir + "/phrases.json"));
}

std::vector<TemplateItem> Catalog::checklist(InspectionKind kind, Trade trade, const std::string& op_code) const {
  std::vector<TemplateItem> out;
  auto add = [&](const std::vector<TemplateItem>& list) {
    const bool known = laborOp(op_code) != nullptr;
    for (auto& t : list)
      if (t.ops.empty() || !known || std::find(t.ops.begin(), t.ops.end(), op_code) != t.ops.end()) out.push_back(t);
  };
  if (auto it = lists_.find({kind, Trade::None}); it != lists_.end()) add(it->second);
  if (trade != Trade::None)
    if (auto it = lists_.find({kind, trade}); it != lists_.end()) add(it->second);
  return out;
}

std::vector<ChecklistItem> Catalog::blankItems(InspectionKind kind, Trade trade, const std::string& op_code) const {
  std::vector<ChecklistItem> out;
  for (auto& t : checklist(kind, trade, op_code)) {
    ChecklistItem it;
    it.key = t.key;
    it.unit = t.unit;
    it.min = t.min;
    it.max = t.max;
    it.zh = t.zh;
    it.en = t.en;
    out.push_back(std::move(it));
  }
  return out;
}

std::vector<DefectDef> Catalog::defects(Trade trade) const {
  std::vector<DefectDef> out;
  for (auto& d : defects_) if (d.trade == trade && trade != Trade::None) out.push_back(d);
  for (auto& d : defects_) if (d.trade == Trade::None) out.push_back(d);
  return out;
}

const DefectDef* Catalog::defect(const std::string& code) const {
  for (auto& d : defects_) if (d.code == code) return &d;
  return nullptr;
}

const TemplateItem* Catalog::item(const std::string& key) const {
  for (auto& [k, list] : lists_)
    for (auto& t : list) if (t.key == key) return &t;
  return nullptr;
}

const LaborOp* Catalog::laborOp(const std::string& code) const {
  for (auto& o : labor_) if (o.code == code) return &o;
  return nullptr;
}

const std::vector<Phrase>& Catalog::phrases(const std::string& group) const {
  static const std::vector<Phrase> none;
  auto it = phrases_.find(group);
  return it == phrases_.end() ? none : it->second;
}

const Phrase* Catalog::phrase(const std::string& code) const {
  for (auto& [g, list] : phrases_)
    for (auto& p : list) if (p.code == code) return &p;
  return nullptr;
}

std::int64_t Catalog::partsCents(const std::vector<std::string>& parts) const {
  std::int64_t sum = 0;
  for (const std::string& code : parts)
    for (const Phrase& p : phrases("parts"))
      if (p.code == code) sum += p.price_cents;
  return sum;
}

std::string Catalog::text(const std::string& code, const std::string& lang) const {
  const bool zh = lang == "zh";
  if (auto* o = laborOp(code)) return zh ? o->zh : o->en;
  if (auto* p = phrase(code)) return zh ? p->zh : p->en;
  if (auto* d = defect(code)) return zh ? d->zh : d->en;
  if (auto* t = item(code)) return zh ? t->zh : t->en;
  return code;
}

std::string Catalog::allText() const {
  std::string s;
  for (auto& [k, list] : lists_) for (auto& t : list) s += t.zh + t.en + t.unit;
  for (auto& d : defects_) s += d.zh + d.en;
  for (auto& o : labor_) s += o.zh + o.en;
  for (auto& [g, list] : phrases_) for (auto& p : list) s += p.zh + p.en;
  return s;
}

}  // namespace bk
