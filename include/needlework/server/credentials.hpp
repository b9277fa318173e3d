#pragma once
/// Passwords, tokens and keys (libsodium): argon2id hashes for passwords, random tokens for sessions, CSRF
/// and API keys, and the hash under which the store keeps a token. Shared by `needlework serve` and the CLI's
/// `users add --password-stdin`, so a password set from either is checked and hashed the same way.

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>

#include "needlework/units/error.hpp"

namespace needlework::server {

/// Passwords nobody should use (a published list of the most common ones), lower-cased.
struct CommonPasswords {
  std::unordered_set<std::string> words;
  std::string source;  ///< where the list comes from, for the refusal's message
};

/// Loads a list: one password per line, '#' lines are comments (the first names the source). `data_error`
/// naming the file when it cannot be read.
[[nodiscard]] Result<CommonPasswords> load_common_passwords(const std::filesystem::path& file);

/// What a password must be.
struct PasswordPolicy {
  std::size_t min_length = 12;              ///< in code points
  std::size_t max_characters = 128;         ///< in code points: OWASP ASVS 4.0.3 V2.1.2 denies more
  std::size_t max_length = 256;             ///< in bytes: argon2id's cost must not be an attack
  const CommonPasswords* common = nullptr;  ///< refused when on this list (nullptr: no list)
};

/// Checks a new password: long enough, not too long, valid UTF-8, not on the common list, not the user's
/// name. `invalid_value` naming `field` and saying what to do.
[[nodiscard]] Result<void> check_password(std::string_view password, std::string_view user_name,
                                          const PasswordPolicy& policy, std::string_view field = "password");

/// How costly a password hash is: `interactive` (libsodium's interactive limits, for a server), or `minimum`
/// (the least libsodium allows: only for tests, so a suite that logs in often stays fast).
enum class HashCost { interactive, minimum };

/// The argon2id hash string (crypto_pwhash_str) of a password; `io_error` when libsodium runs out of memory.
[[nodiscard]] Result<std::string> hash_password(std::string_view password, HashCost cost);
/// Whether `password` matches `hash` (crypto_pwhash_str_verify); false for a malformed hash.
[[nodiscard]] bool verify_password(std::string_view hash, std::string_view password);
/// Whether `hash` was made at another cost than `cost` gives (crypto_pwhash_str_needs_rehash): a login then
/// hashes the password again, so a changed cost reaches every account as its user next logs in. True for a
/// malformed hash.
[[nodiscard]] bool needs_rehash(std::string_view hash, HashCost cost);

/// A new random token (32 bytes from randombytes_buf, base64url without padding: 43 characters), for a
/// session, a CSRF token or an API key (`prefix` is put before it: "nwk_" for keys, so they are
/// recognisable).
[[nodiscard]] std::string new_token(std::string_view prefix = {});
/// A new one-time password for a first admin or a reset: 20 characters a person can type (no look-alikes).
[[nodiscard]] std::string new_one_time_password();
/// The hash under which a token or key is stored and looked up: hex BLAKE2b-256 (crypto_generichash). A
/// token is 256 random bits, so no salt or slow hash is needed to keep it from being guessed from its hash.
[[nodiscard]] std::string token_hash(std::string_view token);
/// Compares two strings in time that does not depend on where they differ (sodium_memcmp).
[[nodiscard]] bool equal_in_constant_time(std::string_view a, std::string_view b);

}  // namespace needlework::server
