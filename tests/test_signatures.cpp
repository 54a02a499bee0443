// Issue 11: a signature only its signer can make. Each person has an Ed25519
// key; a signed action carries the signature over the digest of exactly
// what was signed, with the key's id, and every store verifies it against
// the signer's key current at that point of the log. Keys are registered
// with proof of the secret; a replacement needs a service manager.
#include "tests/support.hpp"

#include <doctest/doctest.h>

using namespace bkt;

namespace {

// tech1 has worked on wo-N-1 and may now sign its self-inspection.
struct ReadyForSelf {
  World w;
  Id wo, op;
  ReadyForSelf() {
    wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
    op = wo + "-1";
    w.clockOn("tech1", op, T0);
  }
  RecordInspection self(Millis at = T0 + 60 * MIN) { return w.inspection(InspectionKind::Self, wo, op, "tech1", true, at); }
};

Action asAction(const RecordInspection& r) { return Action{r}; }

}  // namespace

TEST_CASE("a signature is its signer's: forged, copied, tampered or made with another key, it is refused") {
  ReadyForSelf f;
  const RecordInspection good = f.self();
  CHECK(check(f.w.s, good));
  CHECK_FALSE(good.sig.key.empty());
  CHECK(good.sig.key == testKey("tech1").id());

  SUBCASE("a correct SHA-256 digest with no key (what any token could make before)") {
    Action forged = RecordInspection{good.inspection, {}};
    sealSignature(forged, "tech1", T0 + 60 * MIN);
    CHECK(std::get<RecordInspection>(forged).sig.digest == signingDigest(forged));
    CHECK(f.w.refused(forged) == Reason::SignatureInvalid);
  }
  SUBCASE("the signer's key id, someone else's key") {
    Action forged = RecordInspection{good.inspection, {}};
    signAction(forged, "tech1", T0 + 60 * MIN, testKey("qi"));
    auto& r = std::get<RecordInspection>(forged);
    r.sig.key = r.inspection.sig.key = testKey("tech1").id();
    CHECK(f.w.refused(forged) == Reason::SignatureInvalid);
  }
  SUBCASE("copied to another record") {
    RecordInspection other = good;
    other.inspection.id = "in-other";
    CHECK(f.w.refused(asAction(other)) == Reason::SignatureInvalid);  // its digest names in-1's content
    // and with the digest made again, the value no longer verifies
    Action a = other;
    auto& r = std::get<RecordInspection>(a);
    r.sig.record = r.inspection.sig.record = "inspection/in-other";
    r.sig.digest.clear();
    r.inspection.sig = r.sig;
    r.sig.digest = r.inspection.sig.digest = signingDigest(a);
    CHECK(f.w.refused(a) == Reason::SignatureInvalid);
  }
  SUBCASE("what was signed, changed afterwards") {
    RecordInspection changed = good;
    changed.inspection.items.front().verdict =
        changed.inspection.items.front().verdict == Verdict::Pass ? Verdict::NotApplicable : Verdict::Pass;
    CHECK(f.w.refused(asAction(changed)) == Reason::SignatureInvalid);
  }
  SUBCASE("a signature value of the wrong form") {
    RecordInspection bad = good;
    bad.sig.value = bad.inspection.sig.value = "00";
    CHECK(f.w.refused(asAction(bad)) == Reason::SignatureInvalid);
  }
  f.w.must(good);
}

TEST_CASE("a person from before signature keys: their old signatures count until they have a key") {
  World w;
  w.must(EnrollPerson{Person{"old1", "老师傅", {Role::Technician}, Trade::Mechanical, "1098", {}}});
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "old1")});
  w.clockOn("old1", wo + "-1", T0);
  Action legacy = RecordInspection{w.inspection(InspectionKind::Self, wo, wo + "-1", "old1", true, T0 + 60 * MIN).inspection, {}};
  sealSignature(legacy, "old1", T0 + 60 * MIN);
  CHECK(std::get<RecordInspection>(legacy).sig.beforeKeys());
  CHECK(check(w.s, legacy));  // no key yet: as before
  w.must(testKeyRegistration("old1", T0 + 30 * MIN));
  CHECK(w.refused(legacy) == Reason::SignatureInvalid);  // now only their key signs for them
  w.must(w.inspection(InspectionKind::Self, wo, wo + "-1", "old1", true, T0 + 60 * MIN));
}

TEST_CASE("registering a key: proof of the secret, a first key or a re-seal as it comes, a new key only with a service manager") {
  World w;
  w.must(EnrollPerson{Person{"new1", "新人", {Role::Technician}, Trade::Mechanical, "1097", {}}});
  // an enrolment cannot carry keys, and a re-enrolment keeps them
  Person withKey{"new2", "新人二", {Role::Technician}, Trade::Mechanical, "1096", {}};
  withKey.keys = {testKeyRegistration("new2", T0).key};
  CHECK(w.refused(EnrollPerson{withKey}) == Reason::BadInput);
  // the proof must be the new key's own
  RegisterKey first = testKeyRegistration("new1", T0);
  RegisterKey noProof = first;
  noProof.proof = testKeyRegistration("qi", T0).proof;
  CHECK(w.refused(noProof) == Reason::SignatureInvalid);
  RegisterKey otherSealed = first;
  otherSealed.key.sealed[0] = otherSealed.key.sealed[0] == 'a' ? 'b' : 'a';  // the proof covers the sealed form too
  CHECK(w.refused(otherSealed) == Reason::SignatureInvalid);
  RegisterKey wrongId = first;
  wrongId.key.id = testKey("qi").id();
  CHECK(w.refused(wrongId) == Reason::BadInput);
  w.must(first);
  CHECK(w.s.person("new1")->currentKey()->id == testKey("new1").id());
  w.must(EnrollPerson{Person{"new1", "新人", {Role::Technician, Role::Foreman}, Trade::Mechanical, "1097", {}}});
  CHECK(w.s.person("new1")->keys.size() == 1);

  // the same key re-sealed (a PIN change): its own proof is enough
  RegisterKey reseal = first;
  reseal.key.sealed = std::string(144, 'c');
  reseal.at = reseal.key.since = T0 + MIN;
  reseal.proof = signBytes(testKey("new1"), registrationMessage(reseal));
  w.must(reseal);
  CHECK(w.s.person("new1")->keys.size() == 1);
  CHECK(w.s.person("new1")->currentKey()->sealed == std::string(144, 'c'));

  // a new key in place of theirs (a reset): whoever had the old key or the
  // token cannot just take the person over
  Seed seed{};
  seed.fill(7);
  const KeyPair fresh(seed);
  RegisterKey reset = registration("new1", fresh, std::string(144, 'd'), std::string(32, 'e'), T0 + 2 * MIN);
  CHECK(w.refused(reset) == Reason::SignatureInvalid);
  RegisterKey byAdvisor = reset;
  approveRegistration(byAdvisor, "advisor", T0 + 2 * MIN, testKey("advisor"));
  CHECK(w.refused(byAdvisor) == Reason::LacksRole);
  RegisterKey forgedApproval = reset;
  approveRegistration(forgedApproval, "manager", T0 + 2 * MIN, testKey("advisor"));
  forgedApproval.approval->key = testKey("manager").id();
  CHECK(w.refused(forgedApproval) == Reason::SignatureInvalid);
  RegisterKey ownReset = registration("manager", fresh, std::string(144, 'd'), std::string(32, 'e'), T0 + 2 * MIN);
  approveRegistration(ownReset, "manager", T0 + 2 * MIN, testKey("manager"));
  CHECK(w.refused(ownReset) == Reason::OwnWork);
  approveRegistration(reset, "manager", T0 + 2 * MIN, testKey("manager"));
  w.must(reset);
  const Person& p = *w.s.person("new1");
  REQUIRE(p.keys.size() == 2);
  CHECK(p.currentKey()->id == fresh.id());
  CHECK(p.keys.front().sealed.empty());  // retired: nothing left to unseal
  // a retired key is not taken back
  RegisterKey back = testKeyRegistration("new1", T0 + 3 * MIN);
  approveRegistration(back, "manager", T0 + 3 * MIN, testKey("manager"));
  CHECK(w.refused(back) == Reason::BadInput);
}

TEST_CASE("the store: signing unseals the key with the PIN, a change re-seals it, a reset replaces it, old signatures keep verifying") {
  StaffedStore fx;
  Store& st = fx.st;
  REQUIRE(st.setPin("tech1", testPin("tech1"), T0));
  REQUIRE(st.setPin("manager", testPin("manager"), T0));
  CHECK(st.setPin("tech1", "975311", T0).refusal->reason == Reason::BadInput);  // not a way round the key
  REQUIRE(st.record(testWorkOrder("wo-1", Category::GeneralRepair, {spec("wo-1-1", Trade::Mechanical, "tech1")}), T0));
  REQUIRE(st.record(ClockOn{"te-1", "tech1", "wo-1-1", "bay1", T0}, T0));
  World w;  // for a blank inspection
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  auto blank = [&](const Id& id) {
    Inspection in = w.inspection(InspectionKind::Self, wo, wo + "-1", "tech1", true, T0).inspection;
    in.id = id;
    in.wo = "wo-1";
    in.op = "wo-1-1";
    in.sig = {};
    return RecordInspection{in, {}};
  };
  auto first = st.sign(blank("in-1"), "tech1", testPin("tech1"), T0 + 60 * MIN);
  REQUIRE(first);
  CHECK(st.shop().inspections.at("in-1").sig.key == testKey("tech1").id());
  CHECK_FALSE(st.shop().inspections.at("in-1").sig.value.empty());

  // a change: the same key, sealed under the new PIN
  REQUIRE(st.changePin("tech1", testPin("tech1"), "975310", T0 + 61 * MIN));
  CHECK(st.shop().person("tech1")->keys.size() == 1);
  CHECK(st.signInPin("tech1", "975310", T0 + 62 * MIN));
  CHECK(st.signInPin("tech1", testPin("tech1"), T0 + 62 * MIN).outcome.refusal->reason == Reason::WrongPin);
  // a reset by the service manager: a new key, and the old one retired
  CHECK(st.resetPin("tech1", "864200", "tech2", testPin("tech2"), T0 + 63 * MIN).refusal);  // not a manager's
  REQUIRE(st.resetPin("tech1", "864200", "manager", testPin("manager"), T0 + 63 * MIN));
  const Person& t = *st.shop().person("tech1");
  REQUIRE(t.keys.size() == 2);
  CHECK(t.currentKey()->id != testKey("tech1").id());
  // in-1, signed with the old key, verifies still: the log replays to the same records
  CHECK(matchesReplay(st));
  CHECK(st.shop().inspections.count("in-1") == 1);
  // the old PIN and key are gone; a signature made with the old key now is refused
  REQUIRE(st.record(ClockOn{"te-2", "tech1", "wo-1-1", "bay1", T0 + 70 * MIN}, T0 + 70 * MIN).outcome.refusal);
  Action stale = blank("in-2");
  signAction(stale, "tech1", T0 + 80 * MIN, testKey("tech1"));
  CHECK(st.record(stale, T0 + 80 * MIN).reason() == Reason::SignatureInvalid);
  CHECK(st.signInPin("tech1", "864200", T0 + 81 * MIN));
}

TEST_CASE("a sealed key opens only with its PIN and the shop's pepper") {
  const PinHasher h(testPepper(), fastAuth());
  Seed seed{};
  seed.fill(3);
  const PinHasher::Sealed s = h.seal(seed, "246810");
  CHECK(s.sealed.size() == 144);
  Seed out{};
  CHECK(h.unseal(s.sealed, s.salt, "246810", out));
  CHECK(out == seed);
  CHECK_FALSE(h.unseal(s.sealed, s.salt, "246811", out));
  CHECK_FALSE(PinHasher(std::vector<std::uint8_t>(32, 1), fastAuth()).unseal(s.sealed, s.salt, "246810", out));
  std::string flipped = s.sealed;
  flipped[100] = flipped[100] == '0' ? '1' : '0';
  CHECK_FALSE(h.unseal(flipped, s.salt, "246810", out));
  CHECK(h.seal(seed, "246810").sealed != s.sealed);  // a fresh salt and nonce each time
}
