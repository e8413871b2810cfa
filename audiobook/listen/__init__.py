"""Listening: the acoustic engine, below plan/ and check/ and the applications that use it.

`audio` reads a stretch of the recordings as the recogniser wants it; `listener` runs pocketsphinx
(keyword spotting, forced alignment, the fit of a text to a stretch); `follow` times a whole
passage's words, window by window; `speakable` and `pronounce` turn the book's words into what
is said; `openings` holds the words that open a part;
`boundary` is the judgement of a boundary shared by the build (plan/) and check/; `pauses`
finds the pauses a cut can go in.
"""
