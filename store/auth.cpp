#include "store/auth.hpp"

#include <sodium.h>

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

}  // namespace bk
