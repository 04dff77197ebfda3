// util/utf8: strict validation and replacement of invalid sequences.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "kinesisd/util/utf8.hpp"

namespace kinesisd {
namespace {

TEST(Utf8, ValidTexts) {
  for (const std::string s : std::initializer_list<std::string>{
           "", "plain ascii key", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbf",
           "\xf4\x8f\xbf\xbf", std::string("nul\0byte", 8), "\xed\x9f\xbf"})
    EXPECT_TRUE(is_valid_utf8(s)) << s;
}

TEST(Utf8, InvalidTextsAndWhere) {
  EXPECT_EQ(utf8_invalid_at("k\xff\xfe"), 1u);
  EXPECT_EQ(utf8_invalid_at("\xc0\xaf"), 0u);                 // overlong '/'
  EXPECT_EQ(utf8_invalid_at("\xe0\x80\xaf"), 0u);             // overlong, three bytes
  EXPECT_EQ(utf8_invalid_at("\xf0\x80\x80\xaf"), 0u);         // overlong, four bytes
  EXPECT_EQ(utf8_invalid_at("abcdefghij\xed\xa0\x80"), 10u);  // lone high surrogate
  EXPECT_EQ(utf8_invalid_at("\xed\xb0\x80"), 0u);             // lone low surrogate
  EXPECT_EQ(utf8_invalid_at("\xf4\x90\x80\x80"), 0u);         // above U+10FFFF
  EXPECT_EQ(utf8_invalid_at("ok\xc3"), 2u);                   // truncated at the end
  EXPECT_EQ(utf8_invalid_at("\x80"), 0u);                     // lone continuation byte
  EXPECT_EQ(utf8_invalid_at("\xf8\x88\x80\x80\x80"), 0u);     // five-byte form
}

TEST(Utf8, SanitizeReplacesMaximalSubparts) {
  EXPECT_EQ(sanitize_utf8("k\xff\xfe"), "k\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(sanitize_utf8("a\xe2\x82z"), "a\xef\xbf\xbdz");  // one U+FFFD for a truncated sequence
  EXPECT_EQ(sanitize_utf8("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(sanitize_utf8("caf\xc3\xa9"), "caf\xc3\xa9");
  for (const std::string s :
       std::initializer_list<std::string>{"\xff", "\xc0\xaf", "x\xf0\x9f\x98", "\xed\xbf\xbf tail"})
    EXPECT_TRUE(is_valid_utf8(sanitize_utf8(s))) << s;
}

}  // namespace
}  // namespace kinesisd
