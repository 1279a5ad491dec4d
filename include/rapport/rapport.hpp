// Umbrella header of the Rapport C++ API.
#ifndef RAPPORT_RAPPORT_HPP_
#define RAPPORT_RAPPORT_HPP_

#include "rapport/change.h"
#include "rapport/clock.h"
#include "rapport/customer.h"
#include "rapport/database.h"
#include "rapport/money.h"
#include "rapport/import.h"
#include "rapport/timeline.h"
#include "rapport/types.h"
#include "rapport/value.h"

#endif  // RAPPORT_RAPPORT_HPP_
