// The server's settings (server/config.hpp): defaults, then the TOML file, then the environment, then the
// flags; every bad value names its setting and where it came from; and every setting is documented in
// docs/server.md.

#include "needlework/server/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace needlework::server {
namespace {

using Env = std::map<std::string, std::string>;

auto env_of(const Env& env) {
  return [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

std::filesystem::path write_toml(const std::string& text) {
  static int n = 0;
  const auto p =
      std::filesystem::temp_directory_path() /
      ("needlework-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + ".toml");
  std::ofstream(p) << text;
  return p;
}

TEST(ServerConfig, DefaultsWhenNothingIsGiven) {
  auto c = load_config(std::nullopt, env_of({}), {});
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->listen, "127.0.0.1:8080");
  EXPECT_EQ(c->database, "needlework.db");
  EXPECT_EQ(c->session_idle, std::chrono::minutes(30));
  EXPECT_FALSE(c->fast_password_hash);
}

TEST(ServerConfig, FileThenEnvironmentThenFlags) {
  const auto file = write_toml(
      "listen = \"127.0.0.1:9000\"\nthreads = 3\nlog_format = \"text\"\n"
      "database = \"from-file.db\"\n");
  // The file sets all four; the environment overrides two; a flag overrides one of those again.
  auto c = load_config(file, env_of({{"NEEDLEWORK_THREADS", "5"}, {"NEEDLEWORK_DB", "from-env.db"}}),
                       {{"database", "from-flag.db"}});
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->listen, "127.0.0.1:9000");
  EXPECT_EQ(c->log_format, "text");
  EXPECT_EQ(c->threads, 5);
  EXPECT_EQ(c->database, "from-flag.db");
  std::filesystem::remove(file);
}

TEST(ServerConfig, UnknownKeyInTheFileIsNamed) {
  const auto file = write_toml("listen = \"127.0.0.1:9000\"\nthread = 3\n");
  auto c = load_config(file, env_of({}), {});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::unknown_field);
  EXPECT_NE(c.error().where.find("thread"), std::string::npos) << c.error().where;
  std::filesystem::remove(file);
}

TEST(ServerConfig, BadValuesNameTheSettingAndWhereItCameFrom) {
  auto from_env = load_config(std::nullopt, env_of({{"NEEDLEWORK_THREADS", "0"}}), {});
  ASSERT_FALSE(from_env);
  EXPECT_EQ(from_env.error().code, ErrorCode::out_of_range);
  EXPECT_NE(from_env.error().where.find("threads ($NEEDLEWORK_THREADS)"), std::string::npos)
      << from_env.error().where;

  auto from_flag = load_config(std::nullopt, env_of({}), {{"listen", "localhost"}});
  ASSERT_FALSE(from_flag);
  EXPECT_NE(from_flag.error().where.find("--listen"), std::string::npos) << from_flag.error().where;

  auto word = load_config(std::nullopt, env_of({}), {{"session_idle_min", "ten"}});
  ASSERT_FALSE(word);
  EXPECT_EQ(word.error().code, ErrorCode::invalid_value);

  const auto file = write_toml("threads = [1, 2]\n");
  auto array = load_config(file, env_of({}), {});
  ASSERT_FALSE(array);
  EXPECT_NE(array.error().where.find("threads"), std::string::npos);
  std::filesystem::remove(file);

  const auto broken = write_toml("threads = \n");
  auto syntax = load_config(broken, env_of({}), {});
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().code, ErrorCode::parse_error);
  std::filesystem::remove(broken);
}

TEST(ServerConfig, PublicUrlDefaultsToTheListenAddressAndIsChecked) {
  auto plain = load_config(std::nullopt, env_of({}), {{"listen", "127.0.0.1:9000"}});
  ASSERT_TRUE(plain) << plain.error().describe();
  EXPECT_EQ(plain->public_url, "");
  EXPECT_EQ(public_url_of(*plain), "http://127.0.0.1:9000");
  plain->tls_cert = "cert.pem";
  EXPECT_EQ(public_url_of(*plain), "https://127.0.0.1:9000") << "TLS: the listen address as https://";

  auto given =
      load_config(std::nullopt, env_of({{"NEEDLEWORK_PUBLIC_URL", "https://clinic.example:8443/"}}), {});
  ASSERT_TRUE(given) << given.error().describe();
  EXPECT_EQ(given->public_url, "https://clinic.example:8443") << "the trailing slash dropped";
  EXPECT_EQ(public_url_of(*given), "https://clinic.example:8443");

  for (const char* bad : {"clinic.example", "ftp://clinic.example", "https://", "https://a.example/?x=1",
                          "https://a example"}) {
    auto c = load_config(std::nullopt, env_of({}), {{"public_url", bad}});
    ASSERT_FALSE(c) << bad;
    EXPECT_EQ(c.error().code, ErrorCode::invalid_value) << bad;
    EXPECT_NE(c.error().where.find("public_url"), std::string::npos) << c.error().where;
  }
}

TEST(ServerConfig, EverySettingIsDocumentedWithItsDefaultAndVariable) {
  std::ifstream in(std::filesystem::path(NEEDLEWORK_SOURCE_DIR) / "docs" / "server.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  ASSERT_FALSE(doc.empty());
  for (const auto& s : settings()) {
    // The row of the settings table: | `name` | default | `ENV` | meaning |
    const auto row = doc.find("| `" + s.name + "` |");
    ASSERT_NE(row, std::string::npos) << s.name << " has no row in docs/server.md";
    const auto end = doc.find('\n', row);
    const std::string line = doc.substr(row, end - row);
    EXPECT_NE(line.find("`" + s.env + "`"), std::string::npos) << s.name << ": " << line;
    if (s.default_text.front() != '(') {
      EXPECT_NE(line.find(s.default_text), std::string::npos) << s.name << " default " << s.default_text;
    }
  }
}

}  // namespace
}  // namespace needlework::server
