// Errors, codes, version and owned strings of the C ABI.
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/text.h"
#include "internal.h"

struct rapport_error {
  rapport_code code;
  char* message;  // malloc'ed; never NULL
};

namespace rapport::capi {
namespace {

// Returned when even the error cannot be allocated; never freed.
char kOomMessage[] = "out of memory";
rapport_error kOomError = {RAPPORT_RESOURCE_EXHAUSTED, kOomMessage};

rapport_error* NewError(rapport_code code, std::string_view message) noexcept {
  auto* e = static_cast<rapport_error*>(std::malloc(sizeof(rapport_error)));
  char* text = static_cast<char*>(std::malloc(message.size() + 1));
  if (e == nullptr || text == nullptr) {
    std::free(e);
    std::free(text);
    return &kOomError;
  }
  if (!message.empty()) std::memcpy(text, message.data(), message.size());
  text[message.size()] = '\0';
  e->code = code;
  e->message = text;
  return e;
}

}  // namespace

rapport_code ToCode(absl::StatusCode code) noexcept {
  int value = static_cast<int>(code);
  if (value < 0 || value > RAPPORT_DATA_LOSS) return RAPPORT_UNKNOWN;
  return static_cast<rapport_code>(value);
}

rapport_code Fail(rapport_error** err, rapport_code code, std::string_view message) noexcept {
  if (code == RAPPORT_OK) code = RAPPORT_INTERNAL;  // a failure must not look like success
  if (err != nullptr) *err = NewError(code, message);
  return code;
}

rapport_code Fail(rapport_error** err, const absl::Status& status) noexcept {
  const absl::string_view message = status.message();
  return Fail(err, ToCode(status.code()), std::string_view(message.data(), message.size()));
}

absl::Status NullArgument(const char* fn, const char* name) {
  return absl::InvalidArgumentError(absl::StrCat(fn, ": argument '", name, "' is NULL"));
}

absl::Status CheckText(const char* fn, const char* name, const char* text) {
  if (text == nullptr) return NullArgument(fn, name);
  return internal::CheckUtf8(name, text);
}

absl::StatusOr<std::string> OptionalText(const char* fn, const char* name, const char* text) {
  if (text == nullptr) return std::string();
  absl::Status status = internal::CheckUtf8(name, text);
  if (!status.ok()) return status;
  return std::string(text);
}

absl::Status CheckStructSize(const char* fn, const char* name, uint32_t struct_size, size_t min_size) {
  if (struct_size < min_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        fn, ": ", name, "->struct_size is ", struct_size, "; initialise the struct with its _init function"));
  }
  return absl::OkStatus();
}

absl::Status ReturnString(const std::string& text, char** out) {
  char* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (copy == nullptr) throw std::bad_alloc();
  std::memcpy(copy, text.c_str(), text.size() + 1);
  *out = copy;
  return absl::OkStatus();
}

}  // namespace rapport::capi

extern "C" {

rapport_code rapport_error_code(const rapport_error* err) noexcept {
  return err == nullptr ? RAPPORT_OK : err->code;
}

const char* rapport_error_message(const rapport_error* err) noexcept {
  return err == nullptr ? "" : err->message;
}

void rapport_error_free(rapport_error* err) noexcept {
  if (err == nullptr || err == &rapport::capi::kOomError) return;
  std::free(err->message);
  std::free(err);
}

const char* rapport_code_name(rapport_code code) noexcept {
  switch (code) {
    case RAPPORT_OK: return "OK";
    case RAPPORT_CANCELLED: return "CANCELLED";
    case RAPPORT_UNKNOWN: return "UNKNOWN";
    case RAPPORT_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case RAPPORT_DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case RAPPORT_NOT_FOUND: return "NOT_FOUND";
    case RAPPORT_ALREADY_EXISTS: return "ALREADY_EXISTS";
    case RAPPORT_PERMISSION_DENIED: return "PERMISSION_DENIED";
    case RAPPORT_RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case RAPPORT_FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case RAPPORT_ABORTED: return "ABORTED";
    case RAPPORT_OUT_OF_RANGE: return "OUT_OF_RANGE";
    case RAPPORT_UNIMPLEMENTED: return "UNIMPLEMENTED";
    case RAPPORT_INTERNAL: return "INTERNAL";
    case RAPPORT_UNAVAILABLE: return "UNAVAILABLE";
    case RAPPORT_DATA_LOSS: return "DATA_LOSS";
  }
  return "UNKNOWN_CODE";
}

const char* rapport_version(void) noexcept {
  static const std::string* version = [] {
    try {
      return new std::string(rapport::Version());
    } catch (...) {
      return new (std::nothrow) std::string();
    }
  }();
  return version == nullptr ? "" : version->c_str();
}

void rapport_string_free(char* str) noexcept { std::free(str); }

}  // extern "C"
