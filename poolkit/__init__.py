"""poolkit: exact, validated, fast pooling layers in pure numpy."""
