"""Article extraction (pure): one fetched page in, one article record out."""
