// Tasks and reminders: the database's task calls. Tasks cross as dicts (times as int microseconds,
// enums as the core's names); rapport/_tasks.py turns them into rapport.Task records.
#include "common.h"
#include "rapport/task.h"

namespace rapport::python {
namespace {

py::object OptMicros(const std::optional<absl::Time>& t) {
  return t ? py::object(py::int_(Micros(*t))) : py::object(py::none());
}

py::dict TaskToDict(const Task& t) {
  py::dict d;
  d["id"] = ToInt(t.id);
  d["title"] = Text(t.title);
  d["customer"] = t.customer ? py::object(py::int_(ToInt(*t.customer))) : py::object(py::none());
  d["ref"] = t.ref ? py::object(py::make_tuple(Text(ToString(t.ref->kind)), t.ref->id)) : py::object(py::none());
  d["owner"] = t.owner ? py::object(py::int_(ToInt(*t.owner))) : py::object(py::none());
  d["team"] = t.team.empty() ? py::object(py::none()) : py::object(Text(t.team));
  d["due"] = OptMicros(t.due);
  d["remind_at"] = OptMicros(t.remind_at);
  d["priority"] = Text(ToString(t.priority));
  d["notes"] = Text(t.notes);
  d["created_by_rule"] = t.created_by_rule.empty() ? py::object(py::none()) : py::object(Text(t.created_by_rule));
  d["status"] = Text(ToString(t.status));
  d["created_at"] = Micros(t.created_at);
  d["updated_at"] = Micros(t.updated_at);
  d["completed_at"] = OptMicros(t.completed_at);
  d["cancelled_at"] = OptMicros(t.cancelled_at);
  d["reminded_at"] = OptMicros(t.reminded_at);
  d["version"] = t.version;
  return d;
}

py::list TaskList(const std::vector<Task>& tasks) {
  py::list out;
  for (const Task& t : tasks) out.append(TaskToDict(t));
  return out;
}

std::optional<absl::Time> OptTime(const std::optional<int64_t>& us) {
  if (!us) return std::nullopt;
  return FromMicros(*us);
}

// (kind, id) or None.
std::optional<TaskRef> ToRef(py::handle h) {
  if (h.is_none()) return std::nullopt;
  py::tuple t = py::reinterpret_borrow<py::object>(h).cast<py::tuple>();
  if (t.size() != 2) RaiseValidation("ref: expected (kind, id), e.g. (\"deal\", 42)");
  TaskRef ref;
  ref.kind = Take(ParseTaskRefKind(Str(t[0], "ref.kind")));
  ref.id = t[1].cast<int64_t>();
  return ref;
}

TaskPatch ToPatch(const py::dict& changes) {
  TaskPatch p;
  for (auto [key, value] : changes) {
    const std::string k = key.cast<std::string>();
    if (k == "title") p.title = Str(value, "title");
    else if (k == "customer") p.customer = value.is_none() ? std::nullopt : std::optional(CustomerId{value.cast<int64_t>()});
    else if (k == "ref") p.ref = ToRef(value);
    else if (k == "owner") p.owner = value.is_none() ? std::nullopt : std::optional(UserId{value.cast<int64_t>()});
    else if (k == "team") p.team = value.is_none() ? std::string() : Str(value, "team");
    else if (k == "due") p.due = OptTime(value.cast<std::optional<int64_t>>());
    else if (k == "remind_at") p.remind_at = OptTime(value.cast<std::optional<int64_t>>());
    else if (k == "priority") p.priority = Take(ParseTaskPriority(Str(value, "priority")));
    else if (k == "notes") p.notes = value.is_none() ? std::string() : Str(value, "notes");
    else RaiseValidation("changes: unknown task member \"" + k + "\"");
  }
  return p;
}

}  // namespace

void RegisterTasks(py::module_& m, py::class_<PyDatabase>& cls) {
  py::list priorities, statuses, refs, lists;
  for (auto p : {TaskPriority::kLow, TaskPriority::kNormal, TaskPriority::kHigh, TaskPriority::kUrgent})
    priorities.append(Text(ToString(p)));
  for (auto s : {TaskStatus::kOpen, TaskStatus::kDone, TaskStatus::kCancelled}) statuses.append(Text(ToString(s)));
  for (auto r : {TaskRefKind::kLead, TaskRefKind::kDeal, TaskRefKind::kTicket}) refs.append(Text(ToString(r)));
  for (auto l : {TaskListKind::kDue, TaskListKind::kOverdue, TaskListKind::kUpcoming}) lists.append(Text(ToString(l)));
  m.attr("TASK_PRIORITIES") = py::tuple(priorities);
  m.attr("TASK_STATUSES") = py::tuple(statuses);
  m.attr("TASK_REF_KINDS") = py::tuple(refs);
  m.attr("TASK_LISTS") = py::tuple(lists);

  cls.def("create_task",
          [](const PyDatabase& self, py::handle title, std::optional<int64_t> customer, py::handle ref,
             std::optional<int64_t> owner, py::handle team, std::optional<int64_t> due,
             std::optional<int64_t> remind_at, py::handle priority, py::handle notes, py::handle created_by_rule) {
            TaskDraft d;
            d.title = Str(title, "title");
            if (customer) d.customer = CustomerId{*customer};
            d.ref = ToRef(ref);
            if (owner) d.owner = UserId{*owner};
            d.team = OptStr(team, "team").value_or("");
            d.due = OptTime(due);
            d.remind_at = OptTime(remind_at);
            d.priority = Take(ParseTaskPriority(Str(priority, "priority")));
            d.notes = OptStr(notes, "notes").value_or("");
            d.created_by_rule = OptStr(created_by_rule, "created_by_rule").value_or("");
            Database db = self.Get();
            return TaskToDict(Take(NoGil([&] { return db.CreateTask(d); })));
          },
          py::arg("title"), py::arg("customer"), py::arg("ref"), py::arg("owner"), py::arg("team"), py::arg("due"),
          py::arg("remind_at"), py::arg("priority"), py::arg("notes"), py::arg("created_by_rule"));

  cls.def("get_task", [](const PyDatabase& self, int64_t id) {
    Database db = self.Get();
    return TaskToDict(Take(NoGil([&] { return db.GetTask(TaskId{id}); })));
  });

  cls.def("update_task",
          [](const PyDatabase& self, int64_t id, const py::dict& changes, bool move_reminder_with_due,
             std::optional<int64_t> expected_version) {
            TaskPatch p = ToPatch(changes);
            p.move_reminder_with_due = move_reminder_with_due;
            p.expected_version = expected_version;
            Database db = self.Get();
            return TaskToDict(Take(NoGil([&] { return db.UpdateTask(TaskId{id}, p); })));
          },
          py::arg("id"), py::arg("changes"), py::arg("move_reminder_with_due"), py::arg("expected_version"));

  cls.def("complete_task", [](const PyDatabase& self, int64_t id, std::optional<int64_t> expected_version) {
    Database db = self.Get();
    return TaskToDict(Take(NoGil([&] { return db.CompleteTask(TaskId{id}, expected_version); })));
  });

  cls.def("cancel_task", [](const PyDatabase& self, int64_t id, std::optional<int64_t> expected_version) {
    Database db = self.Get();
    return TaskToDict(Take(NoGil([&] { return db.CancelTask(TaskId{id}, expected_version); })));
  });

  cls.def("tasks",
          [](const PyDatabase& self, std::optional<int64_t> owner, py::handle team, std::optional<int64_t> customer,
             const std::vector<std::string>& statuses, std::optional<int64_t> due_after,
             std::optional<int64_t> due_before, int limit) {
            TaskQuery q;
            if (owner) q.owner = UserId{*owner};
            q.team = OptStr(team, "team");
            if (customer) q.customer = CustomerId{*customer};
            for (const std::string& s : statuses) q.statuses.push_back(Take(ParseTaskStatus(s)));
            q.due_after = OptTime(due_after);
            q.due_before = OptTime(due_before);
            q.limit = limit;
            Database db = self.Get();
            return TaskList(Take(NoGil([&] { return db.Tasks(q); })));
          },
          py::arg("owner"), py::arg("team"), py::arg("customer"), py::arg("statuses"), py::arg("due_after"),
          py::arg("due_before"), py::arg("limit"));

  cls.def("task_list",
          [](const PyDatabase& self, py::handle kind, std::optional<int64_t> owner, py::handle team,
             std::optional<int64_t> as_of, py::handle zone, std::optional<int64_t> window, int days, int limit) {
            TaskListQuery q;
            q.kind = Take(ParseTaskListKind(Str(kind, "kind")));
            if (owner) q.owner = UserId{*owner};
            q.team = OptStr(team, "team");
            q.as_of = OptTime(as_of);
            const std::string zone_name = Str(zone, "zone");
            if (!absl::LoadTimeZone(zone_name, &q.zone)) {
              RaiseValidation("zone: unknown time zone \"" + zone_name + "\"");
            }
            if (window) q.window = absl::Microseconds(*window);
            q.days = days;
            q.limit = limit;
            Database db = self.Get();
            return TaskList(Take(NoGil([&] { return db.TaskList(q); })));
          },
          py::arg("kind"), py::arg("owner"), py::arg("team"), py::arg("as_of"), py::arg("zone"), py::arg("window"),
          py::arg("days"), py::arg("limit"));

  cls.def("claim_task_reminders", [](const PyDatabase& self, std::optional<int64_t> now) {
    Database db = self.Get();
    return TaskList(Take(NoGil([&] { return db.ClaimTaskReminders(OptTime(now)); })));
  });
}

}  // namespace rapport::python
