"""Writing the register in other systems' shapes: the registry CSV, Open Badges 3.0, CTDL."""
