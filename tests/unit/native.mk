# unit tests of lwk/native
