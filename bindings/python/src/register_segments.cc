// The segment language (rapport::SegmentExpr), frames built from numpy arrays, evaluation, and the
// database's segment and saved-segment calls.
//
// _core.Expr is the C++ expression tree; the pure-Python rapport.Expr wraps it and turns Python
// operators into the builder calls registered here. _core.Frame is a rapport::CustomerFrame filled
// column by column from numpy arrays (rapport/_segments.py converts pandas columns to those arrays).
#include <pybind11/numpy.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "arrays.h"
#include "common.h"

namespace rapport::python {
namespace {

constexpr int64_t kMaxDurationCount = 1'000'000;  // as the parser and the JSON reader allow

py::array_t<int64_t> IdArray(const std::vector<CustomerId>& ids) {
  std::vector<int64_t> v(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) v[i] = ToInt(ids[i]);
  return ToArray(std::move(v));
}

std::vector<CustomerId> ToCustomerIds(const Array<int64_t>& a) {
  std::vector<CustomerId> out;
  for (int64_t id : ToVector(a)) out.push_back(CustomerId{id});
  return out;
}

// -------------------------------------------------------------------------------- expressions

SegmentExpr NumberLiteral(double value) {
  if (!std::isfinite(value)) RaiseValidation("number literal: must be finite");
  return SegmentExpr::Number(value);
}

SegmentExpr DurationLiteral(int64_t count, const std::string& unit) {
  if (unit != "h" && unit != "d" && unit != "w") RaiseValidation("duration literal: the unit is \"h\", \"d\" or \"w\"");
  if (count > kMaxDurationCount || count < -kMaxDurationCount) {
    RaiseValidation("duration literal: a whole number of hours, days or weeks up to 1000000");
  }
  return SegmentExpr::Duration(count, unit[0]);
}

std::vector<SegmentExpr> ExprList(py::handle list) {
  std::vector<SegmentExpr> out;
  for (py::handle item : py::iter(list)) out.push_back(item.cast<SegmentExpr>());
  return out;
}

void RegisterExpr(py::module_& m) {
  py::class_<SegmentExpr> e(m, "Expr", "A segment expression tree (immutable; copies share it).");
  e.def_static("parse", [](py::handle text) { return Take(SegmentExpr::Parse(Str(text, "expression"))); })
      .def_static("from_json", [](py::handle json) { return Take(SegmentExpr::FromJson(Str(json, "expression"))); })
      .def_static("field",
                  [](py::handle name) {
                    std::string n = Str(name, "field name");
                    if (n.empty()) RaiseValidation("field name: must not be empty");
                    return SegmentExpr::Field(n);
                  })
      .def_static("number", &NumberLiteral)
      .def_static("text", [](py::handle s) { return SegmentExpr::Text(Str(s, "text literal")); })
      .def_static("bool", [](bool b) { return SegmentExpr::Bool(b); })
      .def_static("date", [](int y, int mo, int d) { return SegmentExpr::Date(absl::CivilDay(y, mo, d)); })
      .def_static("duration", &DurationLiteral)
      .def_static("call",
                  [](py::handle name, py::handle args) {
                    std::string n = Str(name, "function name");
                    if (n.empty()) RaiseValidation("function name: must not be empty");
                    return SegmentExpr::Call(n, ExprList(args));
                  })
      .def("eq", &SegmentExpr::Eq)
      .def("ne", &SegmentExpr::Ne)
      .def("lt", &SegmentExpr::Lt)
      .def("le", &SegmentExpr::Le)
      .def("gt", &SegmentExpr::Gt)
      .def("ge", &SegmentExpr::Ge)
      .def("isin", [](const SegmentExpr& self, py::handle values) { return self.In(ExprList(values)); })
      .def("between", &SegmentExpr::Between)
      .def("is_null", &SegmentExpr::IsNull)
      .def("contains", &SegmentExpr::Contains)
      .def("starts_with", &SegmentExpr::StartsWith)
      .def("ends_with", &SegmentExpr::EndsWith)
      .def("plus", &SegmentExpr::Plus)
      .def("minus", &SegmentExpr::Minus)
      .def("times", &SegmentExpr::Times)
      .def("divided_by", &SegmentExpr::DividedBy)
      .def("negated", &SegmentExpr::Negated)
      .def("and_", [](const SegmentExpr& a, const SegmentExpr& b) { return a && b; })
      .def("or_", [](const SegmentExpr& a, const SegmentExpr& b) { return a || b; })
      .def("not_", [](const SegmentExpr& a) { return !a; })
      .def("same_as", [](const SegmentExpr& a, const SegmentExpr& b) { return a == b; })
      .def("to_text", [](const SegmentExpr& self) { return Text(self.ToText()); })
      .def("to_json", [](const SegmentExpr& self) { return Text(self.ToJson()); })
      .def("fields", [](const SegmentExpr& self) { return PyStrings(self.Fields()); })
      .def("segments_referenced", [](const SegmentExpr& self) { return PyStrings(self.SegmentsReferenced()); })
      .def_property_readonly("depth", &SegmentExpr::Depth);
  e.attr("MAX_DEPTH") = SegmentExpr::kMaxDepth;
}

// -------------------------------------------------------------------------------- frames

// A CustomerFrame filled from arrays given in the caller's row order. Rows are kept by ascending
// id (as the engine requires): `order[i]` is the caller's row that became row i.
struct PyFrame {
  CustomerFrame frame;
  std::optional<OrderFrame> orders;  // kept for evaluate() (keep_orders)
  std::vector<uint32_t> order;  // empty: the caller's rows were already ascending

  size_t Source(size_t row) const { return order.empty() ? row : order[row]; }

  void CheckLength(std::string_view name, size_t n) const {
    if (n != frame.rows()) {
      RaiseValidation(Cat({"column \"", name, "\": ", std::to_string(n), " values for ", std::to_string(frame.rows()),
                           " rows"}));
    }
  }

  template <typename T>
  std::vector<T> Gather(std::string_view name, const Array<T>& a) const {
    if (a.ndim() != 1) RaiseValidation(Cat({"column \"", name, "\": expected a one-dimensional array"}));
    CheckLength(name, static_cast<size_t>(a.shape(0)));
    const T* in = a.data();
    std::vector<T> out(frame.rows());
    for (size_t i = 0; i < out.size(); ++i) out[i] = in[Source(i)];
    return out;
  }
};

PyFrame MakeFrame(const Array<int64_t>& ids_array) {
  PyFrame f;
  std::vector<int64_t> ids = ToVector(ids_array);
  if (ids.size() > UINT32_MAX) RaiseValidation("frame: more than 4294967295 rows");
  if (!std::is_sorted(ids.begin(), ids.end())) {
    f.order.resize(ids.size());
    std::iota(f.order.begin(), f.order.end(), 0u);
    std::stable_sort(f.order.begin(), f.order.end(), [&](uint32_t a, uint32_t b) { return ids[a] < ids[b]; });
    std::vector<int64_t> sorted(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) sorted[i] = ids[f.order[i]];
    ids = std::move(sorted);
  }
  for (size_t i = 1; i < ids.size(); ++i) {
    if (ids[i] == ids[i - 1]) RaiseValidation(Cat({"id: ", std::to_string(ids[i]), " appears more than once"}));
  }
  f.frame.ids = std::move(ids);
  return f;
}

int64_t ToMicros(int64_t v, int64_t mul, int64_t div) {
  std::optional<int64_t> m = ScaleToMicros(v, mul, div);
  if (!m) RaiseValidation("time: out of range");
  return *m;
}

// Orders from numpy arrays (times in units of mul/div µs); NaT times stay missing (the core skips such
// orders), a missing or infinite amount is refused.
OrderFrame ToOrderFrame(const Array<int64_t>& customer, const Array<int64_t>& at, int64_t mul, int64_t div,
                        const Array<double>& amount, py::handle amount_column) {
  std::string amount_name = Str(amount_column, "amount column");
  OrderFrame o;
  o.customer = ToVector(customer);
  o.at = ToVector(at);
  o.amount = ToVector(amount);
  if (o.at.size() != o.customer.size() || o.amount.size() != o.customer.size()) {
    RaiseValidation("orders: the columns differ in length");
  }
  if (mul <= 0 || div <= 0) RaiseValidation("time unit: must be positive");
  for (size_t i = 0; i < o.rows(); ++i) {
    o.at[i] = ToMicros(o.at[i], mul, div);
    if (!std::isfinite(o.amount[i])) {
      RaiseValidation(Cat({"orders: column \"", amount_name, "\": missing or infinite amount in row ", std::to_string(i)}));
    }
  }
  return o;
}

void AddColumns(py::class_<PyFrame>& cls) {
  cls.def("add_number",
          [](PyFrame& self, const std::string& name, const Array<double>& values) {
            self.frame.Add(name, NumberColumn{self.Gather(name, values)});
          })
      .def("add_time",
           [](PyFrame& self, const std::string& name, const Array<int64_t>& values, int64_t mul, int64_t div) {
             if (mul <= 0 || div <= 0) RaiseValidation("time unit: must be positive");
             std::vector<int64_t> v = self.Gather(name, values);
             for (int64_t& x : v) x = ToMicros(x, mul, div);
             self.frame.Add(name, TimeColumn{std::move(v)});
           },
           "Integers of some unit: microseconds = floor(v * mul / div); INT64_MIN is missing (NaT).")
      .def("add_bool",
           [](PyFrame& self, const std::string& name, const Array<int8_t>& values) {
             std::vector<int8_t> v = self.Gather(name, values);
             for (int8_t x : v) {
               if (x < -1 || x > 1) RaiseValidation(Cat({"column \"", name, "\": bool codes are -1, 0 and 1"}));
             }
             self.frame.Add(name, BoolColumn{std::move(v)});
           })
      .def("add_category",
           [](PyFrame& self, const std::string& name, const Array<int32_t>& codes, py::handle categories) {
             CategoryColumn c;
             c.dictionary = Dictionary(name, StringsOf(categories, name));
             const std::vector<int32_t> gathered = self.Gather(name, codes);
             for (int32_t code : gathered) {
               if (code < -1 || code >= c.dictionary.size()) {
                 RaiseValidation(Cat({"column \"", name, "\": category code ", std::to_string(code), " out of range"}));
               }
             }
             c.codes.assign(gathered.begin(), gathered.end());
             self.frame.Add(name, std::move(c));
           },
           "Codes into `categories` (-1: missing).")
      .def("add_set",
           [](PyFrame& self, const std::string& name, const Array<int64_t>& offsets_array, const Array<int32_t>& codes_array,
              py::handle values) {
             SetColumn c;
             c.dictionary = Dictionary(name, StringsOf(values, name));
             std::vector<int64_t> offsets = ToVector(offsets_array);
             std::vector<int32_t> codes = ToVector(codes_array);
             self.CheckLength(name, offsets.empty() ? 0 : offsets.size() - 1);
             for (size_t r = 0; r + 1 < offsets.size(); ++r) {
               if (offsets[r] < 0 || offsets[r] > offsets[r + 1] || offsets[r + 1] > static_cast<int64_t>(codes.size())) {
                 RaiseValidation(Cat({"column \"", name, "\": offsets out of order"}));
               }
             }
             for (int32_t code : codes) {
               if (code < 0 || code >= c.dictionary.size()) RaiseValidation(Cat({"column \"", name, "\": set code out of range"}));
             }
             std::vector<int32_t> row;
             for (size_t i = 0; i < self.frame.rows(); ++i) {
               size_t r = self.Source(i);
               row.assign(codes.begin() + offsets[r], codes.begin() + offsets[r + 1]);
               std::sort(row.begin(), row.end());
               row.erase(std::unique(row.begin(), row.end()), row.end());
               if (c.codes.size() + row.size() >= kMovedRow) RaiseValidation(Cat({"column \"", name, "\": too many values"}));
               c.AppendCodes(row);
             }
             self.frame.Add(name, std::move(c));
           },
           "Row r holds values[codes[offsets[r]:offsets[r+1]]].")
      .def("add_orders",
           [](PyFrame& self, const Array<int64_t>& customer, const Array<int64_t>& at, int64_t mul, int64_t div,
              const Array<double>& amount, py::handle amount_column) {
             OrderFrame o = ToOrderFrame(customer, at, mul, div, amount, amount_column);
             Check(NoGil([&] { return AddOrderMetrics(o, self.frame); }));
           },
           "Order metrics (frequency, monetary, aov, first_order_at, last_order_at, mean_interpurchase_days);\n"
           "orders without a time (NaT) are skipped, a missing amount is refused.")
      .def("keep_orders",
           [](PyFrame& self, const Array<int64_t>& customer, const Array<int64_t>& at, int64_t mul, int64_t div,
              const Array<double>& amount, py::handle amount_column) {
             self.orders = ToOrderFrame(customer, at, mul, div, amount, amount_column);
           },
           "Orders that evaluate() computes the order metrics from, for the customers it needs them for\n"
           "(SegmentContext::orders), instead of metric columns computed for everyone up front.");
}

// [(name, ColumnType index)].
py::list Schema(const CustomerFrame& f) {
  py::list out;
  for (const auto& [name, column] : f.columns) out.append(py::make_tuple(Text(name), static_cast<int>(TypeOf(column))));
  return out;
}

using MembersMap = std::map<std::string, std::vector<int64_t>, std::less<>>;

py::array_t<int64_t> Evaluate(const PyFrame& self, const SegmentExpr& expr, std::optional<int64_t> as_of,
                              py::handle segments, int threads) {
  auto members = std::make_shared<MembersMap>();
  if (!segments.is_none()) {
    for (auto item : py::reinterpret_borrow<py::dict>(segments)) {
      (*members)[Str(item.first, "segment name")] = ToVector(item.second.cast<Array<int64_t>>());
    }
  }
  SegmentContext ctx;
  if (as_of) ctx.as_of = *as_of;
  ctx.threads = threads;
  if (self.orders) ctx.orders = &*self.orders;
  ctx.segment_members = [members](std::string_view name) -> absl::StatusOr<std::vector<int64_t>> {
    auto it = members->find(name);
    if (it == members->end()) {
      return absl::NotFoundError(Cat({"in_segment: no segment named \"", name, "\" (pass segments={\"", name, "\": ids})"}));
    }
    return it->second;
  };
  return ToArray(Take(NoGil([&] { return EvaluateSegment(expr, self.frame, ctx); })));
}

// The rows of the given ids (all rows when None), column by column, for pandas:
// (ids, [(name, kind, data, extra)]) with kind number|time|bool|category|text|set.
py::tuple Columns(const PyFrame& self, py::handle ids) {
  const CustomerFrame& f = self.frame;
  std::vector<uint32_t> rows;
  if (ids.is_none()) {
    rows.resize(f.rows());
    std::iota(rows.begin(), rows.end(), 0u);
  } else {
    for (int64_t id : ToVector(ids.cast<Array<int64_t>>())) {
      int64_t r = f.RowOf(id);
      if (r < 0) RaiseStatus(absl::NotFoundError(Cat({"customer ", std::to_string(id), ": not in the frame"})));
      rows.push_back(static_cast<uint32_t>(r));
    }
  }
  std::vector<int64_t> out_ids(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) out_ids[i] = f.ids[rows[i]];
  py::list columns;
  for (const auto& [name, column] : f.columns) {
    py::object data, extra = py::none();
    const char* kind = "";
    if (const auto* c = std::get_if<NumberColumn>(&column)) {
      std::vector<double> v(rows.size());
      for (size_t i = 0; i < rows.size(); ++i) v[i] = c->Get(rows[i]);
      kind = "number", data = ToArray(std::move(v));
    } else if (const auto* c = std::get_if<TimeColumn>(&column)) {
      std::vector<int64_t> v(rows.size());
      for (size_t i = 0; i < rows.size(); ++i) v[i] = c->Get(rows[i]);  // kNullTime is numpy's NaT
      kind = "time", data = ToArray(std::move(v));
    } else if (const auto* c = std::get_if<BoolColumn>(&column)) {
      std::vector<int8_t> v(rows.size());
      for (size_t i = 0; i < rows.size(); ++i) v[i] = c->Get(rows[i]);
      kind = "bool", data = ToArray(std::move(v));
    } else if (const auto* c = std::get_if<CategoryColumn>(&column)) {
      std::vector<int32_t> v(rows.size());
      c->codes.Visit([&](const auto& codes) {
        for (size_t i = 0; i < rows.size(); ++i) v[i] = CategoryCodes::Decode(codes[rows[i]]);
      });
      py::list categories;
      for (int32_t k = 0; k < c->dictionary.size(); ++k) categories.append(Text(c->dictionary.at(k)));
      kind = "category", data = ToArray(std::move(v)), extra = categories;
    } else if (const auto* c = std::get_if<TextColumn>(&column)) {
      py::list v;
      for (uint32_t r : rows) {
        auto s = c->Get(r);
        v.append(s ? py::object(Text(*s)) : py::none());
      }
      kind = "text", data = v;
    } else if (const auto* c = std::get_if<SetColumn>(&column)) {
      py::list v;
      for (uint32_t r : rows) {
        std::vector<std::string_view> values = c->Values(r);
        std::sort(values.begin(), values.end());
        py::list l;
        for (std::string_view s : values) l.append(Text(s));
        v.append(l);
      }
      kind = "set", data = v;
    }
    columns.append(py::make_tuple(Text(name), kind, data, extra));
  }
  return py::make_tuple(ToArray(std::move(out_ids)), columns);
}

void RegisterFrame(py::module_& m) {
  py::class_<PyFrame> cls(m, "Frame", "A rapport::CustomerFrame (columns by name, rows by ascending id).");
  cls.def(py::init(&MakeFrame), py::arg("ids"))
      .def_property_readonly("rows", [](const PyFrame& self) { return self.frame.rows(); })
      .def_property_readonly("bytes", [](const PyFrame& self) { return self.frame.bytes(); })
      .def("ids", [](const PyFrame& self) { return ToArray(std::vector<int64_t>(self.frame.ids)); })
      .def("schema", [](const PyFrame& self) { return Schema(self.frame); })
      .def("evaluate", &Evaluate, py::arg("expr"), py::arg("as_of") = std::nullopt, py::arg("segments") = py::none(),
           py::arg("threads") = 0)
      .def("columns", &Columns, py::arg("ids") = py::none());
  AddColumns(cls);
}

// -------------------------------------------------------------------------------- database

FrameOptions ToFrameOptions(py::handle order_statuses, py::handle currency) {
  FrameOptions o;
  if (!order_statuses.is_none()) o.order_statuses = StrList(order_statuses, "order_statuses");
  if (!currency.is_none()) o.currency = Str(currency, "currency");
  return o;
}

SegmentOptions ToSegmentOptions(std::optional<int64_t> as_of, py::handle order_statuses, py::handle currency) {
  SegmentOptions o;
  if (as_of) o.as_of = FromMicros(*as_of);
  o.frame = ToFrameOptions(order_statuses, currency);
  return o;
}

py::object OptMicros(const std::optional<absl::Time>& t) { return t ? py::object(py::int_(Micros(*t))) : py::none(); }

py::dict SavedSegmentToDict(const SavedSegment& s) {
  py::dict d;
  d["id"] = s.id;
  d["name"] = Text(s.name);
  d["kind"] = Text(ToString(s.kind));
  d["expression"] = Text(s.expression);
  d["description"] = Text(s.description);
  py::list statuses;
  for (const std::string& status : s.frame.order_statuses) statuses.append(Text(status));
  d["order_statuses"] = statuses;
  d["currency"] = Text(s.frame.currency);
  d["created_at"] = Micros(s.created_at);
  d["updated_at"] = Micros(s.updated_at);
  d["refreshed_at"] = OptMicros(s.refreshed_at);
  d["history_from"] = OptMicros(s.history_from);
  d["members"] = s.members;
  return d;
}

py::dict DeltaToDict(const SegmentDelta& delta) {
  py::dict d;
  d["name"] = Text(delta.name);
  d["as_of"] = Micros(delta.as_of);
  d["entered"] = IdArray(delta.entered);
  d["left"] = IdArray(delta.left);
  d["members"] = delta.members;
  return d;
}

std::optional<absl::Time> OptTime(std::optional<int64_t> us) {
  if (!us) return std::nullopt;
  return FromMicros(*us);
}

void RegisterDatabaseSegments(py::class_<PyDatabase>& cls) {
  cls.def("segment",
          [](const PyDatabase& self, const SegmentExpr& expr, std::optional<int64_t> as_of, py::handle order_statuses,
             py::handle currency) {
            SegmentOptions options = ToSegmentOptions(as_of, order_statuses, currency);
            Database db = self.Get();
            return IdArray(Take(NoGil([&] { return db.Segment(expr, options); })));
          },
          py::arg("expr"), py::arg("as_of") = std::nullopt, py::arg("order_statuses") = py::none(),
          py::arg("currency") = py::none());

  cls.def("segment_sql",
          [](const PyDatabase& self, const SegmentExpr& expr, std::optional<int64_t> as_of, py::handle order_statuses,
             py::handle currency) {
            SegmentOptions options = ToSegmentOptions(as_of, order_statuses, currency);
            Database db = self.Get();
            SqlQuery q = Take(NoGil([&] { return db.SegmentSql(expr, options); }));
            py::list params;
            for (const Value& v : q.params) params.append(FromValue(v));
            return py::make_tuple(Text(q.sql), params);
          },
          py::arg("expr"), py::arg("as_of") = std::nullopt, py::arg("order_statuses") = py::none(),
          py::arg("currency") = py::none());

  cls.def("load_customer_frame",
          [](const PyDatabase& self, py::handle order_statuses, py::handle currency, bool clv_scores) {
            FrameOptions options = ToFrameOptions(order_statuses, currency);
            const CustomerFrameParts parts{.clv_scores = clv_scores};
            Database db = self.Get();
            PyFrame f;
            f.frame = Take(NoGil([&] { return db.LoadCustomerFrame(options, parts); }));
            return f;
          },
          py::arg("order_statuses") = py::none(), py::arg("currency") = py::none(), py::arg("clv_scores") = false);

  // The customer frame and the ids of the customers an expression selects in it: one snapshot, so
  // that a caller can show the matching rows (segment_df). in_segment reads current members.
  cls.def("segment_frame",
          [](const PyDatabase& self, const SegmentExpr& expr, std::optional<int64_t> as_of, py::handle order_statuses,
             py::handle currency) {
            FrameOptions options = ToFrameOptions(order_statuses, currency);
            const CustomerFrameParts parts{.clv_scores = ReadsClvScores(expr)};  // as Database::Segment's frame
            Database db = self.Get();
            PyFrame f;
            std::vector<int64_t> ids;
            Check(NoGil([&]() -> absl::Status {
              auto loaded = db.LoadCustomerFrame(options, parts);
              if (!loaded.ok()) return loaded.status();
              f.frame = std::move(*loaded);
              SegmentContext ctx;
              ctx.as_of = as_of ? *as_of : Micros(db.Now());
              ctx.segment_members = [&db](std::string_view name) -> absl::StatusOr<std::vector<int64_t>> {
                auto members = db.SegmentMembers(name);
                if (members.status().code() == absl::StatusCode::kNotFound) {
                  return absl::NotFoundError(Cat({"in_segment: no saved segment named \"", name, "\""}));
                }
                if (!members.ok()) return members.status();
                std::vector<int64_t> out;
                for (CustomerId id : *members) out.push_back(ToInt(id));
                return out;
              };
              auto selected = EvaluateSegment(expr, f.frame, ctx);
              if (!selected.ok()) return selected.status();
              ids = std::move(*selected);
              return absl::OkStatus();
            }));
            return py::make_tuple(py::cast(std::move(f)), ToArray(std::move(ids)));
          },
          py::arg("expr"), py::arg("as_of") = std::nullopt, py::arg("order_statuses") = py::none(),
          py::arg("currency") = py::none());

  cls.def("save_segment",
          [](const PyDatabase& self, py::handle name, int kind, py::handle expression, py::handle description,
             py::handle order_statuses, py::handle currency) {
            SegmentDef def;
            def.name = Str(name, "name");
            def.kind = static_cast<SegmentKind>(kind);
            def.expression = Str(expression, "expression");
            def.description = Str(description, "description");
            def.frame = ToFrameOptions(order_statuses, currency);
            Database db = self.Get();
            return SavedSegmentToDict(Take(NoGil([&] { return db.SaveSegment(def); })));
          },
          py::arg("name"), py::arg("kind"), py::arg("expression"), py::arg("description"),
          py::arg("order_statuses") = py::none(), py::arg("currency") = py::none());

  cls.def("drop_segment", [](const PyDatabase& self, py::handle name) {
    std::string n = Str(name, "name");
    Database db = self.Get();
    Check(NoGil([&] { return db.DropSegment(n); }));
  });

  cls.def("get_segment", [](const PyDatabase& self, py::handle name) {
    std::string n = Str(name, "name");
    Database db = self.Get();
    return SavedSegmentToDict(Take(NoGil([&] { return db.GetSegment(n); })));
  });

  cls.def("segments", [](const PyDatabase& self) {
    Database db = self.Get();
    auto all = Take(NoGil([&] { return db.SavedSegments(); }));
    py::list out;
    for (const auto& s : all) out.append(SavedSegmentToDict(s));
    return out;
  });

  cls.def("refresh_segment",
          [](const PyDatabase& self, py::handle name, std::optional<int64_t> as_of) {
            std::string n = Str(name, "name");
            Database db = self.Get();
            return DeltaToDict(Take(NoGil([&] { return db.RefreshSegment(n, OptTime(as_of)); })));
          },
          py::arg("name"), py::arg("as_of") = std::nullopt);

  cls.def("refresh_segments",
          [](const PyDatabase& self, std::optional<int64_t> as_of) {
            Database db = self.Get();
            auto deltas = Take(NoGil([&] { return db.RefreshSegments(OptTime(as_of)); }));
            py::list out;
            for (const auto& d : deltas) out.append(DeltaToDict(d));
            return out;
          },
          py::arg("as_of") = std::nullopt);

  cls.def("add_to_segment", [](const PyDatabase& self, py::handle name, const Array<int64_t>& ids) {
    std::string n = Str(name, "name");
    std::vector<CustomerId> customers = ToCustomerIds(ids);
    Database db = self.Get();
    Check(NoGil([&] { return db.AddToSegment(n, customers); }));
  });

  cls.def("remove_from_segment", [](const PyDatabase& self, py::handle name, const Array<int64_t>& ids) {
    std::string n = Str(name, "name");
    std::vector<CustomerId> customers = ToCustomerIds(ids);
    Database db = self.Get();
    Check(NoGil([&] { return db.RemoveFromSegment(n, customers); }));
  });

  cls.def("segment_members",
          [](const PyDatabase& self, py::handle name, std::optional<int64_t> as_of) {
            std::string n = Str(name, "name");
            Database db = self.Get();
            return IdArray(Take(NoGil([&] { return db.SegmentMembers(n, OptTime(as_of)); })));
          },
          py::arg("name"), py::arg("as_of") = std::nullopt);
}

}  // namespace

void RegisterSegments(py::module_& m, py::class_<PyDatabase>& cls) {
  py::list kinds;
  for (int i = 0; i <= 2; ++i) kinds.append(Text(ToString(static_cast<SegmentKind>(i))));
  m.attr("SEGMENT_KINDS") = py::tuple(kinds);
  RegisterExpr(m);
  RegisterFrame(m);
  RegisterDatabaseSegments(cls);
}

}  // namespace rapport::python
