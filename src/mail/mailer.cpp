// The Mailer (mailer.hpp): one message to the relay with libcurl's SMTP and curl_mime. No MIME or SMTP is
// written by hand here: libcurl builds the multipart body, encodes each part and speaks the protocol; this
// file only chooses the parts, the headers and reads the answer.

#include "needlework/mail/mailer.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <memory>
#include <mutex>

namespace needlework::mail {
namespace {

/// curl_global_init once per process, before the first handle (it is not thread-safe itself).
void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct MimeDeleter {
  void operator()(curl_mime* m) const { curl_mime_free(m); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

/// Appends to a curl_slist, keeping ownership in `list`.
void append(std::unique_ptr<curl_slist, SlistDeleter>& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown != nullptr) {
    (void)list.release();
    list.reset(grown);
  }
}

/// The relay's reply lines as libcurl reads them (CURLINFO_HEADER_IN with CURLOPT_VERBOSE): the last one is
/// the answer to the last command sent — the text a person needs when a message fails.
int on_debug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN) return 0;
  std::string line(data, size);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (!line.empty()) *static_cast<std::string*>(user) = std::move(line);
  return 0;
}

/// The address inside "Name <addr>", or the text itself.
std::string bare_address(std::string_view a) {
  const auto open = a.rfind('<');
  const auto close = a.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open)
    return std::string(a.substr(open + 1, close - open - 1));
  return std::string(a);
}

bool printable_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/// Base64 of bytes (OpenSSL's EVP_EncodeBlock), for an RFC 2047 encoded word.
std::string base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

/// Adds a text part (UTF-8, quoted-printable: readable, and lines kept under 76 characters) to `mime`.
void add_text_part(curl_mime* mime, const std::string& text, const char* type) {
  curl_mimepart* part = curl_mime_addpart(mime);
  curl_mime_data(part, text.data(), text.size());
  curl_mime_type(part, type);
  curl_mime_encoder(part, "quoted-printable");
}

}  // namespace

std::string_view to_string(TlsMode m) noexcept {
  switch (m) {
    case TlsMode::none:
      return "none";
    case TlsMode::starttls:
      return "starttls";
    case TlsMode::implicit:
      return "implicit";
  }
  return {};
}

std::optional<TlsMode> tls_mode_from_string(std::string_view s) noexcept {
  for (const auto m : {TlsMode::none, TlsMode::starttls, TlsMode::implicit}) {
    if (to_string(m) == s) return m;
  }
  return std::nullopt;
}

int MailConfig::port() const {
  if (smtp_port != 0) return smtp_port;
  switch (smtp_tls) {
    case TlsMode::none:
      return 25;
    case TlsMode::starttls:
      return 587;
    case TlsMode::implicit:
      return 465;
  }
  return 25;
}

Result<void> check(const MailConfig& c) {
  if (!c.configured()) return {};
  if (bare_address(c.mail_from).find('@') == std::string::npos) {
    return fail(ErrorCode::invalid_value,
                fmt::format("'{}' is not an email address: set the sender of the clinic's mail", c.mail_from),
                "mail_from");
  }
  if (!c.smtp_user.empty() && c.smtp_password_file.empty()) {
    return fail(ErrorCode::invalid_value, "smtp_user is set: name the file holding its password",
                "smtp_password_file");
  }
  if (c.max_attempts < 1) return fail(ErrorCode::out_of_range, "must be at least 1", "mail_max_attempts");
  return {};
}

Result<Mailer> Mailer::make(MailConfig config) {
  NW_CHECK(check(config));
  std::string password;
  if (!config.smtp_password_file.empty()) {
    std::ifstream in(config.smtp_password_file);
    if (!in) {
      return fail(ErrorCode::io_error, "cannot read the SMTP password file",
                  fmt::format("smtp_password_file ({})", config.smtp_password_file.string()));
    }
    std::getline(in, password);
    while (!password.empty() && (password.back() == '\r' || password.back() == '\n')) password.pop_back();
  }
  global_init();
  return Mailer(std::move(config), std::move(password));
}

SendReport Mailer::send(const store::OutboxMessage& m, units::DateTime date) const {
  SendReport report;
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) {
    report.attempt = {store::AttemptResult::temporary, "libcurl could not start a transfer"};
    return report;
  }
  CURL* h = curl.get();
  const std::string from_domain = store::domain_of(config_.mail_from);
  // The URL's path is the name this host gives in EHLO: the sender's domain.
  const std::string url =
      fmt::format("{}://{}:{}/{}", config_.smtp_tls == TlsMode::implicit ? "smtps" : "smtp",
                  config_.smtp_host, config_.port(), from_domain);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // a worker thread: no SIGALRM for timeouts
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(config_.timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT, static_cast<long>(config_.timeout.count()));
  if (config_.smtp_tls == TlsMode::starttls)
    curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!config_.verify_tls) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!config_.smtp_user.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, config_.smtp_user.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, password_.c_str());
  }
  const std::string envelope_from = fmt::format("<{}>", bare_address(config_.mail_from));
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, envelope_from.c_str());
  std::unique_ptr<curl_slist, SlistDeleter> rcpt;
  append(rcpt, fmt::format("<{}>", bare_address(m.recipient)));
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt.get());

  // Headers; libcurl adds MIME-Version and the multipart Content-Type of the body.
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  append(headers, "From: " + config_.mail_from);
  append(headers, "To: " + m.recipient);
  append(headers, "Subject: " + encode_header(m.subject));
  append(headers, "Date: " + rfc5322_date(date));
  append(headers, "Message-ID: " + m.message_id);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

  // multipart/mixed: the text (or text and HTML as alternatives), then the attachment.
  std::unique_ptr<curl_mime, MimeDeleter> mime(curl_mime_init(h));
  if (m.body_html.empty()) {
    add_text_part(mime.get(), m.body, "text/plain; charset=utf-8");
  } else {
    curl_mime* alternative = curl_mime_init(h);
    add_text_part(alternative, m.body, "text/plain; charset=utf-8");
    add_text_part(alternative, m.body_html, "text/html; charset=utf-8");
    curl_mimepart* part = curl_mime_addpart(mime.get());
    curl_mime_subparts(part, alternative);  // the part owns it now
    curl_mime_type(part, "multipart/alternative");
  }
  if (!m.attachment_name.empty()) {
    curl_mimepart* part = curl_mime_addpart(mime.get());
    curl_mime_data(part, m.attachment.data(), m.attachment.size());
    const std::string type = m.attachment_type.empty() ? "application/octet-stream" : m.attachment_type;
    curl_mime_type(part, type.c_str());
    curl_mime_filename(part, m.attachment_name.c_str());
    curl_mime_encoder(part, "base64");
  }
  curl_easy_setopt(h, CURLOPT_MIMEPOST, mime.get());

  std::string last_reply;
  std::array<char, CURL_ERROR_SIZE> error{};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error.data());
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);  // only to hand the replies to on_debug; nothing is printed
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(h, CURLOPT_DEBUGDATA, &last_reply);

  const CURLcode rc = curl_easy_perform(h);
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  report.code = code;
  if (rc == CURLE_OK) {
    report.attempt = {store::AttemptResult::accepted, last_reply};
    return report;
  }
  const std::string why = error[0] != '\0' ? std::string(error.data()) : std::string(curl_easy_strerror(rc));
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      // No answer to classify: the relay is down or too slow. Temporary, and the round stops.
      report.unreachable = code == 0 || rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST;
      report.attempt = {store::AttemptResult::temporary,
                        fmt::format("{}:{}: {}", config_.smtp_host, config_.port(), why)};
      return report;
    default:
      break;
  }
  const std::string answer = last_reply.empty() ? why : last_reply;
  if (code >= 500 && code < 600) {
    report.attempt = {store::AttemptResult::permanent, answer};
  } else {
    // A 4xx, or an error with no reply code (a TLS handshake, a login refused mid-way): try again later.
    report.attempt = {store::AttemptResult::temporary, answer};
  }
  return report;
}

std::string encode_header(std::string_view text) {
  if (printable_ascii(text)) return std::string(text);
  // Encoded words of at most 75 characters: "=?UTF-8?B?" + base64 + "?=" leaves 63 for base64, i.e. 45
  // bytes of text, cut only between whole UTF-8 characters.
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = std::min(text.size(), i + 45);
    while (end < text.size() && end > i && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    if (end == i) end = std::min(text.size(), i + 45);
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(text.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string rfc5322_date(units::DateTime t) {
  static constexpr std::array<const char*, 7> days{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::weekday wd{day};
  const std::chrono::hh_mm_ss hms{t - day};
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000", days[wd.c_encoding()],
                     static_cast<unsigned>(ymd.day()), months[static_cast<unsigned>(ymd.month()) - 1],
                     static_cast<int>(ymd.year()), hms.hours().count(), hms.minutes().count(),
                     hms.seconds().count());
}

}  // namespace needlework::mail
