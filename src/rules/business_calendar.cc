// Business-time arithmetic: walks local days, skipping runs of regular weeks whole.
//
// A day's working time is a few absolute intervals ("pieces"). While the zone's UTC offset stays the
// same, a day's pieces are its wall-clock ranges shifted by the offset; on a day the offset changes,
// the ranges are cut at the change and each part shifted by its own offset. A run of weeks with no
// holiday, extra working day or offset change holds exactly WeeklyWorkingTime() per week, so the
// walks jump over such runs, and their cost grows with the exceptions crossed, not the span.
#include <algorithm>
#include <limits>
#include <vector>

#include "base/strings.h"
#include "rules/business_calendar_internal.h"

namespace rapport {

namespace {

using internal::kSecondsPerDay;

constexpr absl::Duration kWeek = absl::Hours(7 * 24);
// Offsets stay within a day of UTC; a window this wide around a date holds all of its instants.
constexpr int64_t kOffsetMargin = 26 * 3600;
const absl::Duration kMaxDuration = absl::Hours(24 * 36525);  // 100 years

struct Piece {
  absl::Time start;
  absl::Time end;
};

int64_t CivilSeconds(absl::CivilSecond cs) { return cs - absl::CivilSecond(1970, 1, 1, 0, 0, 0); }

absl::Time DayStartAt(int64_t day, int64_t offset) { return absl::FromUnixSeconds(day * kSecondsPerDay - offset); }

// Walks the local days of one calendar forward, keeping the span of time over which the zone's
// offset is known to be constant so that most days need no time zone lookup.
class DayWalker {
 public:
  explicit DayWalker(const BusinessCalendar::Impl& cal) : cal_(cal) {}

  // The local date of `t`.
  int64_t LocalDay(absl::Time t) const { return internal::DayNumber(absl::CivilDay(cal_.tz.At(t).cs)); }

  // The holiday run holding `day`, or nullptr.
  const BusinessCalendar::Impl::Holiday* HolidayOn(int64_t day) const {
    auto it = std::upper_bound(cal_.holidays.begin(), cal_.holidays.end(), day,
                               [](int64_t d, const auto& h) { return d < h.first; });
    if (it == cal_.holidays.begin()) return nullptr;
    --it;
    return day <= it->last ? &*it : nullptr;
  }

  // The wall-clock ranges of a day that is not a holiday.
  const std::vector<WorkingRange>& RangesOn(int64_t day) const {
    auto it = std::lower_bound(cal_.extras.begin(), cal_.extras.end(), day,
                               [](const auto& x, int64_t d) { return x.day < d; });
    if (it != cal_.extras.end() && it->day == day) return it->hours;
    return cal_.week[internal::WeekdayIndex(day)];
  }

  // The pieces of a day that is not a holiday, ascending; valid until the next call.
  const std::vector<Piece>& Pieces(int64_t day) {
    pieces_.clear();
    const std::vector<WorkingRange>& ranges = RangesOn(day);
    if (ranges.empty()) return pieces_;
    if (!Steady(day)) Refresh(day);
    if (Steady(day)) {
      const absl::Time base = DayStartAt(day, offset_);
      for (const WorkingRange& r : ranges) pieces_.push_back({base + absl::Seconds(r.start), base + absl::Seconds(r.end)});
      return pieces_;
    }
    CutAtOffsetChanges(day, ranges);
    return pieces_;
  }

  // How many whole weeks from the start of `day`, at most `wanted`, hold no exception: no holiday,
  // no extra working day and no offset change. `day` must not be a holiday.
  int64_t RegularWeeks(int64_t day, int64_t wanted) {
    if (wanted <= 0) return 0;
    if (!Steady(day)) Refresh(day);
    if (!Steady(day)) return 0;
    int64_t next_exception = internal::kLastDay + 1;
    auto h = std::upper_bound(cal_.holidays.begin(), cal_.holidays.end(), day,
                              [](int64_t d, const auto& x) { return d < x.first; });
    if (h != cal_.holidays.end()) next_exception = std::min(next_exception, h->first);
    auto x = std::lower_bound(cal_.extras.begin(), cal_.extras.end(), day,
                              [](const auto& e, int64_t d) { return e.day < d; });
    if (x != cal_.extras.end()) next_exception = std::min(next_exception, x->day);
    int64_t weeks = std::min(wanted, (next_exception - day) / 7);
    if (span_end_ != absl::InfiniteFuture()) {
      absl::Duration unused;
      weeks = std::min(weeks, absl::IDivDuration(span_end_ - DayStartAt(day, offset_), kWeek, &unused));
    }
    return std::max<int64_t>(weeks, 0);
  }

 private:
  // Whether the offset is constant over all of `day` (as far as is known).
  bool Steady(int64_t day) const {
    const absl::Time start = DayStartAt(day, offset_);
    return start >= span_start_ && start + absl::Hours(24) <= span_end_;
  }

  // Finds the offset at the start of `day` and how long it lasts.
  void Refresh(int64_t day) {
    const absl::Time guess = absl::FromUnixSeconds(day * kSecondsPerDay);
    const absl::Time start = DayStartAt(day, cal_.tz.At(guess).offset);
    offset_ = cal_.tz.At(start).offset;
    span_start_ = start;
    absl::TimeZone::CivilTransition tr;
    span_end_ = absl::InfiniteFuture();
    if (cal_.tz.NextTransition(start, &tr)) span_end_ = absl::FromUnixSeconds(CivilSeconds(tr.from) - offset_);
    if (span_end_ <= span_start_) span_end_ = span_start_;  // never trust a table into a loop
  }

  // The pieces of a day over which the offset changes: each range cut at the changes, each part
  // shifted by the offset in force there.
  void CutAtOffsetChanges(int64_t day, const std::vector<WorkingRange>& ranges) {
    const int64_t c0 = day * kSecondsPerDay;
    absl::Time u = absl::FromUnixSeconds(c0 - kOffsetMargin);
    const absl::Time hi = absl::FromUnixSeconds(c0 + kSecondsPerDay + kOffsetMargin);
    while (u < hi) {
      const int64_t offset = cal_.tz.At(u).offset;
      absl::Time next = hi;
      absl::TimeZone::CivilTransition tr;
      if (cal_.tz.NextTransition(u, &tr)) {
        next = std::min(hi, absl::FromUnixSeconds(CivilSeconds(tr.from) - offset));
        if (next <= u) next = hi;
      }
      for (const WorkingRange& r : ranges) {
        const absl::Time s = std::max(u, absl::FromUnixSeconds(c0 + r.start - offset));
        const absl::Time e = std::min(next, absl::FromUnixSeconds(c0 + r.end - offset));
        if (s < e) pieces_.push_back({s, e});
      }
      u = next;
    }
    std::sort(pieces_.begin(), pieces_.end(), [](const Piece& a, const Piece& b) { return a.start < b.start; });
    size_t n = 0;
    for (const Piece& p : pieces_) {
      if (n > 0 && pieces_[n - 1].end >= p.start) {
        pieces_[n - 1].end = std::max(pieces_[n - 1].end, p.end);
      } else {
        pieces_[n++] = p;
      }
    }
    pieces_.resize(n);
  }

  const BusinessCalendar::Impl& cal_;
  std::vector<Piece> pieces_;
  int64_t offset_ = 0;
  absl::Time span_start_ = absl::InfiniteFuture();  // offset_ holds over [span_start_, span_end_)
  absl::Time span_end_ = absl::InfinitePast();
};

const absl::Time kEarliest = absl::FromCivil(absl::CivilSecond(1, 1, 2, 0, 0, 0), absl::UTCTimeZone());
const absl::Time kLatest = absl::FromCivil(absl::CivilSecond(9999, 12, 31, 0, 0, 0), absl::UTCTimeZone());

absl::Status CheckInstant(std::string_view field, absl::Time t) {
  if (t < kEarliest || t > kLatest) return absl::InvalidArgumentError(StrCat(field, ": outside the years 1 to 9999"));
  return absl::OkStatus();
}

absl::Status PastTheEnd(std::string_view field) {
  return absl::InvalidArgumentError(StrCat(field, ": the result would fall after 9999-12-31"));
}

}  // namespace

absl::StatusOr<BusinessCalendar> BusinessCalendar::FromJson(std::string_view json) {
  auto def = BusinessCalendarDefFromJson(json);
  if (!def.ok()) return def.status();
  return Create(*def);
}

absl::StatusOr<absl::Time> BusinessCalendar::AddBusinessTime(absl::Time start, absl::Duration d) const {
  if (absl::Status s = CheckInstant("start", start); !s.ok()) return s;
  if (d < absl::ZeroDuration()) return absl::InvalidArgumentError("duration: must not be negative");
  if (d > kMaxDuration) return absl::InvalidArgumentError("duration: longer than 100 years");
  if (d == absl::ZeroDuration()) return start;
  const Impl& cal = *impl_;
  DayWalker walker(cal);
  const int64_t first = walker.LocalDay(start);
  absl::Duration left = d;
  for (int64_t day = first;; ++day) {
    if (day > internal::kLastDay) return PastTheEnd("duration");
    if (const Impl::Holiday* h = walker.HolidayOn(day)) {
      day = h->last;
      continue;
    }
    if (day != first && left > cal.weekly) {
      // Leaves some time to the walk, so that the result is the end of a piece rather than the start
      // of the next week when the duration is a whole number of weeks.
      absl::Duration rest;
      int64_t wanted = absl::IDivDuration(left, cal.weekly, &rest);
      if (rest == absl::ZeroDuration()) --wanted;
      if (const int64_t weeks = walker.RegularWeeks(day, wanted); weeks > 0) {
        left -= weeks * cal.weekly;
        day += 7 * weeks - 1;
        continue;
      }
    }
    for (const Piece& p : walker.Pieces(day)) {
      if (p.end <= start) continue;
      const absl::Time from = std::max(p.start, start);
      const absl::Duration here = p.end - from;
      if (here >= left) return from + left;
      left -= here;
    }
  }
}

absl::StatusOr<absl::Duration> BusinessCalendar::BusinessTimeBetween(absl::Time a, absl::Time b) const {
  if (absl::Status s = CheckInstant("a", a); !s.ok()) return s;
  if (absl::Status s = CheckInstant("b", b); !s.ok()) return s;
  if (b < a) {
    auto reverse = BusinessTimeBetween(b, a);
    if (!reverse.ok()) return reverse.status();
    return -*reverse;
  }
  const Impl& cal = *impl_;
  DayWalker walker(cal);
  const int64_t first = walker.LocalDay(a);
  const int64_t last = walker.LocalDay(b);
  absl::Duration total;
  for (int64_t day = first; day <= last; ++day) {
    if (const Impl::Holiday* h = walker.HolidayOn(day)) {
      day = h->last;
      continue;
    }
    if (day != first) {
      // Every instant of a date before b's is before b.
      if (const int64_t weeks = walker.RegularWeeks(day, (last - day) / 7); weeks > 0) {
        total += weeks * cal.weekly;
        day += 7 * weeks - 1;
        continue;
      }
    }
    for (const Piece& p : walker.Pieces(day)) {
      const absl::Time s = std::max(p.start, a), e = std::min(p.end, b);
      if (s < e) total += e - s;
    }
  }
  return total;
}

absl::StatusOr<absl::Time> BusinessCalendar::NextWorkingInstant(absl::Time t) const {
  if (absl::Status s = CheckInstant("t", t); !s.ok()) return s;
  DayWalker walker(*impl_);
  for (int64_t day = walker.LocalDay(t);; ++day) {
    if (day > internal::kLastDay) return PastTheEnd("t");
    if (const Impl::Holiday* h = walker.HolidayOn(day)) {
      day = h->last;
      continue;
    }
    for (const Piece& p : walker.Pieces(day)) {
      if (p.end > t) return std::max(p.start, t);
    }
  }
}

bool BusinessCalendar::IsWorking(absl::Time t) const {
  if (t < kEarliest || t > kLatest) return false;
  const absl::TimeZone::CivilInfo info = impl_->tz.At(t);
  DayWalker walker(*impl_);
  const int64_t day = internal::DayNumber(absl::CivilDay(info.cs));
  if (walker.HolidayOn(day)) return false;
  const int64_t second = info.cs - absl::CivilSecond(absl::CivilDay(info.cs));
  for (const WorkingRange& r : walker.RangesOn(day)) {
    if (r.start <= second && second < r.end) return true;
  }
  return false;
}

}  // namespace rapport
