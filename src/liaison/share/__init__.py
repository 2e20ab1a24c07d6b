"""Sharing: the TAXII 2.1 server, partners and collections, TLP 2.0 access, and the TAXII client."""
