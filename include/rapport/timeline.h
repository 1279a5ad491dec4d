// Orders and activities attached to a customer: the customer timeline.
#ifndef RAPPORT_TIMELINE_H_
#define RAPPORT_TIMELINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "rapport/types.h"
#include "rapport/value.h"

namespace rapport {

struct OrderItem {
  std::string sku;
  std::string name;
  int64_t quantity = 1;
  int64_t unit_price_minor = 0;  // in the order's currency
};

struct OrderDraft {
  CustomerId customer{};
  Money amount;
  absl::Time ordered_at;
  std::string status = "completed";
  std::string external_ref;  // the order's key in the source system; unique when given
  std::vector<OrderItem> items;
};

struct Order {
  OrderId id{};
  CustomerId customer{};
  Money amount;
  absl::Time ordered_at;
  std::string status;
  std::string external_ref;
  std::vector<OrderItem> items;
  absl::Time created_at;
};

enum class ActivityKind { kCall = 0, kVisit = 1, kEmail = 2, kNote = 3, kMessage = 4 };

struct ActivityDraft {
  CustomerId customer{};
  ActivityKind kind = ActivityKind::kNote;
  absl::Time at;
  std::optional<UserId> owner;
  std::string outcome;
  std::string text;
};

struct Activity {
  ActivityId id{};
  CustomerId customer{};
  ActivityKind kind = ActivityKind::kNote;
  absl::Time at;
  std::optional<UserId> owner;
  std::string outcome;
  std::string text;
  absl::Time created_at;
};

// One entry of a customer's timeline, newest first.
struct TimelineItem {
  absl::Time at;
  std::variant<Order, Activity> item;
  bool is_order() const { return item.index() == 0; }
  const Order& order() const { return std::get<Order>(item); }
  const Activity& activity() const { return std::get<Activity>(item); }
};

struct TimelineQuery {
  int limit = 20;
  std::optional<absl::Time> before;  // only items strictly older than this (paging)
  // Orders in a timeline are summaries (amount, status, time) unless this is set; GetOrder always
  // returns the items. Leaving items out keeps the customer view fast.
  bool include_items = false;
};

std::string_view ToString(ActivityKind kind);

}  // namespace rapport

#endif  // RAPPORT_TIMELINE_H_
