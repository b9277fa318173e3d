// Messages to clients are the pack's words with the sender's values: escaped for HTML, one-line subjects,
// and a missing value is an error rather than a gap in a client's e-mail.

#include "needlework/clinic/messages.hpp"

#include <gtest/gtest.h>

#include "needlework/clinic/engine.hpp"
#include "needlework/knowledge/loader.hpp"

namespace nc = needlework::clinic;
namespace nk = needlework::knowledge;
using needlework::ErrorCode;

namespace {

const nk::Pack& seed() {
  static const nk::Pack pack = [] {
    auto p = nk::load_pack(std::filesystem::path(NEEDLEWORK_DATA_DIR) / "packs", "seed");
    EXPECT_TRUE(p) << p.error().describe();
    return std::move(*p);
  }();
  return pack;
}

nc::MessageFields all_fields(nk::MessageKind kind) {
  nc::MessageFields f;
  for (auto name : nk::message_fields(kind))
    f[std::string(name)] = {std::string("<") + std::string(name) + ">"};
  return f;
}

}  // namespace

TEST(Messages, EveryKindOfTheSeedComposesWithItsFields) {
  for (auto kind :
       {nk::MessageKind::aftercare, nk::MessageKind::reminder, nk::MessageKind::followup_prompt,
        nk::MessageKind::recall_notice, nk::MessageKind::portal_link, nk::MessageKind::home_aftercare}) {
    auto m = nc::compose_message(seed(), kind, all_fields(kind));
    ASSERT_TRUE(m) << m.error().describe();
    EXPECT_EQ(m->rule, seed().find_message(kind)->id);
    EXPECT_FALSE(m->subject.empty());
    EXPECT_EQ(m->subject.find('\n'), std::string::npos);
    EXPECT_TRUE(m->text.ends_with("\n"));
    EXPECT_NE(m->text.find("<client>"), std::string::npos) << "text values are written as given";
    EXPECT_TRUE(m->html.starts_with("<!DOCTYPE html>"));
    EXPECT_NE(m->html.find("&lt;client&gt;"), std::string::npos) << "HTML values are escaped";
    EXPECT_EQ(m->html.find("<client>"), std::string::npos);
  }
}

TEST(Messages, TheAftercareSheetGoesInAsTextAndAsItsOwnHtml) {
  nc::SessionInput s;
  s.client_id = "C-1";
  s.area = "face";
  s.needle_length = needlework::units::millimetres(0.5);
  s.device = "dermaroller";
  s.start = *needlework::units::parse_date_time("2026-12-07T09:30:00Z");
  const auto end = *needlework::units::parse_date_time("2026-12-07T10:00:00Z");
  auto sheet = nc::aftercare(s, end, seed());
  ASSERT_TRUE(sheet) << sheet.error().describe();
  auto f = all_fields(nk::MessageKind::aftercare);
  f["sheet"] = {nc::render_text(*sheet, seed()), nc::render_html(*sheet, seed())};
  f["client"] = {"Ana <b>Bold</b>"};
  auto m = nc::compose_message(seed(), nk::MessageKind::aftercare, f);
  ASSERT_TRUE(m) << m.error().describe();
  EXPECT_NE(m->text.find("Aftercare after micro-needling"), std::string::npos);
  EXPECT_NE(m->html.find("<h2>Aftercare after micro-needling</h2>"), std::string::npos) << m->html;
  EXPECT_NE(m->html.find("<li>"), std::string::npos);
  EXPECT_NE(m->html.find("Ana &lt;b&gt;Bold&lt;/b&gt;"), std::string::npos);
  // The sheet's rules appear in both parts (S12's first-day rule).
  EXPECT_NE(m->text.find("AFTER.first_day"), std::string::npos);
  EXPECT_NE(m->html.find("AFTER.first_day"), std::string::npos);
}

TEST(Messages, AMissingFieldIsAnErrorAndASubjectStaysOneLine) {
  auto f = all_fields(nk::MessageKind::reminder);
  f.erase("when");
  auto missing = nc::compose_message(seed(), nk::MessageKind::reminder, f);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::invalid_value);
  EXPECT_NE(missing.error().message.find("MSG.reminder"), std::string::npos);

  f = all_fields(nk::MessageKind::reminder);
  f["when"] = {"Tuesday\r\nBcc: someone@example.org"};
  auto m = nc::compose_message(seed(), nk::MessageKind::reminder, f);
  ASSERT_TRUE(m) << m.error().describe();
  EXPECT_EQ(m->subject.find_first_of("\r\n"), std::string::npos) << m->subject;
}

TEST(Messages, APackWithoutTheKindSaysSo) {
  nk::Pack p = seed();
  p.messages.clear();
  auto m = nc::compose_message(p, nk::MessageKind::portal_link, all_fields(nk::MessageKind::portal_link));
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::pack_error);
}
