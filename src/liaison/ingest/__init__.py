"""Turn raw bytes into a Document: decoding, main text, metadata, limits."""
