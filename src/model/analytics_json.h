// The JSON forms of analysis results and saved segments, shared by the C ABI (rapport_*_to_json) and the CLI (--json), so
// that both faces print the same document.
#ifndef RAPPORT_MODEL_ANALYTICS_JSON_H_
#define RAPPORT_MODEL_ANALYTICS_JSON_H_

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>
#include "rapport/funnel.h"
#include "rapport/rfm.h"
#include "rapport/saved_segment.h"

namespace rapport::internal {

using OrderedJson = nlohmann::ordered_json;

// {"count", "median", "p90", "mean"}.
OrderedJson DurationJson(const DurationSummary& s);
// RFC 3339 text, or null for kNullTime.
OrderedJson TimeJson(int64_t micros);
// One RFM segment's summary row: name, customers and revenue with their shares, mean R, F and M.
OrderedJson RfmSegmentSummaryJson(const RfmSegmentSummary& s);
OrderedJson EventFunnelJson(const EventFunnelResult& r);
// `as_of`: the time open visits' ages were measured at, when given.
OrderedJson StageFunnelJson(const StageFunnelResult& r, std::optional<int64_t> as_of);
// A saved segment: {"id", "name", "kind", "expression", "description", "frame": {"order_statuses",
// "currency"}, "created_at", "updated_at", "refreshed_at", "history_from", "members"}.
OrderedJson SavedSegmentJson(const SavedSegment& s);

}  // namespace rapport::internal

#endif  // RAPPORT_MODEL_ANALYTICS_JSON_H_
