"""The plan model: plan file, names, validation and the resolved module mapping. Pure: no
I/O beyond reading and writing the plan file, no UI."""
