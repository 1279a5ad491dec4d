// The JSON form of a lifecycle model: what the `definition` column holds and what the C ABI, Python and
// the CLI read and print. Reading is strict (unknown members and wrong types are errors naming the
// member) so that a typo never silently falls back to a default.
#include <string>

#include <nlohmann/json.hpp>

#include "base/status_macros.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "rapport/lifecycle.h"

namespace rapport {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

constexpr StageKind kKinds[] = {StageKind::kProspect, StageKind::kNew,     StageKind::kActive,  StageKind::kAtRisk,
                                StageKind::kDormant,  StageKind::kChurned, StageKind::kWonBack, StageKind::kOther};
constexpr TransitionTrigger kTriggers[] = {TransitionTrigger::kAny, TransitionTrigger::kOrder,
                                           TransitionTrigger::kActivity};

absl::Status Bad(std::string_view path, std::string_view problem) {
  return absl::InvalidArgumentError(StrCat(path, ": ", problem));
}

absl::Status OnlyMembers(const Json& obj, std::string_view path, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : obj.items()) {
    bool ok = false;
    for (std::string_view k : known) ok = ok || k == key;
    if (!ok) return Bad(path.empty() ? std::string(key) : StrCat(path, ".", key), "unknown member");
  }
  return absl::OkStatus();
}

std::string Path(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : StrCat(parent, ".", key);
}

absl::Status Text(const Json& obj, std::string_view key, std::string_view path, bool required, std::string* out) {
  auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) return required ? Bad(path, "required") : absl::OkStatus();
  if (!it->is_string()) return Bad(path, "must be a string");
  *out = it->get<std::string>();
  return absl::OkStatus();
}

template <typename E, size_t N>
absl::Status Enum(const Json& obj, std::string_view key, std::string_view path, const E (&values)[N], E* out) {
  std::string text;
  RETURN_IF_ERROR(Text(obj, key, path, false, &text));
  if (text.empty()) return absl::OkStatus();
  std::string known;
  for (E v : values) {
    if (ToString(v) == text) {
      *out = v;
      return absl::OkStatus();
    }
    known += StrCat(known.empty() ? "" : ", ", ToString(v));
  }
  return Bad(path, StrCat("unknown value \"", text, "\" (one of ", known, ")"));
}

absl::Status ReadStage(const Json& j, const std::string& path, LifecycleStage* s) {
  if (!j.is_object()) return Bad(path, "must be an object");
  RETURN_IF_ERROR(OnlyMembers(j, path, {"name", "kind", "condition"}));
  RETURN_IF_ERROR(Text(j, "name", Path(path, "name"), true, &s->name));
  RETURN_IF_ERROR(Enum(j, "kind", Path(path, "kind"), kKinds, &s->kind));
  return Text(j, "condition", Path(path, "condition"), false, &s->condition);
}

absl::Status ReadTransition(const Json& j, const std::string& path, LifecycleTransition* t) {
  if (!j.is_object()) return Bad(path, "must be an object");
  RETURN_IF_ERROR(OnlyMembers(j, path, {"from", "to", "on"}));
  auto from = j.find("from");
  if (from == j.end()) return Bad(Path(path, "from"), "required");
  if (from->is_string()) {
    t->from.push_back(from->get<std::string>());
  } else if (from->is_array()) {
    for (size_t k = 0; k < from->size(); ++k) {
      if (!(*from)[k].is_string()) return Bad(StrCat(path, ".from[", k, "]"), "must be a string");
      t->from.push_back((*from)[k].get<std::string>());
    }
  } else {
    return Bad(Path(path, "from"), "must be a stage name or an array of them");
  }
  RETURN_IF_ERROR(Text(j, "to", Path(path, "to"), true, &t->to));
  return Enum(j, "on", Path(path, "on"), kTriggers, &t->on);
}

absl::Status ReadAttachment(const Json& j, LifecycleAttachment* a) {
  if (j.is_null()) return absl::OkStatus();
  if (!j.is_object()) return Bad("attachment", "must be an object");
  RETURN_IF_ERROR(OnlyMembers(j, "attachment", {"kinds", "segment", "precedence"}));
  if (auto it = j.find("kinds"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Bad("attachment.kinds", "must be an array of \"person\" / \"organization\"");
    for (size_t k = 0; k < it->size(); ++k) {
      const Json& v = (*it)[k];
      const std::string p = StrCat("attachment.kinds[", k, "]");
      if (v == "person") {
        a->kinds.push_back(CustomerKind::kPerson);
      } else if (v == "organization") {
        a->kinds.push_back(CustomerKind::kOrganization);
      } else {
        return Bad(p, "must be \"person\" or \"organization\"");
      }
    }
  }
  RETURN_IF_ERROR(Text(j, "segment", "attachment.segment", false, &a->segment));
  if (auto it = j.find("precedence"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer()) return Bad("attachment.precedence", "must be an integer");
    const int64_t p = it->get<int64_t>();
    if (p < -1000000 || p > 1000000) return Bad("attachment.precedence", "must be between -1000000 and 1000000");
    a->precedence = static_cast<int>(p);
  }
  return absl::OkStatus();
}

}  // namespace

std::string LifecycleModelToJson(const LifecycleModel& m) {
  OrderedJson j;
  j["name"] = m.name;
  j["description"] = m.description;
  OrderedJson stages = OrderedJson::array();
  for (const LifecycleStage& s : m.stages) {
    stages.push_back({{"name", s.name}, {"kind", ToString(s.kind)}, {"condition", s.condition}});
  }
  j["stages"] = std::move(stages);
  OrderedJson transitions = OrderedJson::array();
  for (const LifecycleTransition& t : m.transitions) {
    transitions.push_back({{"from", t.from}, {"to", t.to}, {"on", ToString(t.on)}});
  }
  j["transitions"] = std::move(transitions);
  OrderedJson kinds = OrderedJson::array();
  for (CustomerKind k : m.attachment.kinds) kinds.push_back(ToString(k));
  j["attachment"] = {{"kinds", std::move(kinds)}, {"segment", m.attachment.segment},
                     {"precedence", m.attachment.precedence}};
  if (m.created_at != absl::Time()) j["created_at"] = internal::FormatTimestamp(m.created_at);
  if (m.updated_at != absl::Time()) j["updated_at"] = internal::FormatTimestamp(m.updated_at);
  return j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

absl::StatusOr<LifecycleModel> LifecycleModelFromJson(std::string_view text) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return absl::InvalidArgumentError("json: not valid JSON");
  if (!j.is_object()) return absl::InvalidArgumentError("json: a lifecycle model is a JSON object");
  RETURN_IF_ERROR(OnlyMembers(j, "", {"name", "description", "stages", "transitions", "attachment", "created_at",
                                      "updated_at"}));
  LifecycleModel m;
  RETURN_IF_ERROR(Text(j, "name", "name", true, &m.name));
  RETURN_IF_ERROR(Text(j, "description", "description", false, &m.description));
  auto stages = j.find("stages");
  if (stages == j.end() || !stages->is_array()) return Bad("stages", "required: an array of stages");
  for (size_t i = 0; i < stages->size(); ++i) {
    LifecycleStage s;
    RETURN_IF_ERROR(ReadStage((*stages)[i], StrCat("stages[", i, "]"), &s));
    m.stages.push_back(std::move(s));
  }
  if (auto it = j.find("transitions"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Bad("transitions", "must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
      LifecycleTransition t;
      RETURN_IF_ERROR(ReadTransition((*it)[i], StrCat("transitions[", i, "]"), &t));
      m.transitions.push_back(std::move(t));
    }
  }
  if (auto it = j.find("attachment"); it != j.end()) RETURN_IF_ERROR(ReadAttachment(*it, &m.attachment));
  for (const char* key : {"created_at", "updated_at"}) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) continue;
    if (!it->is_string()) return Bad(key, "must be RFC 3339 text");
    ASSIGN_OR_RETURN(absl::Time t, internal::ParseTimestamp(key, it->get<std::string>()));
    (std::string_view(key) == "created_at" ? m.created_at : m.updated_at) = t;
  }
  return m;
}

}  // namespace rapport
