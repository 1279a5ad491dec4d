// Conversions between Python objects and the public C++ value types.
#include <climits>
#include <string>

#include "common.h"

namespace rapport::python {
namespace {

// Debian's Abseil has its own string_view, so absl::StrCat does not take std::string_view.
std::string Cat(std::string_view a, std::string_view b, std::string_view c = {}) {
  std::string out;
  out.reserve(a.size() + b.size() + c.size());
  out.append(a).append(b).append(c);
  return out;
}

}  // namespace

std::string Str(py::handle h, std::string_view what) {
  if (PyUnicode_Check(h.ptr())) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(h.ptr(), &size);
    if (data == nullptr) {
      PyErr_Clear();
      RaiseValidation(Cat(what, ": text is not valid UTF-8 (it contains lone surrogates)"));
    }
    return std::string(data, static_cast<size_t>(size));
  }
  if (PyBytes_Check(h.ptr())) {
    return std::string(PyBytes_AS_STRING(h.ptr()), static_cast<size_t>(PyBytes_GET_SIZE(h.ptr())));
  }
  throw py::type_error(Cat(what, ": expected str, got ", Py_TYPE(h.ptr())->tp_name));
}

std::optional<std::string> OptStr(py::handle h, std::string_view what) {
  if (h.is_none()) return std::nullopt;
  return Str(h, what);
}

std::vector<std::string> StrList(py::handle h, std::string_view what) {
  std::vector<std::string> out;
  if (h.is_none()) return out;
  if (PyUnicode_Check(h.ptr()) || PyBytes_Check(h.ptr())) {
    throw py::type_error(Cat(what, ": expected a list of str, got a single string"));
  }
  for (py::handle item : py::iter(h)) out.push_back(Str(item, what));
  return out;
}

Value ToValue(py::handle h, std::string_view field) {
  PyObject* o = h.ptr();
  if (h.is_none()) return Value();
  if (PyBool_Check(o)) return Value(o == Py_True);
  if (PyLong_Check(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow != 0) RaiseValidation(Cat(field, ": integer out of the 64-bit range"));
    if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
    return Value(static_cast<int64_t>(v));
  }
  if (PyFloat_Check(o)) return Value(PyFloat_AS_DOUBLE(o));
  if (PyUnicode_Check(o) || PyBytes_Check(o)) return Value(Str(h, field));
  Money money;
  if (AsMoney(h, &money)) return Value(std::move(money));
  if (PyList_Check(o) || PyTuple_Check(o)) return Value(StrList(h, field));
  throw py::type_error(Cat(field, ": unsupported value type ", Py_TYPE(o)->tp_name));
}

FieldMap ToFieldMap(py::handle dict) {
  FieldMap out;
  if (dict.is_none()) return out;
  for (auto item : py::reinterpret_borrow<py::dict>(dict)) {
    std::string name = Str(item.first, "field name");
    out[name] = ToValue(item.second, name);
  }
  return out;
}

// Each draft is a tuple (kind: int, value, label, primary, opted_out, invalid).
std::vector<ContactPointDraft> ToContactDrafts(py::handle list) {
  std::vector<ContactPointDraft> out;
  if (list.is_none()) return out;
  for (py::handle item : py::iter(list)) {
    auto t = py::reinterpret_borrow<py::tuple>(item);
    ContactPointDraft d;
    d.kind = static_cast<ContactKind>(t[0].cast<int>());
    d.value = Str(t[1], "contact point value");
    d.label = Str(t[2], "contact point label");
    d.primary = t[3].cast<bool>();
    d.opted_out = t[4].cast<bool>();
    d.invalid = t[5].cast<bool>();
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<ExternalId> ToExternalIds(py::handle list) {
  std::vector<ExternalId> out;
  if (list.is_none()) return out;
  for (py::handle item : py::iter(list)) {
    auto t = py::reinterpret_borrow<py::tuple>(item);
    out.push_back(ExternalId{Str(t[0], "external id system"), Str(t[1], "external id key")});
  }
  return out;
}

py::str Text(std::string_view s) {
  // Stored text is valid UTF-8; surrogateescape keeps anything else round-trippable, never failing.
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "surrogateescape");
  if (o == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

py::object OptText(const std::optional<std::string>& s) {
  if (!s.has_value()) return py::none();
  return Text(*s);
}

py::object MoneyObject(const Money& m) {
  py::object cls = py::module_::import("rapport._types").attr("Money");
  return cls(m.minor, Text(m.currency));
}

bool AsMoney(py::handle h, Money* out) {
  py::object cls = py::module_::import("rapport._types").attr("Money");
  if (!py::isinstance(h, cls)) return false;
  out->minor = h.attr("minor").cast<int64_t>();
  out->currency = Str(h.attr("currency"), "currency");
  return true;
}

py::object FromValue(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull:
      return py::none();
    case Value::Type::kBool:
      return py::bool_(v.as_bool());
    case Value::Type::kInt:
      return py::int_(v.as_int());
    case Value::Type::kDouble:
      return py::float_(v.as_double());
    case Value::Type::kText:
      return Text(v.as_text());
    case Value::Type::kList: {
      py::list l;
      for (const auto& s : v.as_list()) l.append(Text(s));
      return l;
    }
    case Value::Type::kMoney:
      return MoneyObject(v.as_money());
  }
  return py::none();
}

py::dict ContactPointToDict(const ContactPoint& cp) {
  py::dict d;
  d["id"] = ToInt(cp.id);
  d["customer"] = ToInt(cp.customer);
  d["kind"] = Text(ToString(cp.kind));
  d["value"] = Text(cp.value);
  d["raw"] = Text(cp.raw);
  d["label"] = Text(cp.label);
  d["primary"] = cp.primary;
  d["opted_out"] = cp.opted_out;
  d["invalid"] = cp.invalid;
  return d;
}

py::dict CustomerToDict(const Customer& c) {
  py::dict d;
  d["id"] = ToInt(c.id);
  d["kind"] = Text(ToString(c.kind));
  d["name"] = Text(c.name);
  d["industry"] = OptText(c.industry);
  d["region"] = OptText(c.region);
  d["size"] = OptText(c.size);
  d["source"] = OptText(c.source);
  d["owner"] = c.owner ? py::object(py::int_(ToInt(*c.owner))) : py::none();
  d["birthday"] = c.birthday ? py::object(py::make_tuple(c.birthday->year(), c.birthday->month(),
                                                         c.birthday->day()))
                             : py::none();
  d["lifecycle_stage"] = OptText(c.lifecycle_stage);
  d["created_at"] = Micros(c.created_at);
  d["updated_at"] = Micros(c.updated_at);
  d["deleted_at"] = c.deleted_at ? py::object(py::int_(Micros(*c.deleted_at))) : py::none();
  d["version"] = c.version;
  py::dict custom;
  for (const auto& [name, value] : c.custom_fields) custom[Text(name)] = FromValue(value);
  d["custom"] = custom;
  py::list cps;
  for (const auto& cp : c.contact_points) cps.append(ContactPointToDict(cp));
  d["contact_points"] = cps;
  py::list tags;
  for (const auto& t : c.tags) tags.append(Text(t));
  d["tags"] = tags;
  py::list ext;
  for (const auto& e : c.external_ids) ext.append(py::make_tuple(Text(e.system), Text(e.key)));
  d["external_ids"] = ext;
  return d;
}

py::dict FieldDefToDict(const CustomFieldDef& def) {
  py::dict d;
  d["name"] = Text(def.name);
  d["type"] = Text(ToString(def.type));
  d["label"] = Text(def.label);
  d["required"] = def.required;
  d["unique"] = def.unique;
  d["indexed"] = def.indexed;
  d["min"] = def.min ? py::object(py::float_(*def.min)) : py::none();
  d["max"] = def.max ? py::object(py::float_(*def.max)) : py::none();
  d["pattern"] = Text(def.pattern);
  py::list options;
  for (const auto& o : def.options) options.append(Text(o));
  d["options"] = options;
  d["currency"] = Text(def.currency);
  return d;
}

py::dict OrderToDict(const Order& o) {
  py::dict d;
  d["type"] = "order";
  d["id"] = ToInt(o.id);
  d["customer"] = ToInt(o.customer);
  d["amount_minor"] = o.amount.minor;
  d["currency"] = Text(o.amount.currency);
  d["ordered_at"] = Micros(o.ordered_at);
  d["status"] = Text(o.status);
  d["external_ref"] = Text(o.external_ref);
  py::list items;
  for (const auto& i : o.items) {
    items.append(py::make_tuple(Text(i.sku), Text(i.name), i.quantity, i.unit_price_minor));
  }
  d["items"] = items;
  d["created_at"] = Micros(o.created_at);
  return d;
}

py::dict ActivityToDict(const Activity& a) {
  py::dict d;
  d["type"] = "activity";
  d["id"] = ToInt(a.id);
  d["customer"] = ToInt(a.customer);
  d["kind"] = Text(ToString(a.kind));
  d["at"] = Micros(a.at);
  d["owner"] = a.owner ? py::object(py::int_(ToInt(*a.owner))) : py::none();
  d["outcome"] = Text(a.outcome);
  d["text"] = Text(a.text);
  d["created_at"] = Micros(a.created_at);
  return d;
}

}  // namespace rapport::python
