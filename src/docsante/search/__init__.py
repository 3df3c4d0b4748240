"""Parse, expand and run queries; count facets; highlight; render."""
