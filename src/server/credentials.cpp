// Passwords, tokens and keys over libsodium (credentials.hpp): the password policy, argon2id hashes, random
// tokens and the hash a token is stored under.

#include "needlework/server/credentials.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>

#include "needlework/units/text.hpp"

namespace needlework::server {
namespace {

/// sodium_init once per process, before any other libsodium call; a function-local static is initialised
/// once even when several threads reach it at the same time. It fails only when the system has no source
/// of randomness, and then no token could be made: a program that cannot make one must not go on.
void ensure_sodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised (no random source)");
    return true;
  }();
  (void)ready;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// The length the minimum applies to: code points in well-formed UTF-8 (every byte that is not a
/// continuation byte starts one), a run of spaces counted once.
std::size_t counted_length(std::string_view text) {
  std::size_t n = 0;
  char previous = '\0';
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80 && !(c == ' ' && previous == ' ')) ++n;
    previous = c;
  }
  return n;
}

}  // namespace

Result<CommonPasswords> load_common_passwords(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(ErrorCode::data_error, "cannot read the common-password list", file.string());
  CommonPasswords out;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (line.front() == '#') {
      // The first comment names the list's source, for the refusal's message.
      if (out.source.empty()) {
        const auto text = std::string_view(line).substr(1);
        const auto start = text.find_first_not_of(' ');
        out.source = start == std::string_view::npos ? std::string() : std::string(text.substr(start));
      }
      continue;
    }
    out.words.insert(ascii_lower(line));
  }
  if (in.bad()) return fail(ErrorCode::data_error, "cannot read the common-password list", file.string());
  if (out.words.empty())
    return fail(ErrorCode::data_error, "the common-password list holds no password", file.string());
  return out;
}

Result<void> check_password(std::string_view password, std::string_view user_name,
                            const PasswordPolicy& policy, std::string_view field) {
  const std::string where(field);
  if (password.size() > policy.max_length) {
    return fail(ErrorCode::invalid_value,
                fmt::format("is {} bytes long; use at most {} (a passphrase of a few words is long enough)",
                            password.size(), policy.max_length),
                where);
  }
  if (!units::is_valid_utf8(password))
    return fail(ErrorCode::invalid_value, "is not valid UTF-8 text; type it again in UTF-8", where);
  // At least 12 characters: OWASP ASVS 4.0.3, V2.1.1 ("Verify that user set passwords are at least 12
  // characters in length (after multiple spaces are combined)"): characters (code points), not bytes, and a
  // run of spaces counts as one.
  if (const auto n = counted_length(password); n < policy.min_length) {
    return fail(
        ErrorCode::invalid_value,
        fmt::format("has {} characters; use at least {} (a passphrase of a few words is easy to remember)", n,
                    policy.min_length),
        where);
  }
  // At most 128 characters: ASVS 4.0.3 V2.1.2 ("passwords of at least 64 characters are permitted, and
  // passwords of more than 128 characters are denied"); the byte limit above still bounds argon2id's input.
  if (const auto n = counted_length(password); n > policy.max_characters) {
    return fail(ErrorCode::invalid_value,
                fmt::format("has {} characters; use at most {} (a passphrase of a few words is long enough)",
                            n, policy.max_characters),
                where);
  }
  const std::string lower = ascii_lower(password);
  if (!user_name.empty() && lower == ascii_lower(user_name))
    return fail(ErrorCode::invalid_value, "is the user's name; choose a password nobody could guess from it",
                where);
  if (policy.common != nullptr && policy.common->words.contains(lower)) {
    return fail(
        ErrorCode::invalid_value,
        fmt::format("is on the list of the most common passwords{}; choose one that is not (a few unrelated "
                    "words make a good one)",
                    policy.common->source.empty() ? std::string() : " (" + policy.common->source + ")"),
        where);
  }
  return {};
}

namespace {

std::pair<unsigned long long, std::size_t> limits_of(HashCost cost) {
  return cost == HashCost::minimum
             ? std::pair<unsigned long long, std::size_t>{crypto_pwhash_OPSLIMIT_MIN,
                                                          crypto_pwhash_MEMLIMIT_MIN}
             : std::pair<unsigned long long, std::size_t>{crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                          crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

}  // namespace

Result<std::string> hash_password(std::string_view password, HashCost cost) {
  ensure_sodium();
  const auto [ops, mem] = limits_of(cost);
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str(out.data(), password.data(), password.size(), ops, mem) != 0) {
    return fail(ErrorCode::io_error, "hashing the password ran out of memory (argon2id needs 64 MiB)",
                "password");
  }
  return std::string(out.data());
}

namespace {

/// A stored hash as the NUL-terminated text libsodium reads (at most crypto_pwhash_STRBYTES); nothing for one
/// that cannot be a hash (empty, too long, holding a NUL).
std::optional<std::string> hash_text(std::string_view hash) {
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES || hash.find('\0') != std::string_view::npos)
    return std::nullopt;
  return std::string(hash);
}

}  // namespace

bool needs_rehash(std::string_view hash, HashCost cost) {
  ensure_sodium();
  const auto text = hash_text(hash);
  if (!text) return true;
  const auto [ops, mem] = limits_of(cost);
  return crypto_pwhash_str_needs_rehash(text->c_str(), ops, mem) != 0;
}

bool verify_password(std::string_view hash, std::string_view password) {
  ensure_sodium();
  const auto text = hash_text(hash);
  return text && crypto_pwhash_str_verify(text->c_str(), password.data(), password.size()) == 0;
}

std::string new_token(std::string_view prefix) {
  ensure_sodium();
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::array<char, sodium_base64_ENCODED_LEN(32, variant)> text{};
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(), variant);
  sodium_memzero(bytes.data(), bytes.size());
  return std::string(prefix) + text.data();
}

std::string new_one_time_password() {
  ensure_sodium();
  // Letters and digits without the look-alikes 0/O, 1/l/I: 57 symbols, so 20 of them are about 117 bits.
  static constexpr std::string_view alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  std::string out(20, ' ');
  for (char& c : out) c = alphabet[randombytes_uniform(static_cast<std::uint32_t>(alphabet.size()))];
  return out;
}

std::string token_hash(std::string_view token) {
  ensure_sodium();
  std::array<unsigned char, 32> digest{};
  crypto_generichash(digest.data(), digest.size(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  std::array<char, 32 * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), 64);
}

bool equal_in_constant_time(std::string_view a, std::string_view b) {
  ensure_sodium();
  // The length is not secret (every token has the same); the bytes are compared without an early exit.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace needlework::server
