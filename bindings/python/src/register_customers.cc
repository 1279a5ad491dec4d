// Customers, contact points, tags, external ids, organisation contacts and custom fields.
#include "common.h"

namespace rapport::python {
namespace {

CustomerDraft ToDraft(py::handle fields, py::handle contact_points, py::handle tags,
                      py::handle external_ids) {
  CustomerDraft draft;
  draft.fields = ToFieldMap(fields);
  draft.contact_points = ToContactDrafts(contact_points);
  draft.tags = StrList(tags, "tag");
  draft.external_ids = ToExternalIds(external_ids);
  return draft;
}

py::list RolesToList(const std::vector<ContactRole>& roles) {
  py::list out;
  for (const auto& r : roles) {
    out.append(py::make_tuple(ToInt(r.organization), ToInt(r.person), Text(r.role)));
  }
  return out;
}

}  // namespace

void RegisterCustomers(py::class_<PyDatabase>& cls) {
  cls.def("create_customer",
          [](const PyDatabase& self, py::handle fields, py::handle contact_points, py::handle tags,
             py::handle external_ids) {
            CustomerDraft draft = ToDraft(fields, contact_points, tags, external_ids);
            Database db = self.Get();
            return CustomerToDict(Take(NoGil([&] { return db.CreateCustomer(draft); })));
          },
          py::arg("fields"), py::arg("contact_points") = py::none(), py::arg("tags") = py::none(),
          py::arg("external_ids") = py::none());

  cls.def("get_customer",
          [](const PyDatabase& self, int64_t id, bool include_deleted) {
            Database db = self.Get();
            return CustomerToDict(
                Take(NoGil([&] { return db.GetCustomer(CustomerId{id}, include_deleted); })));
          },
          py::arg("id"), py::arg("include_deleted") = false);

  cls.def("update_customer",
          [](const PyDatabase& self, int64_t id, py::handle fields,
             std::optional<int64_t> expected_version) {
            CustomerPatch patch;
            patch.fields = ToFieldMap(fields);
            patch.expected_version = expected_version;
            Database db = self.Get();
            return CustomerToDict(Take(NoGil([&] { return db.UpdateCustomer(CustomerId{id}, patch); })));
          },
          py::arg("id"), py::arg("fields"), py::arg("expected_version") = std::nullopt);

  cls.def("upsert_customer",
          [](const PyDatabase& self, py::handle system, py::handle key, py::handle fields,
             py::handle contact_points, py::handle tags, py::handle external_ids) {
            ExternalId ext{Str(system, "system"), Str(key, "key")};
            CustomerDraft draft = ToDraft(fields, contact_points, tags, external_ids);
            Database db = self.Get();
            UpsertResult r = Take(NoGil([&] { return db.UpsertCustomer(ext, draft); }));
            return py::make_tuple(CustomerToDict(r.customer), r.created);
          },
          py::arg("system"), py::arg("key"), py::arg("fields"), py::arg("contact_points") = py::none(),
          py::arg("tags") = py::none(), py::arg("external_ids") = py::none());

  cls.def("find_by_external_id", [](const PyDatabase& self, py::handle system, py::handle key) {
    ExternalId ext{Str(system, "system"), Str(key, "key")};
    Database db = self.Get();
    return CustomerToDict(Take(NoGil([&] { return db.FindByExternalId(ext); })));
  });

  cls.def("delete_customer",
          [](const PyDatabase& self, int64_t id, std::optional<int64_t> expected_version) {
            Database db = self.Get();
            Check(NoGil([&] { return db.DeleteCustomer(CustomerId{id}, expected_version); }));
          },
          py::arg("id"), py::arg("expected_version") = std::nullopt);
  cls.def("restore_customer", [](const PyDatabase& self, int64_t id) {
    Database db = self.Get();
    Check(NoGil([&] { return db.RestoreCustomer(CustomerId{id}); }));
  });
  cls.def("purge_customer", [](const PyDatabase& self, int64_t id) {
    Database db = self.Get();
    Check(NoGil([&] { return db.PurgeCustomer(CustomerId{id}); }));
  });

  cls.def("search_customers",
          [](const PyDatabase& self, py::handle name_contains, py::handle contact, py::handle tags,
             std::optional<int64_t> owner, py::handle lifecycle_stage, py::handle custom_field,
             py::handle custom_value, py::handle external_id, bool include_deleted,
             std::optional<int64_t> after, int limit) {
            CustomerQuery q;
            q.name_contains = Str(name_contains, "name_contains");
            q.contact = Str(contact, "contact");
            q.tags = StrList(tags, "tag");
            if (owner) q.owner = UserId{*owner};
            q.lifecycle_stage = OptStr(lifecycle_stage, "lifecycle_stage");
            if (!custom_field.is_none()) {
              std::string name = Str(custom_field, "custom field");
              Value v = ToValue(custom_value, name);
              q.custom_field_equals = std::make_pair(std::move(name), std::move(v));
            }
            if (!external_id.is_none()) {
              auto t = py::reinterpret_borrow<py::tuple>(external_id);
              q.external_id = ExternalId{Str(t[0], "external id system"), Str(t[1], "external id key")};
            }
            q.include_deleted = include_deleted;
            if (after) q.after = CustomerId{*after};
            q.limit = limit;
            Database db = self.Get();
            CustomerPage page = Take(NoGil([&] { return db.SearchCustomers(q); }));
            py::list customers;
            for (const auto& c : page.customers) customers.append(CustomerToDict(c));
            py::object next = page.next ? py::object(py::int_(ToInt(*page.next))) : py::none();
            return py::make_tuple(customers, next);
          },
          py::arg("name_contains") = "", py::arg("contact") = "", py::arg("tags") = py::none(),
          py::arg("owner") = std::nullopt, py::arg("lifecycle_stage") = py::none(),
          py::arg("custom_field") = py::none(), py::arg("custom_value") = py::none(),
          py::arg("external_id") = py::none(), py::arg("include_deleted") = false,
          py::arg("after") = std::nullopt, py::arg("limit") = 50);

  // Contact points.
  cls.def("add_contact_point",
          [](const PyDatabase& self, int64_t customer, py::handle draft) {
            py::list one;
            one.append(draft);
            ContactPointDraft d = ToContactDrafts(one).front();
            Database db = self.Get();
            return ContactPointToDict(
                Take(NoGil([&] { return db.AddContactPoint(CustomerId{customer}, d); })));
          });
  cls.def("update_contact_point",
          [](const PyDatabase& self, int64_t id, py::handle label, std::optional<bool> primary,
             std::optional<bool> opted_out, std::optional<bool> invalid) {
            ContactPointPatch patch;
            patch.label = OptStr(label, "label");
            patch.primary = primary;
            patch.opted_out = opted_out;
            patch.invalid = invalid;
            Database db = self.Get();
            return ContactPointToDict(
                Take(NoGil([&] { return db.UpdateContactPoint(ContactPointId{id}, patch); })));
          },
          py::arg("id"), py::arg("label") = py::none(), py::arg("primary") = std::nullopt,
          py::arg("opted_out") = std::nullopt, py::arg("invalid") = std::nullopt);
  cls.def("remove_contact_point", [](const PyDatabase& self, int64_t id) {
    Database db = self.Get();
    Check(NoGil([&] { return db.RemoveContactPoint(ContactPointId{id}); }));
  });

  // Tags and external ids.
  cls.def("add_tag", [](const PyDatabase& self, int64_t id, py::handle tag) {
    std::string t = Str(tag, "tag");
    Database db = self.Get();
    Check(NoGil([&] { return db.AddTag(CustomerId{id}, t); }));
  });
  cls.def("remove_tag", [](const PyDatabase& self, int64_t id, py::handle tag) {
    std::string t = Str(tag, "tag");
    Database db = self.Get();
    Check(NoGil([&] { return db.RemoveTag(CustomerId{id}, t); }));
  });
  cls.def("add_external_id",
          [](const PyDatabase& self, int64_t id, py::handle system, py::handle key) {
            ExternalId ext{Str(system, "system"), Str(key, "key")};
            Database db = self.Get();
            Check(NoGil([&] { return db.AddExternalId(CustomerId{id}, ext); }));
          });
  cls.def("remove_external_id", [](const PyDatabase& self, py::handle system, py::handle key) {
    ExternalId ext{Str(system, "system"), Str(key, "key")};
    Database db = self.Get();
    Check(NoGil([&] { return db.RemoveExternalId(ext); }));
  });

  // Organisation contacts.
  cls.def("link_contact",
          [](const PyDatabase& self, int64_t org, int64_t person, py::handle role) {
            std::string r = Str(role, "role");
            Database db = self.Get();
            Check(NoGil([&] { return db.LinkContact(CustomerId{org}, CustomerId{person}, r); }));
          });
  cls.def("unlink_contact", [](const PyDatabase& self, int64_t org, int64_t person) {
    Database db = self.Get();
    Check(NoGil([&] { return db.UnlinkContact(CustomerId{org}, CustomerId{person}); }));
  });
  cls.def("contacts_of", [](const PyDatabase& self, int64_t org) {
    Database db = self.Get();
    return RolesToList(Take(NoGil([&] { return db.ContactsOf(CustomerId{org}); })));
  });
  cls.def("organizations_of", [](const PyDatabase& self, int64_t person) {
    Database db = self.Get();
    return RolesToList(Take(NoGil([&] { return db.OrganizationsOf(CustomerId{person}); })));
  });

  // Custom fields.
  cls.def("define_custom_field",
          [](const PyDatabase& self, py::handle name, int type, py::handle label, bool required,
             bool unique, bool indexed, std::optional<double> min, std::optional<double> max,
             py::handle pattern, py::handle options, py::handle currency) {
            CustomFieldDef def;
            def.name = Str(name, "name");
            def.type = static_cast<FieldType>(type);
            def.label = Str(label, "label");
            def.required = required;
            def.unique = unique;
            def.indexed = indexed;
            def.min = min;
            def.max = max;
            def.pattern = Str(pattern, "pattern");
            def.options = StrList(options, "option");
            def.currency = Str(currency, "currency");
            Database db = self.Get();
            return FieldDefToDict(Take(NoGil([&] { return db.DefineCustomField(def); })));
          },
          py::arg("name"), py::arg("type"), py::arg("label") = "", py::arg("required") = false,
          py::arg("unique") = false, py::arg("indexed") = false, py::arg("min") = std::nullopt,
          py::arg("max") = std::nullopt, py::arg("pattern") = "", py::arg("options") = py::none(),
          py::arg("currency") = "");
  cls.def("custom_fields", [](const PyDatabase& self) {
    Database db = self.Get();
    auto defs = Take(NoGil([&] { return db.CustomFields(); }));
    py::list out;
    for (const auto& d : defs) out.append(FieldDefToDict(d));
    return out;
  });
  cls.def("drop_custom_field", [](const PyDatabase& self, py::handle name) {
    std::string n = Str(name, "name");
    Database db = self.Get();
    Check(NoGil([&] { return db.DropCustomField(n); }));
  });
}

}  // namespace rapport::python
