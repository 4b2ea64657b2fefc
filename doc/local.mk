# doc: rules added by its owner
dist_man_MANS += doc/lwk.conf.5
dist_man_MANS += doc/lwkrun.1
dist_man_MANS += doc/lwkpart.8
dist_man_MANS += doc/spank_lwk.8
