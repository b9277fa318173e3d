#pragma once
/// Sending the outbox by email (docs/mail.md): the relay's settings, a `Mailer` that hands ONE message to an
/// SMTP relay with libcurl, and the answer classified as the delivery rules need it (store/delivery.hpp).
/// Nothing here decides what happens to a message after an answer: ClinicStore does (`record_attempt`).

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "needlework/store/delivery.hpp"
#include "needlework/store/records.hpp"
#include "needlework/units/error.hpp"

namespace needlework::mail {

/// How the connection to the relay is protected.
enum class TlsMode {
  none,      ///< plain SMTP (a relay on the same host or a trusted network)
  starttls,  ///< SMTP upgraded with STARTTLS, required (port 587)
  implicit,  ///< SMTPS: TLS from the first byte (port 465)
};

/// "none", "starttls", "implicit".
[[nodiscard]] std::string_view to_string(TlsMode m) noexcept;
[[nodiscard]] std::optional<TlsMode> tls_mode_from_string(std::string_view s) noexcept;

/// The relay and the sender (the serve settings smtp_* and mail_*, docs/server.md).
struct MailConfig {
  std::string smtp_host;  ///< "" = mail is not configured: nothing is sent
  int smtp_port = 0;      ///< 0 = the mode's port: 25 (none), 587 (starttls), 465 (implicit)
  TlsMode smtp_tls = TlsMode::starttls;
  std::string smtp_user;  ///< "" = no login
  /// A file holding the password of smtp_user (its first line): never the password itself in a flag or the
  /// environment, where `ps` and /proc show it.
  std::filesystem::path smtp_password_file;
  std::string mail_from;  ///< the sender, "Clinic <front@clinic.example>" or a bare address
  int max_attempts = 8;
  std::chrono::seconds retry_base{60};
  std::chrono::seconds poll{15};  ///< how long the worker sleeps when nothing is due
  /// How long before a booked visit its reminder is queued (each round queues what fell due:
  /// queue_due_messages).
  std::chrono::hours reminder_lead{24};
  /// Connecting, and the whole exchange of one message: a relay that takes longer is a temporary failure.
  std::chrono::seconds timeout{60};
  /// Verify the relay's certificate and name (always, outside tests of a self-signed relay).
  bool verify_tls = true;

  [[nodiscard]] bool configured() const { return !smtp_host.empty(); }
  /// The port used: smtp_port, or the mode's.
  [[nodiscard]] int port() const;
  [[nodiscard]] store::RetryPolicy retry_policy() const { return {max_attempts, retry_base}; }
};

/// Checks a configuration before use: a host needs a sender address with an @, a user needs a password
/// file that can be read. `invalid_value` naming the setting.
[[nodiscard]] Result<void> check(const MailConfig& c);

/// What the relay said to one attempt, classified (store::Attempt) with its reply code (0 when none came).
struct SendReport {
  store::Attempt attempt;
  long code = 0;
  /// True when the relay could not be reached at all (refused, unresolvable, timed out before it answered):
  /// a round stops trying other messages then.
  bool unreachable = false;
};

/// Sends messages to the relay one at a time. One libcurl handle per `send`; a Mailer may be used by one
/// thread at a time.
class Mailer {
 public:
  /// Reads the password file once (`io_error` naming smtp_password_file when it cannot).
  static Result<Mailer> make(MailConfig config);

  /// Sends `m` to `m.recipient` as a MIME message built with libcurl's curl_mime API: multipart/mixed holding
  /// the text (and, with `m.body_html`, a multipart/alternative of text and HTML), plus the attachment when
  /// there is one; headers From, To, Subject (RFC 2047 when not ASCII), Date (`date`) and Message-ID
  /// (`m.message_id`, which must be set). Accepted only when the relay accepted the DATA.
  [[nodiscard]] SendReport send(const store::OutboxMessage& m, units::DateTime date) const;

  [[nodiscard]] const MailConfig& config() const { return config_; }

 private:
  Mailer(MailConfig config, std::string password)
      : config_(std::move(config)), password_(std::move(password)) {}
  MailConfig config_;
  std::string password_;
};

/// A header value as RFC 2047 encoded words ("=?UTF-8?B?…?=", each at most 75 characters, split between
/// whole UTF-8 characters) when it is not printable ASCII; else unchanged.
[[nodiscard]] std::string encode_header(std::string_view text);

/// An RFC 5322 date ("Mon, 07 Dec 2026 06:22:31 +0000").
[[nodiscard]] std::string rfc5322_date(units::DateTime t);

}  // namespace needlework::mail
