// 56-digit sequence numbers: encoding, parsing, ordering.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "kinesisd/engine/sequence_number.hpp"
#include "kinesisd/engine/stream_meta.hpp"

namespace kinesisd::engine {
namespace {

constexpr uint64_t kMax40 = (uint64_t{1} << 40) - 1;

bool all_digits(const std::string& s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

// Both strings have 56 digits, so string order is numeric order.
bool numerically_less(const std::string& a, const std::string& b) {
  EXPECT_EQ(a.size(), b.size());
  return a < b;
}

TEST(SequenceNumber, ToStringHas56Digits) {
  for (const SequenceNumber& s : {SequenceNumber{}, SequenceNumber{1700000000, 7, 42, 0},
                                  SequenceNumber{kMax40, kMax40, UINT64_MAX, kMax40}}) {
    const std::string text = s.to_string();
    EXPECT_EQ(text.size(), 56u) << text;
    EXPECT_TRUE(all_digits(text)) << text;
  }
}

TEST(SequenceNumber, SmallestAndLargestEncodings) {
  // Marker only: 2^185. All fields at their maximum: 2^185 + 2^184 - 1.
  EXPECT_EQ(SequenceNumber{}.to_string(), "49039857307708443467467104868809893875799651909875269632");
  EXPECT_EQ((SequenceNumber{kMax40, kMax40, UINT64_MAX, kMax40}.to_string()),
            "73559785961562665201200657303214840813699477864812904447");
}

TEST(SequenceNumber, RoundTripsEdgeValues) {
  const std::vector<SequenceNumber> values = {
      {0, 0, 0, 0},
      {kMax40, kMax40, UINT64_MAX, kMax40},
      {kMax40, 0, 0, 0},
      {0, kMax40, 0, 0},
      {0, 0, UINT64_MAX, 0},
      {0, 0, 0, kMax40},
      {1700000000, 3, 1, 0},
      {1, 1, 1, 1},
      {0, 0, uint64_t{1} << 63, 0},
  };
  for (const auto& v : values) {
    auto back = SequenceNumber::parse(v.to_string());
    ASSERT_TRUE(back.has_value()) << v.to_string();
    EXPECT_EQ(*back, v) << v.to_string();
  }
}

TEST(SequenceNumber, RoundTripsRandomValues) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 2000; ++i) {
    const SequenceNumber v{rng() & kMax40, rng() & kMax40, rng(), rng() & kMax40};
    const std::string text = v.to_string();
    ASSERT_EQ(text.size(), 56u);
    auto back = SequenceNumber::parse(text);
    ASSERT_TRUE(back.has_value()) << text;
    ASSERT_EQ(*back, v) << text;
    ASSERT_EQ(back->to_string(), text);
  }
}

TEST(SequenceNumber, StrictlyIncreasingWithPositionWithinAShard) {
  std::string previous = SequenceNumber{1700000000, 5, 0, 0}.to_string();
  for (uint64_t pos : {uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{255}, uint64_t{256}, uint64_t{1} << 32,
                       (uint64_t{1} << 32) + 1, uint64_t{1} << 63, UINT64_MAX - 1, UINT64_MAX}) {
    const std::string next = SequenceNumber{1700000000, 5, pos, 0}.to_string();
    EXPECT_TRUE(numerically_less(previous, next)) << previous << " !< " << next;
    previous = next;
  }
}

TEST(SequenceNumber, LaterShardCreationIsLarger) {
  // Even the first record of a shard created one second later beats the last possible record of an older one.
  const std::string older = SequenceNumber{1700000000, 9, UINT64_MAX, kMax40}.to_string();
  const std::string newer = SequenceNumber{1700000001, 0, 0, 0}.to_string();
  EXPECT_TRUE(numerically_less(older, newer));
  // Same creation second: the higher shard index is larger.
  EXPECT_TRUE(numerically_less(SequenceNumber{1700000000, 1, UINT64_MAX, 0}.to_string(),
                               SequenceNumber{1700000000, 2, 0, 0}.to_string()));
}

TEST(SequenceNumber, ShardMetaStartingAndEndingNumbers) {
  ShardMeta shard;
  shard.index = 3;
  shard.created_ms = 1700000000999;
  EXPECT_EQ(shard.starting_sequence_number(), (SequenceNumber{1700000000, 3, 0, 0}));
  EXPECT_FALSE(shard.ending_sequence_number().has_value());
  shard.end_position = 18;  // one past the last record, at position 17
  ASSERT_TRUE(shard.ending_sequence_number().has_value());
  EXPECT_EQ(*shard.ending_sequence_number(), (SequenceNumber{1700000000, 3, 17, kRecordSub}));
  shard.end_position = 0;  // closed without records: ends where it started
  EXPECT_EQ(*shard.ending_sequence_number(), (SequenceNumber{1700000000, 3, 0, 0}));
}

TEST(SequenceNumber, ParseRejectsWrongLength) {
  const std::string good = SequenceNumber{1700000000, 1, 2, 0}.to_string();
  EXPECT_FALSE(SequenceNumber::parse("").has_value());
  EXPECT_FALSE(SequenceNumber::parse("0").has_value());
  EXPECT_FALSE(SequenceNumber::parse(good.substr(1)).has_value());
  EXPECT_FALSE(SequenceNumber::parse(good + "0").has_value());
  EXPECT_FALSE(SequenceNumber::parse("0" + good).has_value());
  EXPECT_TRUE(SequenceNumber::parse(good).has_value());
}

TEST(SequenceNumber, ParseRejectsNonDigits) {
  std::string text = SequenceNumber{1700000000, 1, 2, 0}.to_string();
  for (size_t at : {size_t{0}, size_t{20}, size_t{55}}) {
    for (char c : {'a', ' ', '-', '+', '.', '\0'}) {
      std::string bad = text;
      bad[at] = c;
      EXPECT_FALSE(SequenceNumber::parse(bad).has_value()) << "char " << int(c) << " at " << at;
    }
  }
}

TEST(SequenceNumber, ParseRejectsWrongMarker) {
  // 56 digits but below 2^185: the marker bit is clear.
  EXPECT_FALSE(SequenceNumber::parse(std::string(56, '0')).has_value());
  EXPECT_FALSE(SequenceNumber::parse("1" + std::string(55, '0')).has_value());
  EXPECT_FALSE(SequenceNumber::parse("49039857307708443467467104868809893875799651909875269631").has_value());
  // 56 digits but at or above 2^186: a bit above the marker is set.
  EXPECT_FALSE(SequenceNumber::parse("98079714615416886934934209737619787751599303819750539264").has_value());
  EXPECT_FALSE(SequenceNumber::parse(std::string(56, '9')).has_value());
  // The smallest valid number is accepted.
  EXPECT_TRUE(SequenceNumber::parse("49039857307708443467467104868809893875799651909875269632").has_value());
}

TEST(SequenceNumber, ParseRejectsNumbersAboveTheLayout) {
  // The header puts every number in [2^185, 2^185 + 2^184): bit 184 is never set by to_string(). A number with
  // that bit set is not "of this layout", yet parse() accepts it and silently drops the bit, so two different
  // texts decode to the same position.
  const char* kTwoTo185Plus184 = "73559785961562665201200657303214840813699477864812904448";
  auto parsed = SequenceNumber::parse(kTwoTo185Plus184);
  EXPECT_FALSE(parsed.has_value());
}

TEST(SequenceNumber, StartPositionsOfAtAndAfter) {
  const auto record = SequenceNumber::of_record(1700000000, 2, 41);
  EXPECT_EQ(record.start_position(false), 41u);
  EXPECT_EQ(record.start_position(true), 42u);
  // A "before" mark (a shard's StartingSequenceNumber, a continuation with nothing delivered) starts at its
  // position either way: AFTER_SEQUENCE_NUMBER with the StartingSequenceNumber yields the first record.
  const auto start = SequenceNumber::before(1700000000, 2, 0);
  EXPECT_EQ(start.start_position(false), 0u);
  EXPECT_EQ(start.start_position(true), 0u);
  EXPECT_TRUE(numerically_less(start.to_string(), SequenceNumber::of_record(1700000000, 2, 0).to_string()));
  EXPECT_TRUE(numerically_less(SequenceNumber::of_record(1700000000, 2, 0).to_string(),
                               SequenceNumber::before(1700000000, 2, 1).to_string()));
}

}  // namespace
}  // namespace kinesisd::engine
