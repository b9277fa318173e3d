// The audit hash chain, backend-neutral: every backend stores AuditEntry rows and verifies them here.

#include <fmt/format.h>
#include <sodium.h>

#include <array>
#include <stdexcept>

#include "needlework/store/store.hpp"

namespace needlework::store {

std::string sha256_hex(std::string_view bytes) {
  // sodium_init is idempotent and thread-safe; SHA-256 itself needs no init, but libsodium asks for it.
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), crypto_hash_sha256_BYTES * 2);
}

std::string audit_hash(const AuditEntry& e) {
  // One field per line; no field may hold a newline unescaped, so the text cannot be re-split ambiguously.
  auto clean = [](std::string_view s) {
    std::string out;
    for (char c : s) {
      if (c == '\\')
        out += "\\\\";
      else if (c == '\n')
        out += "\\n";
      else
        out += c;
    }
    return out;
  };
  const std::string text = fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}", e.prev_hash, e.seq,
                                       units::format_date_time(e.at), clean(e.actor), clean(e.action),
                                       clean(e.entity), clean(e.entity_id), e.before_sha256, e.after_sha256);
  return sha256_hex(text);
}

AuditCheck verify_chain(const std::vector<AuditEntry>& entries,
                        std::optional<std::pair<std::int64_t, std::string>> head) {
  AuditCheck check;
  std::string prev(64, '0');
  std::int64_t expected_seq = 1;
  auto bad = [&](std::int64_t seq, std::string problem) {
    check.ok = false;
    check.first_bad_seq = seq;
    check.problem = std::move(problem);
    return check;
  };
  for (const auto& e : entries) {
    ++check.entries;
    if (e.seq != expected_seq) {
      return bad(expected_seq, fmt::format("entry {} is missing (the next entry is {}): an entry was removed",
                                           expected_seq, e.seq));
    }
    if (e.prev_hash != prev) {
      return bad(e.seq,
                 fmt::format("entry {} does not follow entry {}: its prev_hash differs", e.seq, e.seq - 1));
    }
    if (audit_hash(e) != e.hash) {
      return bad(e.seq, fmt::format("entry {} was changed: its hash does not match its contents", e.seq));
    }
    prev = e.hash;
    ++expected_seq;
  }
  const std::int64_t last = expected_seq - 1;
  if (head) {
    if (head->first != last) {
      return bad(last + 1, fmt::format("the log ends at entry {} but {} entries were written: the newest "
                                       "entries were removed",
                                       last, head->first));
    }
    if (head->second != prev) return bad(last, fmt::format("entry {} differs from the recorded head", last));
  } else if (last != 0) {
    return bad(1, "the audit head record is missing");
  }
  return check;
}

}  // namespace needlework::store
