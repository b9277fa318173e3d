// Passwords, tokens and keys (credentials.hpp): the password policy's refusals, each naming its field;
// argon2id hashes that verify the right password only; tokens of the documented form; the hash a token is
// stored under; and the shipped list of common passwords.

#include "needlework/server/credentials.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

namespace nsv = needlework::server;
using needlework::ErrorCode;

namespace {

const std::filesystem::path& shipped_list() {
  static const std::filesystem::path p =
      std::filesystem::path(NEEDLEWORK_DATA_DIR) / "security" / "common-passwords.txt";
  return p;
}

const nsv::CommonPasswords& common() {
  static const nsv::CommonPasswords list = [] {
    auto l = nsv::load_common_passwords(shipped_list());
    EXPECT_TRUE(l) << l.error().describe();
    return l ? *l : nsv::CommonPasswords{};
  }();
  return list;
}

/// The default policy with the shipped list.
nsv::PasswordPolicy with_list() {
  nsv::PasswordPolicy p;
  p.common = &common();
  return p;
}

void expect_refused(const needlework::Result<void>& r, const std::string& field,
                    const std::string& fragment) {
  ASSERT_FALSE(r) << "expected a refusal mentioning '" << fragment << "'";
  EXPECT_EQ(r.error().code, ErrorCode::invalid_value) << r.error().describe();
  EXPECT_EQ(r.error().where, field) << r.error().describe();
  EXPECT_NE(r.error().message.find(fragment), std::string::npos) << r.error().describe();
}

TEST(PasswordPolicy, AGoodPasswordPasses) {
  const auto policy = with_list();
  EXPECT_TRUE(nsv::check_password("correct horse battery staple", "ana", policy));
  // Twelve characters in code points, though more bytes: "é" is two.
  EXPECT_TRUE(nsv::check_password("ééééééééééé1", "ana", policy));
}

TEST(PasswordPolicy, EachRefusalNamesTheFieldAndSaysWhatToDo) {
  const auto policy = with_list();
  expect_refused(nsv::check_password("short-pw", "ana", policy), "password", "at least 12");
  expect_refused(nsv::check_password("short-pw", "ana", policy, "new_password"), "new_password",
                 "at least 12");
  // Eleven characters of two bytes each: 22 bytes, still too short.
  expect_refused(nsv::check_password("ééééééééééé", "ana", policy), "password", "has 11 characters");
  // A run of spaces counts once (ASVS V2.1.1): "a b" padded with spaces is still 3 characters.
  expect_refused(nsv::check_password("a          b", "ana", policy), "password", "has 3 characters");
  EXPECT_TRUE(nsv::check_password("tulip meadow", "ana", policy));
  expect_refused(nsv::check_password(std::string(257, 'x'), "ana", policy), "password", "at most 256");
  // ASVS 4.0.3 V2.1.2: 64 characters and up to 128 are allowed, more are refused; 128 characters of two
  // bytes each (256 bytes) still pass, 129 single-byte ones do not.
  EXPECT_TRUE(nsv::check_password(std::string(64, 'x'), "ana", policy));
  EXPECT_TRUE(nsv::check_password(std::string(128, 'x'), "ana", policy));
  std::string two_byte;
  for (int i = 0; i < 128; ++i) two_byte += "é";
  EXPECT_TRUE(nsv::check_password(two_byte, "ana", policy)) << "128 characters in 256 bytes is the limit";
  expect_refused(nsv::check_password(std::string(129, 'x'), "ana", policy), "password", "at most 128");
  expect_refused(nsv::check_password(std::string("valid-start\xff\xfe-and-more"), "ana", policy), "password",
                 "UTF-8");
  expect_refused(nsv::check_password("Anastasia.Long", "anastasia.long", policy), "password", "user's name");
}

TEST(PasswordPolicy, ACommonPasswordIsRefusedWhateverItsCase) {
  const auto policy = with_list();
  // Twelve characters or more, on the shipped list.
  const std::string common_long = [] {
    for (const auto& w : common().words)
      if (w.size() >= 12 && std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
        return w;
    return std::string();
  }();
  ASSERT_FALSE(common_long.empty()) << "the list has long passwords";
  expect_refused(nsv::check_password(common_long, "ana", policy), "password", "most common passwords");
  std::string upper = common_long;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  expect_refused(nsv::check_password(upper, "ana", policy), "password", "most common passwords");
  // The refusal names the list's source.
  auto r = nsv::check_password(common_long, "ana", policy);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("SecLists"), std::string::npos) << r.error().message;
  // Without a list, the same password passes the other rules.
  EXPECT_TRUE(nsv::check_password(common_long, "ana", nsv::PasswordPolicy{}));
}

TEST(CommonPasswords, TheShippedListLoadsWithItsSource) {
  const auto& list = common();
  EXPECT_TRUE(list.words.contains("password"));
  EXPECT_TRUE(list.words.contains("123456"));
  EXPECT_GT(list.words.size(), 9000u);
  EXPECT_LE(list.words.size(), 10000u);
  EXPECT_NE(list.source.find("https://github.com/danielmiessler/SecLists"), std::string::npos) << list.source;
  EXPECT_NE(list.source.find("MIT"), std::string::npos) << list.source;
  EXPECT_FALSE(list.words.contains(list.source)) << "the comment is not a password";
}

TEST(CommonPasswords, AListIsLowerCasedAndAMissingOrEmptyOneIsADataError) {
  const auto dir = std::filesystem::path(::testing::TempDir());
  const auto file = dir / "needlework-common-passwords-test.txt";
  {
    std::ofstream out(file, std::ios::binary);
    out << "# a test list\r\nHunter2Hunter2\r\n\r\nletmein\n";
  }
  auto l = nsv::load_common_passwords(file);
  ASSERT_TRUE(l) << l.error().describe();
  EXPECT_EQ(l->source, "a test list");
  EXPECT_EQ(l->words, (std::unordered_set<std::string>{"hunter2hunter2", "letmein"}));

  auto missing = nsv::load_common_passwords(dir / "no-such-list.txt");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::data_error);
  EXPECT_NE(missing.error().where.find("no-such-list.txt"), std::string::npos);

  {
    std::ofstream out(file, std::ios::binary);
    out << "# only a comment\n";
  }
  auto empty = nsv::load_common_passwords(file);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::data_error);
  std::filesystem::remove(file);
}

TEST(PasswordHash, ARoundTripVerifiesTheRightPasswordOnly) {
  auto h = nsv::hash_password("correct horse battery staple", nsv::HashCost::minimum);
  ASSERT_TRUE(h) << h.error().describe();
  EXPECT_TRUE(h->starts_with("$argon2id$")) << *h;
  EXPECT_TRUE(nsv::verify_password(*h, "correct horse battery staple"));
  EXPECT_FALSE(nsv::verify_password(*h, "correct horse battery stapl"));
  EXPECT_FALSE(nsv::verify_password(*h, "Correct horse battery staple"));
  EXPECT_FALSE(nsv::verify_password(*h, ""));

  auto again = nsv::hash_password("correct horse battery staple", nsv::HashCost::minimum);
  ASSERT_TRUE(again);
  EXPECT_NE(*h, *again) << "each hash has its own salt";
}

TEST(PasswordHash, TheInteractiveCostIsLibsodiumsInteractiveLimits) {
  auto h = nsv::hash_password("correct horse battery staple", nsv::HashCost::interactive);
  ASSERT_TRUE(h) << h.error().describe();
  // crypto_pwhash_MEMLIMIT_INTERACTIVE is 64 MiB, OPSLIMIT_INTERACTIVE 2 passes (libsodium's argon2id).
  EXPECT_NE(h->find("m=65536,t=2"), std::string::npos) << *h;
  EXPECT_TRUE(nsv::verify_password(*h, "correct horse battery staple"));
  auto m = nsv::hash_password("correct horse battery staple", nsv::HashCost::minimum);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->find("m=65536"), std::string::npos) << "the minimum cost is cheaper: " << *m;
}

TEST(PasswordHash, AMalformedHashVerifiesNothing) {
  EXPECT_FALSE(nsv::verify_password("", "anything"));
  EXPECT_FALSE(nsv::verify_password("not a hash", "not a hash"));
  EXPECT_FALSE(nsv::verify_password("$argon2id$v=19$m=8,t=1,p=1$broken", "x"));
  EXPECT_FALSE(nsv::verify_password(std::string(1000, '$'), "x"));
  auto h = nsv::hash_password("correct horse battery staple", nsv::HashCost::minimum);
  ASSERT_TRUE(h);
  EXPECT_FALSE(nsv::verify_password(h->substr(0, h->size() - 4), "correct horse battery staple"))
      << "a truncated hash";
  EXPECT_FALSE(nsv::verify_password(*h + std::string(1, '\0') + "x", "correct horse battery staple"))
      << "a hash with an embedded NUL";
}

TEST(Tokens, ATokenIs43Base64UrlCharactersAndTwoDiffer) {
  const auto is_base64url = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  };
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const auto t = nsv::new_token();
    ASSERT_EQ(t.size(), 43u) << t;
    EXPECT_TRUE(std::all_of(t.begin(), t.end(), is_base64url)) << t;
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 100u) << "tokens repeat";
  const auto key = nsv::new_token("nwk_");
  EXPECT_TRUE(key.starts_with("nwk_"));
  EXPECT_EQ(key.size(), 47u);
}

TEST(Tokens, AOneTimePasswordHas20CharactersWithoutLookAlikes) {
  std::set<std::string> seen;
  std::set<char> used;
  for (int i = 0; i < 200; ++i) {
    const auto p = nsv::new_one_time_password();
    ASSERT_EQ(p.size(), 20u);
    for (char c : p) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << p;
      EXPECT_EQ(std::string("0O1lI").find(c), std::string::npos) << "look-alike in " << p;
      used.insert(c);
    }
    seen.insert(p);
  }
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_GT(used.size(), 50u) << "the whole alphabet is drawn from";
  // Long enough for the policy, so a one-time password can be set like any other.
  EXPECT_TRUE(nsv::check_password(nsv::new_one_time_password(), "admin", with_list()));
}

TEST(Tokens, TheTokenHashIsStable64HexAndDiffersPerToken) {
  const auto a = nsv::token_hash("token-a");
  EXPECT_EQ(a.size(), 64u);
  EXPECT_TRUE(std::all_of(a.begin(), a.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  })) << a;
  EXPECT_EQ(nsv::token_hash("token-a"), a);
  EXPECT_NE(nsv::token_hash("token-b"), a);
  // BLAKE2b-256 (32-byte output) of the empty input, as Python's hashlib.blake2b(b"", digest_size=32) gives.
  EXPECT_EQ(nsv::token_hash(""), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
}

TEST(Tokens, ConstantTimeEqualityComparesWholeStrings) {
  EXPECT_TRUE(nsv::equal_in_constant_time("abc", "abc"));
  EXPECT_TRUE(nsv::equal_in_constant_time("", ""));
  EXPECT_FALSE(nsv::equal_in_constant_time("abc", "abd"));
  EXPECT_FALSE(nsv::equal_in_constant_time("abc", "abcd"));
  EXPECT_FALSE(nsv::equal_in_constant_time("xbc", "abc"));
}

}  // namespace
