#pragma once
// Issue 11: signatures only the signer can make. Ed25519 (libsodium): a
// person's signature is over the digest of exactly what they signed; a key
// registration carries the new key's own signature over it (proof that the
// registrant holds the secret). Pure: keys come in, no randomness here.
#include "domain/actions.hpp"

#include <array>

namespace bk {

using Seed = std::array<std::uint8_t, 32>;

// A key pair made from its 32-byte seed (the secret that is sealed).
struct KeyPair {
  std::array<std::uint8_t, 32> pub{};
  std::array<std::uint8_t, 64> secret{};  // libsodium's form: seed ‖ public key
  explicit KeyPair(const Seed& seed);
  ~KeyPair();
  KeyPair(const KeyPair&) = default;
  KeyPair& operator=(const KeyPair&) = default;
  std::string pubHex() const;
  std::string id() const;  // keyIdOf(pubHex())
};

std::string keyIdOf(const std::string& pub_hex);  // hex of the first 8 bytes of SHA-256(public key)
std::string toHexBytes(const std::uint8_t* p, std::size_t n);
bool fromHexBytes(std::string_view hex, std::uint8_t* out, std::size_t n);  // exactly n bytes

// Ed25519 over `message`: the signature as hex, and its check.
std::string signBytes(const KeyPair& k, std::string_view message);
bool verifyBytes(const std::string& pub_hex, std::string_view message, const std::string& sig_hex);

// What a person's signature value signs: the action's digest, with a label.
std::string signatureMessage(const Signature& sig);
// Seals `a`'s signature as `signer` at `at` with their key `k`: meaning,
// record, key id, digest, and the Ed25519 value over the digest.
void signAction(Action& a, const Id& signer, Millis at, const KeyPair& k);
// The Ed25519 check of a signature against the public key `pub_hex`, and
// that its digest is that of `a` (so it cannot be copied to another record).
bool signatureHolds(const Action& a, const Signature& sig, const std::string& pub_hex);

// What a registration's proof signs: the person, the key (with its sealed
// form) and the time, canonical.
std::string registrationMessage(const RegisterKey& r);
// A registration of `k` for `person`, its proof made; `sealed` and `salt`
// as the store made them; `setup`: the setup code typed with it (issue 13).
RegisterKey registration(const Id& person, const KeyPair& k, std::string sealed, std::string salt, Millis at,
                         Id setup = {});
// A service manager's approval of a registration that replaces a key: a
// signature (meaning "person.key_reset", record "person/<id>") over the
// registration with the approval's digest and value blank.
void approveRegistration(RegisterKey& r, const Id& approver, Millis at, const KeyPair& k);
bool approvalHolds(const RegisterKey& r, const std::string& approver_pub_hex);

}  // namespace bk
