"""Write-side services of the analytics app (keyword-only `<entity>_<verb>` functions)."""
