// Maps absl::Status codes to the exception classes of rapport._errors (pure Python, so that they
// pickle and can be subclassed like any other Python exception).
#include <string>

#include "common.h"

namespace rapport::python {
namespace {

const char* ClassNameFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return "ValidationError";
    case absl::StatusCode::kNotFound:
      return "NotFoundError";
    case absl::StatusCode::kAlreadyExists:
      return "AlreadyExistsError";
    case absl::StatusCode::kAborted:
      return "ConflictError";
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      return "PermissionDeniedError";
    case absl::StatusCode::kFailedPrecondition:
      return "StageGateError";
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kDeadlineExceeded:
      return "BusyError";
    case absl::StatusCode::kDataLoss:
      return "CorruptError";
    case absl::StatusCode::kCancelled:
      return "CancelledError";
    case absl::StatusCode::kInternal:
      return "InternalError";
    default:
      return "Error";
  }
}

[[noreturn]] void Raise(const char* class_name, const std::string& code, std::string_view message) {
  // rapport._errors is imported by rapport/__init__.py before _core is used; importing it here is a
  // sys.modules lookup.
  py::object cls = py::module_::import("rapport._errors").attr(class_name);
  py::object exc = cls(Text(message), py::str(code));
  PyErr_SetObject(cls.ptr(), exc.ptr());
  throw py::error_already_set();
}

}  // namespace

void RaiseStatus(const absl::Status& status) {
  const auto message = status.message();  // absl::string_view on Debian, not std::string_view
  Raise(ClassNameFor(status.code()), absl::StatusCodeToString(status.code()),
        std::string_view(message.data(), message.size()));
}

void RaiseValidation(std::string_view message) {
  Raise("ValidationError", "INVALID_ARGUMENT", message);
}

Database PyDatabase::Get() const {
  if (!db.has_value()) Raise("Error", "FAILED_PRECONDITION", "database is closed");
  return *db;
}

void RegisterErrors(py::module_& m) {
  // For tests of the mapping: raises the exception for an absl status code number.
  m.def("_raise_status", [](int code, const std::string& message) {
    RaiseStatus(absl::Status(static_cast<absl::StatusCode>(code), message));
  });
}

}  // namespace rapport::python
