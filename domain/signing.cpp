#include "domain/signing.hpp"

#include <sodium.h>

#include <stdexcept>

namespace bk {

KeyPair::KeyPair(const Seed& seed) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  crypto_sign_seed_keypair(pub.data(), secret.data(), seed.data());
}
KeyPair::~KeyPair() { sodium_memzero(secret.data(), secret.size()); }

std::string toHexBytes(const std::uint8_t* p, std::size_t n) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) { s += hex[p[i] >> 4]; s += hex[p[i] & 15]; }
  return s;
}

bool fromHexBytes(std::string_view hex, std::uint8_t* out, std::size_t n) {
  if (hex.size() != 2 * n) return false;
  auto nib = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
  for (std::size_t i = 0; i < n; ++i) {
    const int hi = nib(hex[2 * i]), lo = nib(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return true;
}

std::string KeyPair::pubHex() const { return toHexBytes(pub.data(), pub.size()); }
std::string KeyPair::id() const { return keyIdOf(pubHex()); }

std::string keyIdOf(const std::string& pub_hex) {
  std::uint8_t pub[32];
  if (!fromHexBytes(pub_hex, pub, sizeof pub)) return {};
  std::uint8_t h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, pub, sizeof pub);
  return toHexBytes(h, 8);
}

std::string signBytes(const KeyPair& k, std::string_view message) {
  std::uint8_t sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       k.secret.data());
  return toHexBytes(sig, sizeof sig);
}

bool verifyBytes(const std::string& pub_hex, std::string_view message, const std::string& sig_hex) {
  std::uint8_t pub[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
  if (!fromHexBytes(pub_hex, pub, sizeof pub) || !fromHexBytes(sig_hex, sig, sizeof sig)) return false;
  return crypto_sign_verify_detached(sig, reinterpret_cast<const unsigned char*>(message.data()), message.size(), pub) == 0;
}

std::string signatureMessage(const Signature& sig) { return "bay-kiosk signature v1\n" + sig.digest; }

void signAction(Action& a, const Id& signer, Millis at, const KeyPair& k) {
  Signature* sig = signatureOf(a);
  if (!sig) return;
  sig->key = k.id();
  sig->value.clear();
  sealSignature(a, signer, at);  // meaning, record, time, and the digest, which covers the key id
  sig->value = signBytes(k, signatureMessage(*sig));
  if (auto* ri = std::get_if<RecordInspection>(&a)) ri->inspection.sig = *sig;
}

bool signatureHolds(const Action& a, const Signature& sig, const std::string& pub_hex) {
  return sig.digest == signingDigest(a) && verifyBytes(pub_hex, signatureMessage(sig), sig.value);
}

std::string registrationMessage(const RegisterKey& r) {
  json j{{"person", r.person}, {"key", r.key}, {"at", r.at}};
  if (!r.setup.empty()) j["setup"] = r.setup;  // issue 13: the setup code it was made with
  return "bay-kiosk key v1\n" + canonical(j);
}

RegisterKey registration(const Id& person, const KeyPair& k, std::string sealed, std::string salt, Millis at, Id setup) {
  RegisterKey r;
  r.person = person;
  r.setup = std::move(setup);
  r.key = PersonKey{k.id(), k.pubHex(), std::move(sealed), std::move(salt), at};
  r.at = at;
  r.proof = signBytes(k, registrationMessage(r));
  return r;
}

void approveRegistration(RegisterKey& r, const Id& approver, Millis at, const KeyPair& k) {
  Signature s;
  s.signer = approver;
  s.at = at;
  s.meaning = "person.key_reset";
  s.record = "person/" + r.person;
  s.key = k.id();
  r.approval = s;
  r.approval->digest = signingDigest(Action{r});
  r.approval->value = signBytes(k, signatureMessage(*r.approval));
}

bool approvalHolds(const RegisterKey& r, const std::string& approver_pub_hex) {
  if (!r.approval) return false;
  const Signature& s = *r.approval;
  return s.meaning == "person.key_reset" && s.record == "person/" + r.person && s.digest == signingDigest(Action{r}) &&
         verifyBytes(approver_pub_hex, signatureMessage(s), s.value);
}

}  // namespace bk
