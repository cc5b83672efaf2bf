"""Analysis: the import graph (grimp), units, suggested tiers (networkx), quality figures,
cross-tier edges and the CI check. Headless: never imports Textual."""
