// BusinessCalendar::Create: checks a definition and compiles it into the tables the arithmetic reads.
#include <algorithm>
#include <map>
#include <memory>
#include <utility>

#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "rules/business_calendar_internal.h"

namespace rapport {

namespace internal {

std::string FormatTimeOfDay(int32_t seconds) {
  const int h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60;
  if (s != 0) return absl::StrFormat("%02d:%02d:%02d", h, m, s);
  return absl::StrFormat("%02d:%02d", h, m);
}

const char* WeekdayName(int index) {
  static constexpr const char* kNames[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  return kNames[index];
}

}  // namespace internal

namespace {

using internal::FormatTimeOfDay;

// A calendar lives for years of rules; more ranges a day than this is a mistake in the data.
constexpr size_t kMaxRangesPerDay = 24;

std::string RangeText(const WorkingRange& r) {
  return StrCat(FormatTimeOfDay(r.start), "-", FormatTimeOfDay(r.end));
}

// Checks one day's ranges (named `field`), and returns them sorted with touching ones merged.
absl::StatusOr<std::vector<WorkingRange>> CheckRanges(std::string_view field, const std::vector<WorkingRange>& ranges) {
  if (ranges.size() > kMaxRangesPerDay) {
    return absl::InvalidArgumentError(StrCat(field, ": more than ", kMaxRangesPerDay, " ranges in a day"));
  }
  std::vector<std::pair<WorkingRange, size_t>> sorted;
  for (size_t i = 0; i < ranges.size(); ++i) {
    const WorkingRange& r = ranges[i];
    if (r.start < 0 || r.end < 0 || r.start > internal::kSecondsPerDay || r.end > internal::kSecondsPerDay) {
      return absl::InvalidArgumentError(StrCat(field, "[", i, "]: times must be between 00:00 and 24:00"));
    }
    if (r.end < r.start) {
      return absl::InvalidArgumentError(StrCat(field, "[", i, "]: ends (", FormatTimeOfDay(r.end), ") before it starts (",
                                               FormatTimeOfDay(r.start), ")"));
    }
    if (r.end == r.start) {
      return absl::InvalidArgumentError(StrCat(field, "[", i, "]: ", RangeText(r), " is empty"));
    }
    sorted.emplace_back(r, i);
  }
  std::sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) { return x.first.start < y.first.start; });
  std::vector<WorkingRange> merged;
  for (size_t k = 0; k < sorted.size(); ++k) {
    const WorkingRange& r = sorted[k].first;
    if (k > 0 && r.start < sorted[k - 1].first.end) {
      const size_t a = std::min(sorted[k - 1].second, sorted[k].second);
      const size_t b = std::max(sorted[k - 1].second, sorted[k].second);
      return absl::InvalidArgumentError(StrCat(field, "[", b, "]: ", RangeText(ranges[b]), " overlaps ", field, "[", a,
                                               "] (", RangeText(ranges[a]), ")"));
    }
    if (!merged.empty() && merged.back().end == r.start) {
      merged.back().end = r.end;
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

std::vector<WorkingRange> SortedRanges(std::vector<WorkingRange> ranges) {
  std::sort(ranges.begin(), ranges.end(), [](const WorkingRange& x, const WorkingRange& y) { return x.start < y.start; });
  return ranges;
}

absl::Duration Total(const std::vector<WorkingRange>& ranges) {
  int64_t seconds = 0;
  for (const WorkingRange& r : ranges) seconds += r.end - r.start;
  return absl::Seconds(seconds);
}

absl::Status CheckDate(std::string_view field, absl::CivilDay day) {
  if (day.year() < 1 || day.year() > 9999) {
    return absl::InvalidArgumentError(StrCat(field, ": ", internal::FormatDate(day), " is outside the years 1 to 9999"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<BusinessCalendar> BusinessCalendar::Create(const BusinessCalendarDef& def) {
  auto impl = std::make_shared<Impl>();
  BusinessCalendarDef& canonical = impl->def;
  canonical.time_zone = def.time_zone;
  if (def.time_zone.empty()) return absl::InvalidArgumentError("time_zone: must not be empty");
  if (!absl::LoadTimeZone(def.time_zone, &impl->tz)) {
    return absl::InvalidArgumentError(StrCat("time_zone: unknown time zone \"", def.time_zone, "\""));
  }

  absl::Duration weekly;
  for (int w = 0; w < 7; ++w) {
    ASSIGN_OR_RETURN(impl->week[w], CheckRanges(StrCat("hours.", internal::WeekdayName(w)), def.hours[w]));
    canonical.hours[w] = SortedRanges(def.hours[w]);
    weekly += Total(impl->week[w]);
  }
  if (weekly == absl::ZeroDuration()) {
    return absl::InvalidArgumentError("hours: a calendar needs working time in at least one weekday");
  }
  impl->weekly = weekly;

  // Holidays: checked in the order given, then sorted (duplicates dropped) and merged into disjoint runs.
  std::vector<std::pair<DateRange, size_t>> holidays;
  for (size_t i = 0; i < def.holidays.size(); ++i) {
    const DateRange& h = def.holidays[i];
    const std::string field = StrCat("holidays[", i, "]");
    RETURN_IF_ERROR(CheckDate(field, h.first));
    RETURN_IF_ERROR(CheckDate(field, h.last));
    if (h.last < h.first) {
      return absl::InvalidArgumentError(StrCat(field, ": ends (", internal::FormatDate(h.last), ") before it starts (",
                                               internal::FormatDate(h.first), ")"));
    }
    holidays.emplace_back(h, i);
  }
  std::sort(holidays.begin(), holidays.end(), [](const auto& x, const auto& y) {
    return std::make_pair(x.first.first, x.first.last) < std::make_pair(y.first.first, y.first.last);
  });
  for (const auto& [h, i] : holidays) {
    if (canonical.holidays.empty() || !(canonical.holidays.back() == h)) canonical.holidays.push_back(h);
    const int64_t first = internal::DayNumber(h.first), last = internal::DayNumber(h.last);
    if (!impl->holidays.empty() && first <= impl->holidays.back().last + 1) {
      impl->holidays.back().last = std::max(impl->holidays.back().last, last);
    } else {
      impl->holidays.push_back({first, last});
    }
  }

  // The hours an extra working day gets by default: a regular working day's.
  int regular = 0;
  while (impl->week[regular].empty()) ++regular;

  std::map<int64_t, size_t> extra_index;  // day -> position in def.working_days
  for (size_t i = 0; i < def.working_days.size(); ++i) {
    const ExtraWorkingDay& x = def.working_days[i];
    const std::string field = StrCat("working_days[", i, "]");
    RETURN_IF_ERROR(CheckDate(field, x.date));
    const int64_t day = internal::DayNumber(x.date);
    if (auto [it, inserted] = extra_index.emplace(day, i); !inserted) {
      return absl::InvalidArgumentError(StrCat(field, ": ", internal::FormatDate(x.date), " is listed twice (working_days[",
                                               it->second, "])"));
    }
    // The merged runs say whether it is a holiday; only then is the first holiday given that holds it looked for.
    auto run = std::upper_bound(impl->holidays.begin(), impl->holidays.end(), day,
                                [](int64_t d, const auto& h) { return d < h.first; });
    if (run != impl->holidays.begin() && day <= std::prev(run)->last) {
      size_t j = 0;
      while (!(def.holidays[j].first <= x.date && x.date <= def.holidays[j].last)) ++j;
      return absl::InvalidArgumentError(StrCat(field, ": ", internal::FormatDate(x.date), " is a holiday (holidays[", j,
                                               "])"));
    }
    Impl::Extra extra{day, {}};
    if (!x.hours.empty()) {
      if (x.as) return absl::InvalidArgumentError(StrCat(field, ": give either \"as\" or \"hours\", not both"));
      ASSIGN_OR_RETURN(extra.hours, CheckRanges(StrCat(field, ".hours"), x.hours));
    } else if (x.as) {
      const int w = static_cast<int>(*x.as);
      if (w < 0 || w > 6) return absl::InvalidArgumentError(StrCat(field, ".as: not a weekday"));
      if (impl->week[w].empty()) {
        return absl::InvalidArgumentError(StrCat(field, ".as: ", internal::WeekdayName(w), " has no working hours"));
      }
      extra.hours = impl->week[w];
    } else {
      extra.hours = impl->week[regular];
    }
    impl->extras.push_back(std::move(extra));
    ExtraWorkingDay stored = x;
    stored.hours = SortedRanges(x.hours);
    canonical.working_days.push_back(std::move(stored));
  }
  std::sort(impl->extras.begin(), impl->extras.end(), [](const auto& a, const auto& b) { return a.day < b.day; });
  std::sort(canonical.working_days.begin(), canonical.working_days.end(),
            [](const auto& a, const auto& b) { return a.date < b.date; });
  return BusinessCalendar(std::move(impl));
}

const BusinessCalendarDef& BusinessCalendar::def() const { return impl_->def; }

absl::Duration BusinessCalendar::WeeklyWorkingTime() const { return impl_->weekly; }

}  // namespace rapport
