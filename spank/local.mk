# spank: rules added by its owner
