/* A header of the ksm layer, for the upward include next door. */
