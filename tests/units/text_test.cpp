#include "needlework/units/text.hpp"

#include <gtest/gtest.h>

namespace {

using needlework::ErrorCode;
using namespace needlework::units;

TEST(Utf8, AcceptsWellFormedTextOfEveryLength) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("Ana"));
  EXPECT_TRUE(is_valid_utf8("Zoë Ångström"));        // 2-byte
  EXPECT_TRUE(is_valid_utf8("punctures/cm² — ok"));  // 2- and 3-byte
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));    // U+1F600, 4-byte
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));    // U+10FFFF, the last code point
}

TEST(Utf8, RefusesMalformedSequences) {
  EXPECT_FALSE(is_valid_utf8("\xff"));              // never in UTF-8
  EXPECT_FALSE(is_valid_utf8("\x80"));              // a stray continuation byte
  EXPECT_FALSE(is_valid_utf8("\xC3"));              // cut short
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong, 3-byte
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // a UTF-16 surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("ok\xE2\x82"));        // cut at the end
}

TEST(CleanText, TrimsAndKeepsWhatIsInside) {
  auto t = clean_text("  Ana  Example \t", "name");
  ASSERT_TRUE(t) << t.error().describe();
  EXPECT_EQ(*t, "Ana  Example");
}

TEST(CleanText, RefusesBlankControlInvalidAndLongText) {
  for (const char* bad : {"", "   ", "\t\n"}) {
    auto t = clean_text(bad, "name");
    ASSERT_FALSE(t) << bad;
    EXPECT_EQ(t.error().where, "name");
    EXPECT_NE(t.error().message.find("empty"), std::string::npos);
  }
  for (const char* bad : {"Ana\nroot", "Ana\x1b[31m", "a\x7f", "a\xC2\x85z", "a\tb"}) {
    auto t = clean_text(bad, "--signer");
    ASSERT_FALSE(t) << bad;
    EXPECT_EQ(t.error().code, ErrorCode::invalid_value);
    EXPECT_EQ(t.error().where, "--signer");
    EXPECT_NE(t.error().message.find("control"), std::string::npos) << t.error().message;
  }
  auto invalid = clean_text("Ana \xff", "name");
  ASSERT_FALSE(invalid);
  EXPECT_NE(invalid.error().message.find("UTF-8"), std::string::npos);
  auto long_text = clean_text(std::string(201, 'a'), "name");
  ASSERT_FALSE(long_text);
  EXPECT_EQ(long_text.error().code, ErrorCode::out_of_range);
  EXPECT_TRUE(clean_text(std::string(200, 'a'), "name"));
  EXPECT_FALSE(clean_text("abcd", "lot", 3));
}

TEST(CleanText, ANoteMayRunOverLinesButHoldsNoOtherControlCharacter) {
  auto note = clean_text(" first line\n\tsecond line \n", "note", 100, TextShape::note);
  ASSERT_TRUE(note) << note.error().describe();
  EXPECT_EQ(*note, "first line\n\tsecond line");
  EXPECT_FALSE(clean_text("a\nb", "name"));  // a line is one line
  EXPECT_FALSE(clean_text("a\x1b[2Jb", "note", 100, TextShape::note));
  EXPECT_FALSE(clean_text("a\rb", "note", 100, TextShape::note));
}

TEST(EscapeForTerminal, ShowsControlCharactersAsEscapes) {
  EXPECT_EQ(escape_for_terminal("plain Zoë"), "plain Zoë");
  EXPECT_EQ(escape_for_terminal("ana\n2026-01-01 forged"), "ana\\n2026-01-01 forged");
  EXPECT_EQ(escape_for_terminal("\x1b[2J"), "\\x1b[2J");
  EXPECT_EQ(escape_for_terminal("a\\n"), "a\\\\n");  // a literal backslash cannot fake an escape
  EXPECT_EQ(escape_for_terminal("a\xC2\x9b"
                                "b"),
            "a\\u009bb");  // C1 CSI
  EXPECT_EQ(escape_for_terminal("bad\xff"), "bad\\xff");
  EXPECT_EQ(escape_for_terminal("tab\tcr\r"), "tab\\tcr\\r");
}

TEST(Excerpt, BoundsLongTextAndSaysHowLong) {
  EXPECT_EQ(excerpt("short"), "short");
  const std::string big(50'000'000, 'x');
  const std::string e = excerpt(big, 10);
  EXPECT_EQ(e, "xxxxxxxxxx… (50000000 bytes)");
  EXPECT_EQ(excerpt("ééé", 2), "éé… (6 bytes)");  // whole characters, never half of one
  EXPECT_EQ(excerpt("a\nb", 10), "a\\nb");
}

}  // namespace

namespace {

TEST(EscapeHtml, WritesTheFiveSpecialCharactersAsReferences) {
  using needlework::units::escape_html;
  EXPECT_EQ(escape_html("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  EXPECT_EQ(escape_html("Zoë Ångström"), "Zoë Ångström");
}

}  // namespace
