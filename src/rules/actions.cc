#include "rules/actions.h"

#include "base/status_macros.h"
#include "base/strings.h"
#include "model/field_schema.h"
#include "model/segment_repository.h"
#include "model/task_repository.h"
#include "rules/outbox_store.h"

namespace rapport::internal {
namespace {

constexpr const char* kKindNames[] = {"add_tag", "remove_tag", "set_field", "add_to_list",
                                      "notify",  "create_task", "move_stage", "plugin"};

std::string ValueText(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull: return "";
    case Value::Type::kText: return v.as_text();
    case Value::Type::kInt: return std::to_string(v.as_int());
    default: break;
  }
  std::string json = v.ToJson();
  return json;
}

// Calls fn(name) for each {{name}} in text (spaces inside the braces are ignored); returns the text
// with each replaced by fn's result.
template <typename F>
std::string Substitute(std::string_view text, F&& fn) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("{{", i);
    if (open == std::string_view::npos) break;
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(text.substr(i, open - i));
    out += fn(StripWhitespace(text.substr(open + 2, close - open - 2)));
    i = close + 2;
  }
  out.append(text.substr(i));
  return out;
}

std::string Recipient(const RuleAction& a, const Customer& c, std::string& kind, absl::Status& status) {
  kind = a.recipient;
  if (a.recipient == "literal") return a.address;
  if (a.recipient == "owner") {
    if (!c.owner) {
      status = absl::FailedPreconditionError(StrCat("recipient: customer ", ToInt(c.id), " has no owner"));
      return "";
    }
    return StrCat("user:", ToInt(*c.owner));
  }
  const bool email = a.channel == "email", sms = a.channel == "sms";
  if (email || sms) {
    const ContactKind want = email ? ContactKind::kEmail : ContactKind::kPhone;
    const ContactPoint* pick = nullptr;
    for (const ContactPoint& cp : c.contact_points) {
      if (cp.kind != want || cp.opted_out || cp.invalid) continue;
      if (pick == nullptr || (cp.primary && !pick->primary)) pick = &cp;
    }
    if (pick != nullptr) return pick->value;
  }
  return StrCat("customer:", ToInt(c.id));
}

absl::Status RunOne(const Firing& f, const RuleAction& a, ActionEffects& effects) {
  switch (a.kind) {
    case RuleActionKind::kAddTag:
    case RuleActionKind::kRemoveTag:
      return ChangeTag(f.ctx, f.customer, a.tag, a.kind == RuleActionKind::kAddTag);
    case RuleActionKind::kSetField: {
      ASSIGN_OR_RETURN(FieldMap fields, CanonicalPatch(f.ctx.schema, FieldMap{{a.field, a.value}}));
      return MergeIntoCustomer(f.ctx, f.customer, fields, nullptr, std::nullopt).status();
    }
    case RuleActionKind::kAddToList:
      return EditList(f.ctx, a.list, {ToInt(f.customer)}, /*add=*/true);
    case RuleActionKind::kNotify: {
      ASSIGN_OR_RETURN(Customer c, LoadCustomer(f.ctx.conn, f.ctx.schema, f.customer, false));
      OutboxMessage m;
      absl::Status recipient_status;
      m.recipient = Recipient(a, c, m.recipient_kind, recipient_status);
      RETURN_IF_ERROR(recipient_status);
      m.channel = a.channel;
      m.customer = f.customer;
      m.subject = RenderTemplate(a.subject, c);
      m.body = RenderTemplate(a.body, c);
      m.source = StrCat("rule:", f.rule.name);
      m.occurrence = f.occurrence;
      RETURN_IF_ERROR(InsertOutbox(f.ctx, m).status());
      ++effects.notifications;
      return absl::OkStatus();
    }
    case RuleActionKind::kCreateTask: {
      ASSIGN_OR_RETURN(Customer c, LoadCustomer(f.ctx.conn, f.ctx.schema, f.customer, false));
      TaskDraft draft;
      draft.title = RenderTemplate(a.title, c);
      draft.customer = f.customer;
      draft.owner = c.owner;
      draft.team = a.team;
      draft.due = f.ctx.now + absl::Hours(a.due_in_hours);
      if (a.remind_in_hours) draft.remind_at = f.ctx.now + absl::Hours(*a.remind_in_hours);
      ASSIGN_OR_RETURN(draft.priority, ParseTaskPriority(a.priority));
      draft.notes = RenderTemplate(a.notes, c);
      draft.created_by_rule = f.rule.name;
      RETURN_IF_ERROR(CreateTask(f.ctx, draft).status());
      ++effects.tasks_created;
      return absl::OkStatus();
    }
    case RuleActionKind::kMoveStage: {
      // Through the lifecycle's write path (policy checks, stage history, its change entry), joining the
      // firing's savepoint.
      StageMoveRequest request{a.reason.empty() ? StrCat("rule ", f.rule.name) : a.reason, StageMoveSource::kRule,
                               f.rule.name};
      return f.db.MoveCustomerStage(f.customer, a.stage, request).status();
    }
    case RuleActionKind::kPlugin: {
      std::optional<RuleActionFn> fn = f.plugins.Find(a.plugin);
      if (!fn) return absl::NotFoundError(StrCat("plugin \"", a.plugin, "\": not registered on this database"));
      RuleActionCall call{f.rule.name, f.customer, f.occurrence, f.ctx.now, a.params};
      return (*fn)(f.db, call);
    }
  }
  return absl::InternalError("unknown action kind");
}

}  // namespace

std::shared_ptr<RuleActionRegistry> MakeRuleActionRegistry() { return std::make_shared<RuleActionRegistry>(); }

void RuleActionRegistry::Register(std::string_view name, RuleActionFn fn) {
  std::lock_guard<std::mutex> lock(mu_);
  actions_[std::string(name)] = std::move(fn);
}

std::optional<RuleActionFn> RuleActionRegistry::Find(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = actions_.find(name);
  if (it == actions_.end()) return std::nullopt;
  return it->second;
}

absl::Status CheckTemplate(std::string_view field, std::string_view text, const FieldSchema& schema) {
  absl::Status status;
  Substitute(text, [&](std::string_view name) {
    if (status.ok() && name != "id" && !IsCoreField(name) && schema.Find(name) == nullptr) {
      status = absl::InvalidArgumentError(StrCat(field, ": unknown field \"", name, "\" in {{", name, "}}"));
    }
    return std::string();
  });
  return status;
}

std::string RenderTemplate(std::string_view text, const Customer& customer) {
  return Substitute(text, [&](std::string_view name) {
    if (name == "id") return std::to_string(ToInt(customer.id));
    return ValueText(customer.Get(name));
  });
}

absl::Status RunActions(const Firing& f, ActionEffects& effects) {
  for (size_t i = 0; i < f.rule.actions.size(); ++i) {
    const RuleAction& a = f.rule.actions[i];
    absl::Status s = RunOne(f, a, effects);
    if (!s.ok()) {
      return absl::Status(s.code(), StrCat("actions[", i, "] (", kKindNames[static_cast<int>(a.kind)], "): ", s.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace rapport::internal
