"""Where documents come from: files, folders and standard input."""
