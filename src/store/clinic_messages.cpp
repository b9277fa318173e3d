// ClinicStore: the client's consent to messages and the unsubscribe link (docs/mail.md).

#include <fmt/format.h>
#include <openssl/rand.h>

#include <array>

#include "clinic_detail.hpp"
#include "needlework/store/clinic_store.hpp"

namespace needlework::store {

using detail::fail;

Result<MessageConsentRecord> ClinicStore::record_message_consent(const Actor& by, std::string_view client_id,
                                                                 bool agreed, ConsentVia via) {
  return store_.transaction_returning<MessageConsentRecord>([&]() -> Result<MessageConsentRecord> {
    NW_CHECK(require_client(client_id));
    NW_TRY(consents, store_.message_consents_of(client_id));
    // Saying again what is in force writes nothing: the record keeps when it was first said.
    if (!consents.empty() && consents.back().agreed == agreed) return consents.back();
    MessageConsentRecord c;
    c.client_id = std::string(client_id);
    c.agreed = agreed;
    c.recorded_at = by.at;
    c.recorded_by = by.name;
    c.via = via;
    return store_.insert_message_consent(by, c);
  });
}

Result<std::optional<MessageConsentRecord>> ClinicStore::message_consent(std::string_view client_id) {
  NW_CHECK(require_client(client_id));
  NW_TRY(consents, store_.message_consents_of(client_id));
  if (consents.empty()) return std::optional<MessageConsentRecord>{};
  return std::optional<MessageConsentRecord>{consents.back()};
}

Result<MessageConsentRecord> ClinicStore::unsubscribe(const Actor& by, std::string_view token) {
  NW_TRY(client, store_.client_of_unsubscribe_token(token));
  if (!client) {
    return fail(ErrorCode::not_found, "this unsubscribe link is not known (it may be mistyped)", "token");
  }
  return record_message_consent(by, *client, false, ConsentVia::unsubscribe_link);
}

Result<std::string> ClinicStore::unsubscribe_token(std::string_view client_id, DateTime at) {
  NW_TRY(existing, store_.unsubscribe_token(client_id));
  if (existing) return *existing;
  // 128 random bits, as hex: unguessable, and the link only ever withdraws this client's consent.
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return fail(ErrorCode::io_error, "no random bytes for an unsubscribe link", "token");
  }
  std::string token;
  for (auto b : bytes) token += fmt::format("{:02x}", b);
  return store_.keep_unsubscribe_token(client_id, token, at);
}

}  // namespace needlework::store
