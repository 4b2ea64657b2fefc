# tests/unit: rules added by its owner
