"""Normalise, chunk, tag, analyse and write passages into the Whoosh index."""
