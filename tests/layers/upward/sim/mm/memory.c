/* An mm file that includes KSM's internals: the check must refuse it. */
#include "ksmsim/sim.h"

#include "ksm/ksm_state.h"
