#include "store/auth.hpp"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

namespace bk {
namespace {

struct Peppered {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  ~Peppered() { sodium_memzero(mac, sizeof mac); }
};

void pepper(const std::vector<std::uint8_t>& key, const std::string& pin, Peppered& out) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key.data(), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(pin.data()), pin.size());
  crypto_auth_hmacsha256_final(&st, out.mac);
  sodium_memzero(&st, sizeof st);
}

}  // namespace

PinHasher::PinHasher(std::vector<std::uint8_t> pep, AuthPolicy policy)
    : pepper_(std::move(pep)), policy_(policy) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  if (pepper_.size() < 32) throw std::invalid_argument("pepper must be at least 32 bytes");
}

PinHasher::~PinHasher() { sodium_memzero(pepper_.data(), pepper_.size()); }

bool PinHasher::wellFormed(const std::string& pin) {
  if (pin.size() < 4 || pin.size() > 8) return false;
  for (char c : pin) if (c < '0' || c > '9') return false;
  return true;
}

std::string PinHasher::hash(const std::string& pin) const {
  Peppered p;
  pepper(pepper_, pin, p);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, reinterpret_cast<const char*>(p.mac), sizeof p.mac, policy_.opslimit,
                            policy_.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("Argon2id hashing failed (out of memory)");
  return out;
}

bool PinHasher::ownParameters(const std::string& stored) const {
  if (stored.empty() || stored.size() >= crypto_pwhash_STRBYTES || stored.rfind("$argon2id$", 0) != 0) return false;
  return crypto_pwhash_str_needs_rehash(stored.c_str(), policy_.opslimit, policy_.memlimit) == 0;
}

bool PinHasher::verify(const std::string& stored, const std::string& pin) const {
  if (!ownParameters(stored)) return false;
  Peppered p;
  pepper(pepper_, pin, p);
  return crypto_pwhash_str_verify(stored.c_str(), reinterpret_cast<const char*>(p.mac), sizeof p.mac) == 0;
}

namespace {
struct BoxKey {
  unsigned char k[crypto_secretbox_KEYBYTES];
  ~BoxKey() { sodium_memzero(k, sizeof k); }
};

bool deriveBoxKey(const std::vector<std::uint8_t>& pep, const AuthPolicy& pol, const std::string& pin,
                  const unsigned char* salt, BoxKey& out) {
  Peppered p;
  pepper(pep, pin, p);
  return crypto_pwhash(out.k, sizeof out.k, reinterpret_cast<const char*>(p.mac), sizeof p.mac, salt, pol.opslimit,
                       pol.memlimit, crypto_pwhash_ALG_ARGON2ID13) == 0;
}

std::string hexOf(const unsigned char* p, std::size_t n) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) { s += hex[p[i] >> 4]; s += hex[p[i] & 15]; }
  return s;
}

bool unhex(const std::string& h, unsigned char* out, std::size_t n) {
  if (h.size() != 2 * n) return false;
  auto nib = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
  for (std::size_t i = 0; i < n; ++i) {
    const int hi = nib(h[2 * i]), lo = nib(h[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return true;
}
}  // namespace

PinHasher::Sealed PinHasher::seal(const std::array<std::uint8_t, 32>& seed, const std::string& pin) const {
  std::array<std::uint8_t, 40> fresh;
  randombytes_buf(fresh.data(), fresh.size());
  return sealWith(seed, pin, fresh);
}

PinHasher::Sealed PinHasher::sealWith(const std::array<std::uint8_t, 32>& seed, const std::string& pin,
                                      const std::array<std::uint8_t, 40>& salt_and_nonce) const {
  static_assert(crypto_pwhash_SALTBYTES + crypto_secretbox_NONCEBYTES == 40);
  unsigned char salt[crypto_pwhash_SALTBYTES];
  unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 32];
  std::copy_n(salt_and_nonce.begin(), sizeof salt, salt);
  std::copy_n(salt_and_nonce.begin() + sizeof salt, crypto_secretbox_NONCEBYTES, box);
  BoxKey key;
  if (!deriveBoxKey(pepper_, policy_, pin, salt, key)) throw std::runtime_error("Argon2id key derivation failed (out of memory)");
  crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, seed.data(), seed.size(), box, key.k);
  return {hexOf(box, sizeof box), hexOf(salt, sizeof salt)};
}

bool PinHasher::unseal(const std::string& sealed, const std::string& salt_hex, const std::string& pin,
                       std::array<std::uint8_t, 32>& seed) const {
  unsigned char salt[crypto_pwhash_SALTBYTES];
  unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 32];
  if (!wellFormed(pin) || !unhex(salt_hex, salt, sizeof salt) || !unhex(sealed, box, sizeof box)) return false;
  BoxKey key;
  if (!deriveBoxKey(pepper_, policy_, pin, salt, key)) return false;
  return crypto_secretbox_open_easy(seed.data(), box + crypto_secretbox_NONCEBYTES,
                                    sizeof box - crypto_secretbox_NONCEBYTES, box, key.k) == 0;
}

}  // namespace bk
