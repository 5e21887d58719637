"""The benchmark (bench/README.md): settings and URLs that add a floor endpoint to production, a load
generator, and the report."""
