"""Write-side services of the catalog app (keyword-only `<entity>_<verb>` functions)."""
