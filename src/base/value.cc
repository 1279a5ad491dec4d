#include "rapport/value.h"

#include "base/json_value.h"

namespace rapport {

std::string Value::ToJson() const { return internal::ValueToJson(*this).dump(); }

}  // namespace rapport
