#include "model/frame_changes.h"

#include <algorithm>

#include "base/status_macros.h"
#include "nlohmann/json.hpp"
#include "store/change_log.h"

namespace rapport::internal {

absl::StatusOr<FrameChanges> CustomersChangedSince(Connection& conn, int64_t after_seq, size_t max_customers,
                                                   const std::string& currency) {
  FrameChanges out;
  out.last_seq = after_seq;
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(
      "SELECT seq, entity, customer_id, op, after FROM changes WHERE seq > ? "
      "AND entity IN ('customer', 'order', 'custom_field') ORDER BY seq"));
  st.Bind(1, after_seq);
  // The last sequence number counts even when the entries themselves are not about frames.
  ASSIGN_OR_RETURN(int64_t last, LastChangeSeq(conn));
  out.last_seq = std::max(after_seq, last);
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    std::string_view entity = st.TextView(1);
    std::string_view op = st.TextView(3);
    if (entity == "custom_field") {
      out.reload = true;
      break;
    }
    if (entity == "customer" && op == "import") {
      auto after = nlohmann::json::parse(st.TextView(4), nullptr, false);
      if (after.is_object() && after.contains("created_ids")) {
        for (const auto& range : after["created_ids"]) {
          int64_t first = range[0].get<int64_t>(), last_id = range[1].get<int64_t>();
          if (static_cast<size_t>(last_id - first) >= max_customers) {
            out.reload = true;
            break;
          }
          for (int64_t id = first; id <= last_id; ++id) out.customers.push_back(id);
        }
      }
    } else if (!st.IsNull(2)) {
      if (entity == "order" && !st.IsNull(4)) {
        // The first order, or one in another currency, changes which orders count: reload.
        auto after = nlohmann::json::parse(st.TextView(4), nullptr, false);
        if (after.is_object() && after.value("currency", currency) != currency) {
          out.reload = true;
          break;
        }
      }
      out.customers.push_back(st.Int(2));
    }
    if (out.reload || out.customers.size() > 4 * max_customers) {
      out.reload = true;
      break;
    }
  }
  std::sort(out.customers.begin(), out.customers.end());
  out.customers.erase(std::unique(out.customers.begin(), out.customers.end()), out.customers.end());
  if (out.customers.size() > max_customers) out.reload = true;
  return out;
}

}  // namespace rapport::internal
