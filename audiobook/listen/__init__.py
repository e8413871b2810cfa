"""Listening for where a part of the book begins: the judgement of a boundary shared by the
build (plan/) and check/ — below both, above the recogniser (align/)."""
