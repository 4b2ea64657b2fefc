# unit tests of lwk/place
