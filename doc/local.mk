# doc: rules added by its owner
