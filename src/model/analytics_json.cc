#include "model/analytics_json.h"

#include "absl/time/time.h"
#include "base/time_format.h"

namespace rapport::internal {

OrderedJson DurationJson(const DurationSummary& s) {
  OrderedJson j = OrderedJson::object();
  j["count"] = s.count;
  j["median"] = s.median;
  j["p90"] = s.p90;
  j["mean"] = s.mean;
  return j;
}

OrderedJson TimeJson(int64_t micros) {
  if (micros == kNullTime) return nullptr;
  return FormatTimestamp(absl::FromUnixMicros(micros));
}

OrderedJson RfmSegmentSummaryJson(const RfmSegmentSummary& s) {
  OrderedJson j = OrderedJson::object();
  j["name"] = s.name;
  j["customers"] = s.customers;
  j["customer_share"] = s.customer_share;
  j["revenue"] = s.revenue;
  j["revenue_share"] = s.revenue_share;
  j["mean_recency_days"] = s.mean_recency_days;
  j["mean_frequency"] = s.mean_frequency;
  j["mean_monetary"] = s.mean_monetary;
  return j;
}

OrderedJson EventFunnelJson(const EventFunnelResult& r) {
  OrderedJson j = OrderedJson::object();
  OrderedJson steps = OrderedJson::array();
  for (const auto& s : r.steps) {
    OrderedJson step = OrderedJson::object();
    step["kind"] = s.kind;
    step["customers"] = s.customers;
    step["conversion_from_previous"] = s.conversion_from_previous;
    step["conversion_from_first"] = s.conversion_from_first;
    step["seconds_to_convert"] = DurationJson(s.seconds_to_convert);
    step["histogram"] = s.histogram;
    steps.push_back(std::move(step));
  }
  j["steps"] = std::move(steps);
  j["bucket_edges_micros"] = r.bucket_edges;
  OrderedJson groups = OrderedJson::array();
  for (const auto& g : r.groups) {
    OrderedJson group = OrderedJson::object();
    group["label"] = g.label ? OrderedJson(*g.label) : OrderedJson(nullptr);
    group["customers"] = g.customers;
    groups.push_back(std::move(group));
  }
  j["groups"] = std::move(groups);
  j["rows_missing_time"] = r.rows_missing_time;
  return j;
}

OrderedJson StageFunnelJson(const StageFunnelResult& r, std::optional<int64_t> as_of) {
  OrderedJson j = OrderedJson::object();
  j["as_of"] = as_of ? TimeJson(*as_of) : OrderedJson(nullptr);
  OrderedJson stages = OrderedJson::array();
  for (const auto& s : r.stages) {
    OrderedJson stage = OrderedJson::object();
    stage["stage"] = s.stage;
    stage["entered"] = s.entered;
    stage["advanced"] = s.advanced;
    stage["conversion_to_next"] = s.conversion_to_next;
    stage["days_in_stage"] = DurationJson(s.days_in_stage);
    stage["open_visits"] = s.open_visits;
    stage["open_age_days"] = DurationJson(s.open_age_days);
    stages.push_back(std::move(stage));
  }
  j["stages"] = std::move(stages);
  const size_t k = r.stages.size();
  OrderedJson reached = OrderedJson::array();
  for (size_t i = 0; i < k; ++i) {
    OrderedJson row = OrderedJson::array();
    for (size_t c = 0; c < k; ++c) row.push_back(r.Reached(i, c));
    reached.push_back(std::move(row));
  }
  j["reached"] = std::move(reached);
  j["entities"] = r.entities;
  j["won"] = r.won;
  j["lost"] = r.lost;
  j["win_rate"] = r.win_rate;
  j["cycle_days"] = DurationJson(r.cycle_days);
  j["ignored_rows"] = r.ignored_rows;
  j["rows_missing_time"] = r.rows_missing_time;
  return j;
}

OrderedJson SavedSegmentJson(const SavedSegment& s) {
  auto time = [](const std::optional<absl::Time>& t) {
    return t ? OrderedJson(FormatTimestamp(*t)) : OrderedJson(nullptr);
  };
  OrderedJson j = OrderedJson::object();
  j["id"] = s.id;
  j["name"] = s.name;
  j["kind"] = std::string(ToString(s.kind));
  j["expression"] = s.expression;
  j["description"] = s.description;
  j["frame"] = {{"order_statuses", s.frame.order_statuses}, {"currency", s.frame.currency}};
  j["created_at"] = FormatTimestamp(s.created_at);
  j["updated_at"] = FormatTimestamp(s.updated_at);
  j["refreshed_at"] = time(s.refreshed_at);
  j["history_from"] = time(s.history_from);
  j["members"] = s.members;
  return j;
}

}  // namespace rapport::internal
