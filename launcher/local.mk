# launcher: rules added by its owner
