"""Write-side services of the homologation app (keyword-only `<entity>_<verb>` functions)."""
