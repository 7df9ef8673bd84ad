#pragma once

// Every cell model the simulation can hold: the variant over the list in model_registry.hpp.

#include "model/model_registry.hpp"
