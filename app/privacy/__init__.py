"""Personal data: erasure (right to be forgotten), access export, and retention."""
