"""Builds `data/kb/` from the source packages and reviewed data; generates the gold eval
sets and the data card's counts. Development tools: the runtime package never imports
them."""
