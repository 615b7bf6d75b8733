/* A folder of sim/ that no layer owns: the check must refuse it. */
