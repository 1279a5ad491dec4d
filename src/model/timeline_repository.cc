#include "model/timeline_repository.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "base/money.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/text.h"
#include "base/time_format.h"
#include "model/customer_codec.h"
#include "store/change_log.h"

namespace rapport::internal {
namespace {

nlohmann::json ItemsJson(const std::vector<OrderItem>& items) {
  nlohmann::json j = nlohmann::json::array();
  for (const OrderItem& i : items) {
    j.push_back({{"sku", i.sku}, {"name", i.name}, {"quantity", i.quantity}, {"unit_price_minor", i.unit_price_minor}});
  }
  return j;
}

std::vector<OrderItem> ItemsFromJson(std::string_view text) {
  std::vector<OrderItem> items;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return items;
  for (const auto& x : j) {
    OrderItem i;
    i.sku = x.value("sku", "");
    i.name = x.value("name", "");
    i.quantity = x.value("quantity", int64_t{1});
    i.unit_price_minor = x.value("unit_price_minor", int64_t{0});
    items.push_back(std::move(i));
  }
  return items;
}

constexpr char kOrderColumns[] = "id, customer_id, amount_minor, currency, ordered_at, status, external_ref, items, created_at";

Order ReadOrder(const Statement& st, bool with_items = true) {
  Order o;
  o.id = OrderId{st.Int(0)};
  o.customer = CustomerId{st.Int(1)};
  o.amount = Money{st.Int(2), st.Text(3)};
  o.ordered_at = FromMicros(st.Int(4));
  o.status = st.Text(5);
  o.external_ref = st.OptText(6).value_or("");
  if (with_items && !st.IsNull(7)) o.items = ItemsFromJson(st.TextView(7));
  o.created_at = FromMicros(st.Int(8));
  return o;
}

constexpr char kActivityColumns[] = "id, customer_id, kind, at, owner, outcome, text, created_at";

Activity ReadActivity(const Statement& st) {
  Activity a;
  a.id = ActivityId{st.Int(0)};
  a.customer = CustomerId{st.Int(1)};
  a.kind = *ParseActivityKind(st.TextView(2));
  a.at = FromMicros(st.Int(3));
  if (!st.IsNull(4)) a.owner = UserId{st.Int(4)};
  a.outcome = st.Text(5);
  a.text = st.Text(6);
  a.created_at = FromMicros(st.Int(7));
  return a;
}

}  // namespace

absl::StatusOr<Order> InsertOrder(const WriteContext& ctx, const OrderDraft& d) {
  RETURN_IF_ERROR(CurrencyDigits("currency", d.amount.currency).status());
  RETURN_IF_ERROR(CheckUtf8("status", d.status));
  RETURN_IF_ERROR(CheckUtf8("external_ref", d.external_ref));
  if (d.status.empty()) return absl::InvalidArgumentError("status: must not be empty");
  if (d.ordered_at == absl::InfinitePast() || d.ordered_at == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError("ordered_at: must be a finite time");
  }
  for (const OrderItem& i : d.items) {
    RETURN_IF_ERROR(CheckUtf8("items.sku", i.sku));
    RETURN_IF_ERROR(CheckUtf8("items.name", i.name));
    if (i.quantity <= 0) return absl::InvalidArgumentError("items.quantity: must be positive");
  }
  RETURN_IF_ERROR(CheckCustomerExists(ctx.conn, d.customer));
  if (!d.external_ref.empty()) {
    ASSIGN_OR_RETURN(Statement dup, ctx.conn.Prepare("SELECT id FROM orders WHERE external_ref = ?"));
    dup.Bind(1, d.external_ref);
    ASSIGN_OR_RETURN(bool row, dup.Step());
    if (row) return absl::AlreadyExistsError(StrCat("external_ref: order \"", d.external_ref, "\" exists (order ", dup.Int(0), ")"));
  }
  ASSIGN_OR_RETURN(Statement * st, ctx.conn.Cached(
                                       "INSERT INTO orders (customer_id, amount_minor, currency, ordered_at, status, external_ref, "
                                       "items, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  st->Bind(1, ToInt(d.customer)).Bind(2, d.amount.minor).Bind(3, d.amount.currency).Bind(4, ToMicros(d.ordered_at));
  st->Bind(5, d.status);
  if (d.external_ref.empty()) {
    st->BindNull(6);
  } else {
    st->Bind(6, d.external_ref);
  }
  if (d.items.empty()) {
    st->BindNull(7);
  } else {
    st->Bind(7, DumpJson(ItemsJson(d.items)));
  }
  st->Bind(8, ToMicros(ctx.now));
  RETURN_IF_ERROR(st->Run());
  Order o{OrderId{ctx.conn.LastInsertRowid()}, d.customer, d.amount, d.ordered_at, d.status, d.external_ref, d.items, ctx.now};
  nlohmann::json after = OrderToJson(o);
  ChangeEntry e{"order", ToInt(o.id), ToInt(o.customer), "create", {}, nullptr, after};
  for (const auto& [k, v] : after.items()) e.fields.push_back(k);
  RETURN_IF_ERROR(AppendChange(ctx.conn, ctx.now, ctx.actor, e).status());
  return o;
}

absl::StatusOr<Order> LoadOrder(Connection& conn, OrderId id) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(StrCat("SELECT ", kOrderColumns, " FROM orders WHERE id = ?")));
  st.Bind(1, ToInt(id));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return absl::NotFoundError(StrCat("order ", ToInt(id), " not found"));
  return ReadOrder(st);
}

absl::StatusOr<Activity> InsertActivity(const WriteContext& ctx, const ActivityDraft& d) {
  RETURN_IF_ERROR(CheckUtf8("outcome", d.outcome));
  RETURN_IF_ERROR(CheckUtf8("text", d.text));
  if (d.at == absl::InfinitePast() || d.at == absl::InfiniteFuture()) return absl::InvalidArgumentError("at: must be a finite time");
  if (d.owner && ToInt(*d.owner) <= 0) return absl::InvalidArgumentError("owner: a user id must be positive");
  RETURN_IF_ERROR(CheckCustomerExists(ctx.conn, d.customer));
  ASSIGN_OR_RETURN(Statement * st, ctx.conn.Cached(
                                       "INSERT INTO activities (customer_id, kind, at, owner, outcome, text, created_at) "
                                       "VALUES (?, ?, ?, ?, ?, ?, ?)"));
  st->Bind(1, ToInt(d.customer)).Bind(2, ToString(d.kind)).Bind(3, ToMicros(d.at));
  if (d.owner) {
    st->Bind(4, ToInt(*d.owner));
  } else {
    st->BindNull(4);
  }
  st->Bind(5, d.outcome).Bind(6, d.text).Bind(7, ToMicros(ctx.now));
  RETURN_IF_ERROR(st->Run());
  Activity a{ActivityId{ctx.conn.LastInsertRowid()}, d.customer, d.kind, d.at, d.owner, d.outcome, d.text, ctx.now};
  nlohmann::json after = ActivityToJson(a);
  ChangeEntry e{"activity", ToInt(a.id), ToInt(a.customer), "create", {}, nullptr, after};
  for (const auto& [k, v] : after.items()) e.fields.push_back(k);
  RETURN_IF_ERROR(AppendChange(ctx.conn, ctx.now, ctx.actor, e).status());
  return a;
}

absl::StatusOr<std::vector<TimelineItem>> LoadTimeline(Connection& conn, CustomerId id, const TimelineQuery& q) {
  if (q.limit <= 0 || q.limit > 10000) return absl::InvalidArgumentError("limit: must be between 1 and 10000");
  const int64_t before = q.before ? ToMicros(*q.before) : std::numeric_limits<int64_t>::max();
  std::vector<TimelineItem> items;
  {
    ASSIGN_OR_RETURN(Statement * st, conn.Cached(StrCat("SELECT ", kOrderColumns, " FROM orders WHERE customer_id = ? "
                                                              "AND ordered_at < ? ORDER BY ordered_at DESC, id DESC LIMIT ?")));
    st->Bind(1, ToInt(id)).Bind(2, before).Bind(3, q.limit);
    while (true) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      Order o = ReadOrder(*st, q.include_items);
      items.push_back(TimelineItem{o.ordered_at, std::move(o)});
    }
  }
  {
    ASSIGN_OR_RETURN(Statement * st, conn.Cached(StrCat("SELECT ", kActivityColumns, " FROM activities WHERE customer_id = ? "
                                                              "AND at < ? ORDER BY at DESC, id DESC LIMIT ?")));
    st->Bind(1, ToInt(id)).Bind(2, before).Bind(3, q.limit);
    while (true) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      Activity a = ReadActivity(*st);
      items.push_back(TimelineItem{a.at, std::move(a)});
    }
  }
  // Existence is only worth a query when nothing was found.
  if (items.empty()) RETURN_IF_ERROR(CheckCustomerExists(conn, id));
  std::stable_sort(items.begin(), items.end(), [](const TimelineItem& a, const TimelineItem& b) { return a.at > b.at; });
  if (static_cast<int>(items.size()) > q.limit) items.resize(q.limit);
  return items;
}

}  // namespace rapport::internal
