// The security checklist's tests against a real `needlework serve` (docs/security.md, OWASP ASVS 4.0.3 level
// 2): what it writes (its access log on stdout, its stderr) holds no personal data and no secret after a run
// that carried them all, and HTTPS as `serve` sets it up (TLS 1.2 and later, forward-secret AEAD suites,
// HSTS). The process and the HTTP client are tests/server's (server_process.*, http_client.*).

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "http_client.hpp"
#include "server_process.hpp"

namespace {

namespace fs = std::filesystem;
using needlework::test::HttpClient;
using needlework::test::HttpResponse;
using needlework::test::ServeOptions;
using needlework::test::ServerProcess;
using nlohmann::json;

constexpr const char* admin_password = "quartz lantern meadow 1987";
constexpr const char* staff_password = "copper-violin-estuary-52";

class SecurityProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "nw-sec-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (HasFailure() && server_) {
      std::cerr << "server stdout:\n" << server_->output() << "\nstderr:\n" << server_->errors() << "\n";
    }
    server_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  ServerProcess& serve(std::vector<std::string> extra = {}) {
    ServeOptions o;
    o.program = NEEDLEWORK_BIN;
    o.database = (dir_ / "clinic.db").string();
    o.cwd = dir_;
    extra.insert(extra.begin(), {"--photo-dir", (dir_ / "photos").string()});
    o.extra_args = std::move(extra);
    std::string error;
    server_ = ServerProcess::start(o, error);
    if (!server_) {
      ADD_FAILURE() << error;
      throw std::runtime_error("the server did not start");
    }
    return *server_;
  }

  fs::path dir_;
  std::unique_ptr<ServerProcess> server_;
};

/// The token after `marker` in `text` (up to a character a token does not have); "" when there is none.
std::string token_after(const std::string& text, const std::string& marker) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(marker + "([A-Za-z0-9_-]+)"))) return {};
  return m[1];
}

/// The unsubscribe token of a client, read from a SQLite database ("" when there is none).
std::string unsubscribe_token_of(const fs::path& database, const std::string& client) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT token FROM unsubscribe_tokens WHERE client_id = ?", -1, &st,
                           nullptr) == SQLITE_OK) {
      sqlite3_bind_text(st, 1, client.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(st) == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      sqlite3_finalize(st);
    }
  }
  sqlite3_close(db);
  return out;
}

TEST_F(SecurityProcess, ARunCarryingEveryKindOfSecretAndPersonalDataLeavesNoneInTheLogOrOnStderr) {
  auto& server = serve();
  HttpClient admin(server.base_url());
  const auto otp = server.one_time_password();
  ASSERT_FALSE(otp.empty()) << server.output();
  ASSERT_EQ(admin.login("admin", otp).status, 200);
  ASSERT_EQ(admin.change_password(otp, admin_password).status, 200);
  const std::string admin_session = admin.cookie("nw_session");
  const std::string admin_csrf = admin.csrf_token();

  // Personal data: a client's name, email address and date of birth, and a photo's original file name.
  const std::string name = "Philippa Unloggable-Name";
  const std::string email = "philippa.private@example.org";
  const std::string born = "1979-11-23";
  ASSERT_EQ(admin
                .post("/api/v1/clients",
                      {{"id", "C-LOG"}, {"name", name}, {"email", email}, {"date_of_birth", born}})
                .status,
            201);
  const std::string file_name = "philippa-private-face.png";
  ASSERT_EQ(admin
                .request("POST", "/api/v1/clients/C-LOG/photos?kind=before&name=" + file_name,
                         std::string("\x89PNG\r\n\x1a\n", 8) + "x", "image/png")
                .status,
            201);
  ASSERT_EQ(admin.get("/api/v1/clients?q=Philippa").status, 200);

  // Staff passwords: one set, one typed wrong (a failed login), one refused by the policy.
  ASSERT_EQ(
      admin.post("/api/v1/users", {{"name", "pia"}, {"role", "practitioner"}, {"password", staff_password}})
          .status,
      201);
  HttpClient guesser(server.base_url());
  const std::string wrong_password = "wrong-but-secret-Zq81 passphrase";
  EXPECT_EQ(guesser.login("pia", wrong_password).status, 401);
  EXPECT_EQ(guesser.login("nobody-at-all", wrong_password).status, 401);
  const std::string refused_password = "short-Zq81";
  EXPECT_EQ(
      admin.post("/api/v1/users", {{"name", "rex"}, {"role", "reception"}, {"password", refused_password}})
          .status,
      422);

  // An API key, used, and a made-up one.
  const auto key = admin.post("/api/v1/api-keys", {{"label", "importer"}});
  ASSERT_EQ(key.status, 201) << key.describe();
  const std::string key_text = key.json().value("key", "");
  HttpClient machine(server.base_url());
  machine.set_bearer(key_text);
  EXPECT_EQ(machine.get("/api/v1/clients").status, 200);
  const std::string made_up_key = "nwk_madeUpButSecretKey0123456789abcdefghijkl";
  machine.set_bearer(made_up_key);
  EXPECT_EQ(machine.get("/api/v1/clients").status, 401);

  // The portal: a sign-in link (read from the outbox, as the mail would carry it), the session it opens, a
  // calendar feed fetched by its token, and the unsubscribe link of the message.
  ASSERT_EQ(admin.post("/api/v1/clients/C-LOG/portal-link").status, 202);
  HttpClient stranger(server.base_url());
  EXPECT_EQ(stranger.post("/api/v1/portal/link", {{"email", email}}).status, 202);
  const auto outbox = admin.get("/api/v1/outbox?all=true");
  ASSERT_EQ(outbox.status, 200) << outbox.describe();
  const std::string link = token_after(outbox.body, "/portal/sign-in#token=");
  ASSERT_FALSE(link.empty()) << outbox.describe();
  // The client's unsubscribe token (made when their first message was queued; the portal link's text does not
  // show it), read from the database as a message that shows it would carry it.
  const std::string unsubscribe = unsubscribe_token_of(dir_ / "clinic.db", "C-LOG");
  ASSERT_EQ(unsubscribe.size(), 32u);
  HttpClient client(server.base_url());
  const auto signed_in = client.post("/api/v1/portal/session", {{"token", link}});
  ASSERT_EQ(signed_in.status, 200) << signed_in.describe();
  const std::string portal_session = client.cookie("nw_portal");
  const std::string portal_csrf = signed_in.json().value("csrf_token", "");
  client.set_csrf_token(portal_csrf);
  const auto feed = client.post("/api/v1/portal/calendar");
  ASSERT_EQ(feed.status, 201) << feed.describe();
  const std::string calendar = token_after(feed.json().value("path", ""), "/calendar/");
  ASSERT_FALSE(calendar.empty()) << feed.describe();
  EXPECT_EQ(stranger.get("/api/v1/portal/calendar/" + calendar + ".ics").status, 200);
  EXPECT_EQ(stranger.post("/api/v1/portal/session", {{"token", link}}).status, 401) << "a link is used once";
  EXPECT_EQ(stranger.post("/api/v1/unsubscribe", {{"token", unsubscribe}}).status, 200);

  // A path that tries to write a log line of its own (a newline and a forged JSON object, %-encoded and raw).
  EXPECT_EQ(stranger.get("/api/v1/clients/x%0A%7B%22route%22%3A%22forged%22%7D").status, 401);
  EXPECT_EQ(stranger.get("/api/v1/nothing%0D%0A%7B%22route%22%3A%22forged%22%7D").status, 404);

  const auto otp_line = "one-time password: " + otp;
  EXPECT_EQ(server.stop(), 0) << server.errors();
  // The one-time password is printed once, on its own line, to the terminal (docs/server.md): every other
  // line, and all of stderr, is searched.
  std::string searched = server.errors();
  std::istringstream lines(server.output());
  std::size_t access_lines = 0;
  bool failed_login_logged = false;
  for (std::string l; std::getline(lines, l);) {
    if (l == otp_line) continue;
    searched += l + "\n";
    if (!l.starts_with("{") || l.find("\"route\"") == std::string::npos) continue;
    // Every access line is one JSON object with the route's template, who asked and from where; none is
    // forged.
    const auto j = json::parse(l, nullptr, false);
    ASSERT_TRUE(j.is_object()) << l;
    EXPECT_NE(j.value("route", ""), "forged") << l;
    EXPECT_EQ(j.value("remote", ""), "127.0.0.1") << l;
    // UTC, so lines from several instances and the audit chain line up (V7.3.4).
    EXPECT_TRUE(j.value("time", "").ends_with("Z")) << l;
    if (j.value("route", "") == "/api/v1/auth/login" && j.value("status", 0) == 401)
      failed_login_logged = true;
    ++access_lines;
  }
  EXPECT_GE(access_lines, 20u) << "the access log was not written: nothing was searched";
  EXPECT_TRUE(failed_login_logged) << "a failed login left no line (V7.2.1)";
  const std::vector<std::pair<std::string, std::string>> secrets = {
      {"client name", name},
      {"client surname", "Unloggable"},
      {"email", email},
      {"email's local part", "philippa.private"},
      {"date of birth", born},
      {"photo file name", file_name},
      {"admin password", admin_password},
      {"one-time password", otp},
      {"staff password", staff_password},
      {"wrong password", wrong_password},
      {"refused password", refused_password},
      {"staff session", admin_session},
      {"staff CSRF token", admin_csrf},
      {"API key", key_text},
      {"API key without prefix", key_text.substr(4)},
      {"made-up API key", made_up_key},
      {"portal link", link},
      {"portal session", portal_session},
      {"portal CSRF token", portal_csrf},
      {"calendar token", calendar},
      {"unsubscribe token", unsubscribe}};
  for (const auto& [what, secret] : secrets) {
    ASSERT_GE(secret.size(), 8u) << what;
    EXPECT_EQ(searched.find(secret), std::string::npos) << "the server's output holds the " << what;
  }
}

// ---- TLS -------------------------------------------------------------------------------------------------

/// A self-signed P-256 certificate for 127.0.0.1 and its key, as PEM files in `dir`.
void write_certificate(const fs::path& dir) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  ASSERT_TRUE(key);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  ASSERT_TRUE(cert);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600L * 24);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), subject);
  ASSERT_GT(X509_sign(cert.get(), key.get(), EVP_sha256()), 0);
  FILE* c = fopen((dir / "cert.pem").c_str(), "w");
  ASSERT_NE(c, nullptr);
  PEM_write_X509(c, cert.get());
  fclose(c);
  FILE* k = fopen((dir / "key.pem").c_str(), "w");
  ASSERT_NE(k, nullptr);
  PEM_write_PrivateKey(k, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  fclose(k);
}

/// What a TLS handshake with the server came to.
struct Handshake {
  bool ok = false;
  std::string version;  ///< SSL_get_version: "TLSv1.3", "TLSv1.2"
  std::string cipher;
  std::string answer;  ///< the answer to `request`, when one was given and the handshake succeeded
};

/// A TLS client of its own (OpenSSL, not libcurl, so the versions and suites it offers are the test's
/// choice): versions min..max, `ciphers` for TLS 1.2 and below (empty: OpenSSL's), at security level 0 so
/// the client itself refuses nothing the server might accept.
Handshake handshake(int port, int min_version, int max_version, const std::string& ciphers,
                    const std::string& request = {}) {
  Handshake out;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  if (!ctx) return out;
  SSL_CTX_set_security_level(ctx.get(), 0);
  SSL_CTX_set_min_proto_version(ctx.get(), min_version);
  SSL_CTX_set_max_proto_version(ctx.get(), max_version);
  if (!ciphers.empty() && SSL_CTX_set_cipher_list(ctx.get(), ciphers.c_str()) != 1) return out;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return out;
  // A bound on every read, so a server that never answers fails the test instead of hanging it.
  timeval bound{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof bound);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return out;
  }
  SSL* ssl = SSL_new(ctx.get());
  SSL_set_fd(ssl, fd);
  if (SSL_connect(ssl) == 1) {
    out.ok = true;
    out.version = SSL_get_version(ssl);
    out.cipher = SSL_get_cipher_name(ssl);
    if (!request.empty() && SSL_write(ssl, request.data(), static_cast<int>(request.size())) > 0) {
      char buffer[4096];
      for (int n; (n = SSL_read(ssl, buffer, sizeof buffer)) > 0;) {
        out.answer.append(buffer, static_cast<std::size_t>(n));
        if (out.answer.find("\r\n\r\n") != std::string::npos) break;  // the headers are all we read
      }
    }
    SSL_shutdown(ssl);
  }
  ERR_clear_error();
  SSL_free(ssl);
  ::close(fd);
  return out;
}

TEST_F(SecurityProcess, AnAccessLogFileTheServerCreatesIsReadableByItsUserAlone) {
  // V7.3.3: the log's lines name users, routes and addresses; a file the server creates is not left to the
  // umask (022 here: 0644, readable by every local account).
  const fs::path log = dir_ / "access.log";
  auto& server = serve({"--access-log", log.string()});
  HttpClient anyone(server.base_url());
  ASSERT_EQ(anyone.get("/api/v1/health").status, 200);
  EXPECT_EQ(server.stop(), 0) << server.errors();
  ASSERT_TRUE(fs::exists(log));
  const auto perms = fs::status(log).permissions();
  EXPECT_EQ(perms & (fs::perms::group_all | fs::perms::others_all), fs::perms::none)
      << "mode " << std::oct << static_cast<unsigned>(perms);
  EXPECT_EQ(perms & fs::perms::owner_read, fs::perms::owner_read);
  std::ifstream in(log);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_NE(text.find("/api/v1/health"), std::string::npos) << text;
}

TEST_F(SecurityProcess, HttpsOffersOnlyTls12AndLaterWithForwardSecretAeadSuitesAndSendsHsts) {
  write_certificate(dir_);
  ASSERT_FALSE(HasFatalFailure());
  auto& server =
      serve({"--tls-cert", (dir_ / "cert.pem").string(), "--tls-key", (dir_ / "key.pem").string()});
  ASSERT_TRUE(server.base_url().starts_with("https://")) << server.base_url();
  const int port = server.port();

  // Any version the client allows: the newest is chosen.
  const auto best = handshake(port, TLS1_VERSION, TLS1_3_VERSION, "",
                              "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(best.ok) << "no handshake at all";
  EXPECT_EQ(best.version, "TLSv1.3");
  EXPECT_NE(best.answer.find("HTTP/1.1 200"), std::string::npos) << best.answer;
  std::smatch hsts;
  ASSERT_TRUE(std::regex_search(best.answer, hsts,
                                std::regex(R"(Strict-Transport-Security: max-age=(\d+))", std::regex::icase)))
      << best.answer;
  EXPECT_GE(std::stoll(hsts[1]), 31536000LL);
  // No header names the server's software or its version (V14.3.3).
  EXPECT_FALSE(
      std::regex_search(best.answer, std::regex(R"((^|\r\n)(Server|X-Powered-By):)", std::regex::icase)))
      << best.answer;

  // TLS 1.2 with a forward-secret AEAD suite works; with a CBC suite it does not.
  const auto gcm = handshake(port, TLS1_2_VERSION, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256");
  EXPECT_TRUE(gcm.ok);
  EXPECT_EQ(gcm.cipher, "ECDHE-ECDSA-AES128-GCM-SHA256");
  EXPECT_TRUE(handshake(port, TLS1_2_VERSION, TLS1_2_VERSION, "ECDHE-ECDSA-CHACHA20-POLY1305").ok);
  // (The suites OpenSSL's defaults would also take with this key: CBC with SHA-1 or SHA-2.)
  for (const std::string weak :
       {"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA256"}) {
    EXPECT_FALSE(handshake(port, TLS1_2_VERSION, TLS1_2_VERSION, weak).ok) << weak << " was accepted";
  }
  // TLS 1.0 and 1.1 are refused, whatever the suite.
  EXPECT_FALSE(handshake(port, TLS1_VERSION, TLS1_VERSION, "ALL:@SECLEVEL=0").ok) << "TLS 1.0 was accepted";
  EXPECT_FALSE(handshake(port, TLS1_1_VERSION, TLS1_1_VERSION, "ALL:@SECLEVEL=0").ok)
      << "TLS 1.1 was accepted";
  EXPECT_EQ(server.stop(), 0) << server.errors();
}

}  // namespace
