#include "model/frame_changes.h"

#include <algorithm>
#include <iterator>

#include "base/status_macros.h"
#include "nlohmann/json.hpp"
#include "store/change_log.h"

namespace rapport::internal {
namespace {

void SortUnique(std::vector<int64_t>& ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

}  // namespace

absl::StatusOr<FrameChanges> CustomersChangedSince(Connection& conn, int64_t after_seq, size_t max_customers,
                                                   const std::string& currency) {
  FrameChanges out;
  out.last_seq = after_seq;
  // Contact point changes count for the record: they bump the customer's updated_at. An order's
  // currency is read by SQLite's JSON functions, cheaper than parsing `after` here. `+entity` keeps
  // the planner off the (entity, entity_id) index, which would visit every change ever logged: the
  // new ones are a range of seq.
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(
      "SELECT seq, entity, customer_id, op, fields, "
      "CASE WHEN entity = 'order' AND json_valid(after) THEN json_extract(after, '$.currency') END, "
      "CASE WHEN op = 'import' THEN after END "
      "FROM changes WHERE seq > ? AND +entity IN ('customer', 'order', 'custom_field', 'contact_point', 'clv_scores', 'lifecycle') "
      "ORDER BY seq"));
  st.Bind(1, after_seq);
  // The last sequence number counts even when the entries themselves are not about frames.
  ASSIGN_OR_RETURN(int64_t last, LastChangeSeq(conn));
  out.last_seq = std::max(after_seq, last);
  size_t entries = 0;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    std::string_view entity = st.TextView(1);
    std::string_view op = st.TextView(3);
    if (entity == "custom_field") {
      out.reload = true;
      break;
    }
    if (entity == "clv_scores") {  // one entry for a whole apply: no customer of its own
      out.clv_scores = true;
      continue;
    }
    if (entity == "customer" && op == "import") {
      auto after = nlohmann::json::parse(st.TextView(6), nullptr, false);
      if (after.is_object() && after.contains("created_ids")) {
        for (const auto& range : after["created_ids"]) {
          int64_t first = range[0].get<int64_t>(), last_id = range[1].get<int64_t>();
          if (static_cast<size_t>(last_id - first) >= max_customers) {
            out.reload = true;
            break;
          }
          for (int64_t id = first; id <= last_id; ++id) {
            out.records.push_back(id);
            out.tags.push_back(id);
            out.orders.push_back(id);
          }
          entries += static_cast<size_t>(last_id - first);
        }
      }
    } else if (!st.IsNull(2)) {
      const int64_t customer = st.Int(2);
      if (entity == "order") {
        // The first order, or one in another currency, changes which orders count: reload.
        if (!st.IsNull(5) && st.TextView(5) != currency) {
          out.reload = true;
          break;
        }
        out.orders.push_back(customer);
      } else if (entity == "customer" && op == "update") {
        out.records.push_back(customer);
        if (st.TextView(4).find("\"tags\"") != std::string_view::npos) out.tags.push_back(customer);
      } else if (entity == "customer") {  // created, deleted, restored, purged: every part
        out.records.push_back(customer);
        out.tags.push_back(customer);
        out.orders.push_back(customer);
      } else {
        out.records.push_back(customer);
      }
    }
    if (out.reload || ++entries > 4 * max_customers) {
      out.reload = true;
      break;
    }
  }
  SortUnique(out.records);
  SortUnique(out.tags);
  SortUnique(out.orders);
  std::vector<int64_t> all;
  std::set_union(out.records.begin(), out.records.end(), out.orders.begin(), out.orders.end(), std::back_inserter(all));
  if (all.size() > max_customers) out.reload = true;
  return out;
}

}  // namespace rapport::internal
