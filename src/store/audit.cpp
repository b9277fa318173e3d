// The audit hash chain, backend-neutral: the shared SQL layer (sql/sql_store.cpp) stores AuditEntry rows and
// verifies them here.

#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>
#include <stdexcept>

#include "needlework/store/store.hpp"

namespace needlework::store {

std::string sha256_hex(std::string_view bytes) {
  // OpenSSL's one-shot digest: it uses the CPU's SHA instructions where there are any (BM_Sha256 in
  // bench/store_bench.cpp: 1.0 µs for 1,200 bytes against libsodium's 3.6 µs), and every write hashes its
  // record and its audit entry.
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != 32) {
    throw std::runtime_error("OpenSSL could not compute a SHA-256 digest");
  }
  static constexpr char hex_digits[] = "0123456789abcdef";
  std::string hex(64, '0');
  for (unsigned i = 0; i < 32; ++i) {
    hex[2 * i] = hex_digits[digest[i] >> 4];
    hex[2 * i + 1] = hex_digits[digest[i] & 0x0f];
  }
  return hex;
}

std::string CanonicalText::with_id(std::int64_t id) const {
  std::string text;
  text.reserve(before_id.size() + after_id.size() + 26);
  text += before_id;
  text += "\"id\":";
  text += std::to_string(id);
  text += after_id;
  return text;
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

void ChainVerifier::add(const AuditEntry& e) {
  ++check_.entries;
  if (!check_.ok) return;
  auto bad = [&](std::int64_t seq, std::string problem) {
    check_.ok = false;
    check_.first_bad_seq = seq;
    check_.problem = std::move(problem);
  };
  if (e.seq != expected_seq_) {
    return bad(expected_seq_, fmt::format("entry {} is missing (the next entry is {}): an entry was removed",
                                          expected_seq_, e.seq));
  }
  if (e.prev_hash != prev_) {
    return bad(e.seq,
               fmt::format("entry {} does not follow entry {}: its prev_hash differs", e.seq, e.seq - 1));
  }
  if (audit_hash(e) != e.hash) {
    return bad(e.seq, fmt::format("entry {} was changed: its hash does not match its contents", e.seq));
  }
  prev_ = e.hash;
  ++expected_seq_;
}

AuditCheck ChainVerifier::finish(const std::optional<std::pair<std::int64_t, std::string>>& head) {
  AuditCheck check = check_;
  if (!check.ok) return check;
  auto bad = [&](std::int64_t seq, std::string problem) {
    check.ok = false;
    check.first_bad_seq = seq;
    check.problem = std::move(problem);
    return check;
  };
  const std::int64_t last = expected_seq_ - 1;
  if (head) {
    if (head->first != last) {
      return bad(last + 1, fmt::format("the log ends at entry {} but {} entries were written: the newest "
                                       "entries were removed",
                                       last, head->first));
    }
    if (head->second != prev_) return bad(last, fmt::format("entry {} differs from the recorded head", last));
  } else if (last != 0) {
    return bad(1, "the audit head record is missing");
  }
  return check;
}

AuditCheck verify_chain(const std::vector<AuditEntry>& entries,
                        std::optional<std::pair<std::int64_t, std::string>> head) {
  ChainVerifier v;
  for (const auto& e : entries) v.add(e);
  return v.finish(head);
}

}  // namespace needlework::store
