# unit tests of lwk/spec
