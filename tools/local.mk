# tools: rules added by its owner
