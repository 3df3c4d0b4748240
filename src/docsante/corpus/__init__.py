"""Reading sources into documents, and the vocabularies. No Whoosh here."""
