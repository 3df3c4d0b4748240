"""Output: one renderer per format, for every result type. `text` (the terminal, in French),
`data` (JSON, JSON Lines), `files` (CSV, RIS, Atom: what spreadsheets, reference managers and
feed readers open)."""
